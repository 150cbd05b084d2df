"""Forms of the pathway pages: enrolment, placements, follow-ups, a manual step of the ladder.

Validation and cleaning only; the views hand `cleaned_data` to a service. No choice that feeds
statistics has a preselected value (an empty first option that must be changed).
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from activation.models import (
    Cohort,
    ContractType,
    EnrolmentStatus,
    FollowUpAnswer,
    HousingSituation,
    LeavingReason,
    PlacementEndReason,
    PlacementKind,
    WageBand,
)
from cases.models import PathwayStage
from cases.pathway import MANUAL_STAGES
from config.widgets import DateInput

EMPTY = [("", "—")]


def _date(label, *, required=True, today=False):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        initial=timezone.localdate if today else None,
    )


def _choice(label, choices, *, required=True, radio=False):
    return forms.ChoiceField(
        label=label,
        choices=EMPTY + list(choices) if not radio else list(choices),
        required=required,
        widget=forms.RadioSelect if radio else forms.Select,
    )


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, cohort):
        return f"{cohort.programme.name} · {cohort.name}"


class EnrolmentForm(forms.Form):
    cohort = CohortChoiceField(label=_("Programme and group"), queryset=Cohort.objects.none())
    applied_on = _date(_("Applied on"), today=True)

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts
        self.fields["cohort"].empty_label = "—"


class EnrolmentStatusForm(forms.Form):
    status = _choice(_("New status"), ())
    # Not the bare "On" (that is the winter mode's switch: "Włączony").
    on = _date(pgettext_lazy("the day a status changes", "On"), today=True)
    leaving_reason = _choice(
        _("Reason for dropping out"),
        [(value, label) for value, label in LeavingReason.choices if value != "not_recorded"],
        required=False,
    )
    note = forms.CharField(
        label=_("Note (why: kept encrypted)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = EMPTY + [
            (status, EnrolmentStatus(status).label)
            for status in EnrolmentStatus.values
            if status in allowed
        ]

    def clean(self):
        data = super().clean()
        if data.get("status") == EnrolmentStatus.DROPPED_OUT and not data.get("leaving_reason"):
            self.add_error("leaving_reason", _("Choose why the person dropped out."))
        return data


class PlacementForm(forms.Form):
    kind = _choice(_("Kind of placement"), PlacementKind.choices)
    employer_organisation = forms.ModelChoiceField(
        label=_("Employer of the cluster"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="—",
    )
    employer_name = forms.CharField(
        label=_("or an outside employer (name)"), max_length=200, required=False
    )
    employer_nip = forms.CharField(
        label=_("Outside employer's NIP (optional)"), max_length=13, required=False
    )
    started_on = _date(_("Started on"), today=True)
    hours_per_week = forms.DecimalField(
        label=_("Hours a week"),
        required=False,
        min_value=0.5,
        max_value=84,
        decimal_places=1,
    )
    contract_type = _choice(_("Contract"), ContractType.choices)
    wage_band = _choice(_("Pay"), WageBand.choices)
    enrolment = forms.ModelChoiceField(
        label=_("From the programme"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments
        self.fields["enrolment"].label_from_instance = lambda e: str(e.programme)


class PlacementEndForm(forms.Form):
    ended_on = _date(_("Last day"), today=True)
    end_reason = _choice(_("Why it ended"), PlacementEndReason.choices)
    note = forms.CharField(
        label=_("Note (kept encrypted)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpForm(forms.Form):
    answered_on = _date(_("Asked on"), today=True)
    answer = _choice(_("Answer"), FollowUpAnswer.choices, radio=True)
    hours_per_week = forms.DecimalField(
        label=_("Hours a week (in work)"),
        required=False,
        min_value=0.5,
        max_value=84,
        decimal_places=1,
    )
    housing = _choice(_("Housing situation"), HousingSituation.choices, required=False)
    note = forms.CharField(
        label=_("Note (kept encrypted)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PathwayStepForm(forms.Form):
    stage = _choice(
        _("Stage"), [(stage, PathwayStage(stage).label) for stage in MANUAL_STAGES], radio=True
    )
    on = _date(_("Since"), today=True)
