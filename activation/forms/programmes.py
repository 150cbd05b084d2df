"""Forms of the manager's programme pages: validation and cleaning only; services save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from activation.models import ProgrammeKind, Trade
from config.widgets import DateInput


def job_coaches():
    """Active job coaches of the cluster, the people a cohort may be given to."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.JOB_COACH)
        .select_related("organisation")
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


class CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        organisation = user.organisation.name if user.organisation_id else ""
        name = user.get_full_name() or user.username
        return f"{name} ({organisation})" if organisation else name


class CoachesField(forms.ModelMultipleChoiceField):
    label_from_instance = CoachChoiceField.label_from_instance


def _date_widget():
    return DateInput()


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    # A choice that feeds statistics: nothing preselected.
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("— choose —")), *ProgrammeKind.choices]
    )
    trade = forms.ModelChoiceField(
        label=_("Trade (for a workshop)"),
        queryset=Trade.objects.filter(is_active=True),
        required=False,
        empty_label=_("— choose —"),
    )
    leads_to = forms.CharField(
        label=_("Skills or certificates it leads to"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:
            self.fields["is_active"] = forms.BooleanField(label=_("Running"), required=False)
            # A retired trade stays choosable for the workshop that already teaches it.
            if programme.trade_id:
                self.fields["trade"].queryset = Trade.objects.filter(
                    pk=programme.trade_id
                ) | Trade.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("kind") == ProgrammeKind.WORKSHOP and not data.get("trade"):
            self.add_error("trade", _("A workshop needs the trade it teaches."))
        if data.get("kind") and data.get("kind") != ProgrammeKind.WORKSHOP:
            data["trade"] = None
        return data


class TradeForm(forms.Form):
    name = forms.CharField(label=_("New trade"), max_length=100)


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=_date_widget())
    ends_on = forms.DateField(label=_("Ends on"), widget=_date_widget(), required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)
    place = forms.CharField(label=_("Where it meets"), max_length=300, required=False)
    lead_coach = CoachChoiceField(
        label=_("Job coach in charge"), queryset=User.objects.none(), empty_label=_("— choose —")
    )
    coaches = CoachesField(
        label=_("Other coaches who take attendance"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_coach"].queryset = job_coaches()
        self.fields["coaches"].queryset = job_coaches()

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A cohort cannot end before it starts."))
        return data


class ProgrammeRuleForm(forms.Form):
    """A CIS's own rules from a day (its regulations)."""

    valid_from = forms.DateField(label=_("In force from"), widget=_date_widget())
    forfeit_after_unexcused_days = forms.IntegerField(
        label=_("The month's allowance is lost past this many unexcused days"),
        help_text=_("Leave empty if the centre's regulations have no such rule."),
        min_value=0,
        max_value=31,
        required=False,
    )
    days_off_limit = forms.IntegerField(
        label=_("Days off granted at most"), min_value=0, max_value=31
    )
    source = forms.CharField(
        label=_("Source (the centre's regulations)"), max_length=300, required=False
    )
