from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.access import team_has_member, teams_visible_to
from accounts.models import Organisation, Team, User
from accounts.reconfirm import ConfirmPasswordMixin
from accounts.roles import Role
from cases.contact import email_checked, phone_e164
from cases.models import (
    ADDICTION_CHOICES,
    ASSESSMENT_DOMAINS,
    HOMELESSNESS_REASONS,
    IDENTITY_DOCUMENTS,
    INCOME_SOURCES,
    Assessment,
    CaseEpisode,
    CaseNote,
    Client,
    Consent,
    Document,
    HouseholdMember,
    Plan,
    PlanGoal,
    PlanStep,
)
from cases.pesel import complete_from_pesel, validate_pesel
from cases.selectors import client_by_id
from config.uploads import LimitedFileField
from config.widgets import DateInput


class _MultipleCodes(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ClientForm(forms.ModelForm):
    """Intake: identity, contact and the facts of the situation; unknowns are real answers."""

    homelessness_reasons = _MultipleCodes(
        label=_("Reasons for homelessness"), choices=HOMELESSNESS_REASONS, required=False
    )
    income_sources = _MultipleCodes(
        label=_("Income sources"), choices=INCOME_SOURCES, required=False
    )
    identity_documents = _MultipleCodes(
        label=_("Identity documents held"), choices=IDENTITY_DOCUMENTS, required=False
    )
    addictions = _MultipleCodes(label=_("Addiction"), choices=ADDICTION_CHOICES, required=False)

    class Meta:
        model = Client
        fields = [
            "first_name",
            "surname",
            "pesel",
            "birth_date",
            "sex",
            "pathway_stage",
            "citizenship",
            "preferred_language",
            "phone",
            "email",
            "contact_note",
            "municipality_code",
            "ethos",
            "episode_started_on",
            "episodes_last_3_years",
            "homelessness_reasons",
            "income_sources",
            "identity_documents",
            "health_note",
            "disability",
            "addictions",
            "pregnancy_due_on",
        ]
        widgets = {
            "birth_date": DateInput(),
            "episode_started_on": DateInput(),
            "pregnancy_due_on": DateInput(),
            "contact_note": forms.Textarea(attrs={"rows": 2}),
            "health_note": forms.Textarea(attrs={"rows": 3}),
            "pesel": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {
            "pesel": _("Optional: many clients have none or do not know it."),
            "municipality_code": _(
                "The 7-digit TERYT code of the responsible municipality (gmina)."
            ),
        }

    def __init__(self, *args, sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # The surname is asked of everyone; only a walk-in who refused to give it may stay
        # without one (the model allows a blank for them).
        self.fields["surname"].required = not (self.instance.pk and not self.instance.surname)
        # Health, disability, addiction and pregnancy only for a way that changes them.
        if not sensitive:
            for name in Client.SENSITIVE_FIELDS:
                self.fields.pop(name, None)

    def clean_municipality_code(self):
        code = self.cleaned_data["municipality_code"].strip()
        if code and (len(code) != 7 or not code.isascii() or not code.isdigit()):
            raise forms.ValidationError(_("A TERYT municipality code has 7 digits."))
        return code

    def clean_pesel(self):
        # Checked here, before clean() reads the date and sex it encodes (the model's own
        # validator runs only after clean()).
        pesel = self.cleaned_data.get("pesel", "").strip()
        return validate_pesel(pesel) if pesel else ""

    def clean_phone(self):
        return phone_e164(self.cleaned_data.get("phone", ""))

    def clean_email(self):
        return email_checked(self.cleaned_data.get("email", ""))

    def clean(self):
        data = super().clean()
        # A valid PESEL fills in a missing date of birth and an unknown sex; one that
        # contradicts a given date or sex is an error on that field (cases/pesel.py).
        pesel = data.get("pesel")
        if pesel and not self.has_error("pesel") and not self.has_error("birth_date"):
            born, sex, errors = complete_from_pesel(
                pesel, birth_date=data.get("birth_date"), sex=data.get("sex") or ""
            )
            data["birth_date"] = born
            if "sex" in self.fields and not self.has_error("sex"):
                data["sex"] = sex
            for field, error in errors.items():
                self.add_error(field, error)
        return data


class ClientSearchForm(forms.Form):
    """Search by PESEL, or by surname with a first name or a date of birth. Sent by POST only."""

    pesel = forms.CharField(
        label=_("PESEL"),
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    surname = forms.CharField(
        label=_("Surname"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("pesel"):
            return data
        if data.get("surname") and (data.get("first_name") or data.get("birth_date")):
            return data
        raise forms.ValidationError(
            _("Give a PESEL, or a surname with a first name or a date of birth.")
        )


class NoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["kind", "noted_on", "text", "is_important", "is_sensitive"]
        widgets = {
            "noted_on": DateInput(),
            "text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("noted_on", timezone.localdate())
        # Marking a note sensitive is for a way that changes the sensitive part.
        if not sensitive:
            self.fields.pop("is_sensitive")

    def clean_noted_on(self):
        noted_on = self.cleaned_data["noted_on"]
        if noted_on > timezone.localdate():
            raise forms.ValidationError(_("A note cannot be dated in the future."))
        return noted_on


class BreakGlassForm(ConfirmPasswordMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why must you open this file now?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your manager will review this access. It is logged."),
    )


class HandoverRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this file?"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The manager of the organisation holding the file reads this and decides. "
            "It is stored encrypted."
        ),
        error_messages={
            "required": _("Say in a few words why you need the file."),
            "min_length": _("Say in a few words why you need the file."),
        },
    )


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseEpisode.Outcome.choices)


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Social worker"), queryset=User.objects.none())
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Optional. Every member of the team can then work on the file too."),
    )

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = (
            User.objects.of_organisation(manager.organisation_id)
            .filter(is_active=True)
            .with_role(Role.SOCIAL_WORKER)
            .order_by("last_name", "first_name")
        )
        # Only the manager's organisation's teams: another one's id is not a valid choice.
        self.fields["team"].queryset = teams_visible_to(manager)

    def clean(self):
        data = super().clean()
        worker, team = data.get("worker"), data.get("team")
        if worker is not None and team is not None and not team_has_member(team, worker):
            self.add_error("team", _("The social worker is not a member of this team."))
        return data


class AssignmentFilterForm(forms.Form):
    """The manager's list of the clients held in their organisation, by holder or team."""

    worker = forms.ModelChoiceField(
        label=_("Held by"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        # Deactivated workers too: their files are the ones waiting to be handed over.
        self.fields["worker"].queryset = (
            User.objects.of_organisation(manager.organisation_id)
            .with_role(Role.SOCIAL_WORKER)
            .order_by("last_name", "first_name")
        )
        self.fields["team"].queryset = teams_visible_to(manager)


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "partner", "legal_basis", "given_on", "signed_form"]
        widgets = {"given_on": DateInput()}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["signed_form"].queryset = client.documents.filter(kind=Document.Kind.CONSENT)
        # The upload's date as the page shows dates (27.11.2026), not ISO.
        self.fields["signed_form"].label_from_instance = lambda d: (
            f"{d.title} ({date_format(timezone.localdate(d.uploaded_at), 'SHORT_DATE_FORMAT')})"
        )
        self.initial.setdefault("given_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        needs_partner = data.get("purpose") in (
            Consent.Purpose.SHARE_PARTNER,
            Consent.Purpose.REFERRAL,
        )
        if needs_partner and not data.get("partner"):
            self.add_error("partner", _("Name the partner this consent is for."))
        if data.get("given_on") and data["given_on"] > timezone.localdate():
            self.add_error("given_on", _("A consent cannot be dated in the future."))
        return data


class ReferralForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    service = forms.CharField(label=_("Service"), max_length=200)
    summary = forms.CharField(
        label=_("What the partner needs to know"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only this text and the client's first name and initial reach the partner."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(is_active=True)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = LimitedFileField(label=_("File (PDF, JPEG or PNG)"))


class AssessmentForm(forms.Form):
    """One score (1 in crisis … 5 thriving, or not assessed) and a note per life domain."""

    SCORE_CHOICES = [("", _("not assessed")), *[(str(n), str(n)) for n in range(1, 6)]]

    kind = forms.ChoiceField(label=_("Kind"), choices=Assessment.Kind.choices)
    assessed_on = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("assessed_on", timezone.localdate())
        for code, label in ASSESSMENT_DOMAINS:
            self.fields[f"score_{code}"] = forms.ChoiceField(
                label=label, choices=self.SCORE_CHOICES, required=False
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note: %(domain)s") % {"domain": label},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return day

    def clean(self):
        data = super().clean()
        scores = {
            c: int(data[f"score_{c}"]) for c, _l in ASSESSMENT_DOMAINS if data.get(f"score_{c}")
        }
        if not scores:
            raise forms.ValidationError(_("Score at least one domain."))
        data["scores"] = scores
        data["notes"] = {
            c: data[f"note_{c}"] for c, _l in ASSESSMENT_DOMAINS if data.get(f"note_{c}")
        }
        return data


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "kind",
            "starts_on",
            "ends_on",
            "situation",
            "causes",
            "review_every_days",
            "requires_approval",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "situation": forms.Textarea(attrs={"rows": 3}),
            "causes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("starts_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("A plan cannot end before it starts."))
        return data


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("Goal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(forms.Form):
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=PlanGoal.objects.none())
    party = forms.ChoiceField(label=_("Who acts"), choices=PlanStep.Party.choices)
    text = forms.CharField(
        label=_("Step"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = plan.goals.with_keys()
        self.fields["goal"].label_from_instance = lambda goal: f"{goal.position + 1}. {goal.text}"[
            :80
        ]


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status of the goal"), choices=PlanGoal.Status.choices)
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What came of it: what was reached, what not, and why."),
    )


class StepStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status of the step"),
        choices=PlanGoal.Status.choices,
        # The step's text beside the select names it; the label is for screen readers.
        widget=forms.Select(attrs={"aria-label": _("Status of the step")}),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HouseholdMemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["first_name", "surname", "birth_date", "relationship", "sex"]
        widgets = {"birth_date": DateInput()}

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("A date of birth cannot be in the future."))
        return born


class DoNotDiscloseForm(forms.Form):
    person_name = forms.CharField(label=_("Person"), max_length=200)
    other_file = forms.UUIDField(
        label=_("Their file identifier, if they are a client"),
        required=False,
        help_text=_("Then a worker holding their file never learns of this client in a search."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_other_file(self):
        file_id = self.cleaned_data.get("other_file")
        if file_id is None:
            return None
        other = client_by_id(file_id)
        if other is None:
            raise forms.ValidationError(_("No file has this identifier."))
        return other
