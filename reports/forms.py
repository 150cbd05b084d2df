"""The dashboard's choices: the period (month, quarter, year, custom) and the filters."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from activation.dates import add_months, month_end
from config.uploads import LimitedFileField
from config.widgets import DateInput
from reports import access
from reports.jobs import zip_check

ISO_DATE = "%Y-%m-%d"
PERIODS = [
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
    ("custom", _("Custom")),
]
# A custom period longer than this is refused: one page should not read a decade of nights.
LONGEST_DAYS = 5 * 366


def period_of(kind: str, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month, quarter or calendar year that contains `on`."""
    if kind == "month":
        return on.replace(day=1), month_end(on)
    if kind == "quarter":
        first = datetime.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        return first, add_months(first, 3) - datetime.timedelta(days=1)
    return datetime.date(on.year, 1, 1), datetime.date(on.year, 12, 31)


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS)
    on = forms.DateField(
        label=_("A day of the period"),
        required=False,
        widget=DateInput(),
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(),
    )
    facility = forms.ModelChoiceField(
        label=_("Facility"), queryset=None, required=False, empty_label=_("All facilities")
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=None, required=False, empty_label=_("All programmes")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = access.facilities_for_reports(user)
        self.fields["programme"].queryset = access.programmes_for_reports(user)

    def clean(self):
        data = super().clean()
        kind = data.get("period")
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise forms.ValidationError(_("Give the first and the last day of the period."))
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > LONGEST_DAYS:
                raise forms.ValidationError(_("A period of at most five years, please."))
        elif kind:
            if data.get("on") is None:
                raise forms.ValidationError(_("Give a day of the period."))
            data["start"], data["end"] = period_of(kind, data["on"])
        return data


class ImportUploadForm(forms.Form):
    """The administrator's upload of past records: one ZIP of the import's CSV files."""

    archive = LimitedFileField(
        label=_("ZIP of CSV files"),
        help_text=_(
            "facilities.csv, clients.csv, stays.csv, programmes.csv, enrolments.csv, "
            "placements.csv, followups.csv at the top of the ZIP; any may be absent."
        ),
    )

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        content = archive.read()
        # The same check as job_create's, so the form says what is wrong before any job exists.
        zip_check(content)
        return content


def cell_choices() -> list[tuple[str, str]]:
    """Every drill-down cell as "measure:cell" (fixed codes, nothing personal), with its label."""
    from reports.measures import DRILL_CELLS

    return [
        (f"{measure}:{cell}", cell_label(measure, cell))
        for measure, cells in DRILL_CELLS.items()
        for cell in cells
    ]


def cell_label(measure: str, cell: str) -> str:
    """A cell in words, as the dashboard names it: "Exits: Street"."""
    from activation.models import PlacementKind
    from reports.documents import KEY_LABELS, MEASURES, label_of

    if measure == "employment_started":
        return f"{MEASURES['employment']}: {KEY_LABELS['started']}: {PlacementKind(cell).label}"
    return f"{MEASURES[measure]}: {label_of(tuple(cell.split('.')))}"


class PeopleForm(forms.Form):
    """The period of a drill-down, and the cell chosen (none: the cells with people to show)."""

    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    cell = forms.ChoiceField(label=_("Figure"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].choices = [("", "—"), *cell_choices()]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if start and end and (end - start).days > LONGEST_DAYS:
            raise forms.ValidationError(_("A period of at most five years, please."))
        return data
