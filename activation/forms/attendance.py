"""The attendance pages' small forms: which day, which month (ISO values in the inputs)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.widgets import ISO_DATE, DateInput

# The years a page can be asked about (a date far outside would overflow the calendar's
# arithmetic: the day before 1 January of year 1 does not exist).
YEARS = (1990, 2100)


def _check_year(day: datetime.date) -> datetime.date:
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise forms.ValidationError(
            _("Choose a date between %(first)s and %(last)s.")
            % {"first": YEARS[0], "last": YEARS[1]},
            code="year",
        )
    return day


class DayForm(forms.Form):
    """The day whose attendance is shown (default: today in local time)."""

    day = forms.DateField(
        label=_("Day"),
        widget=DateInput(),
        input_formats=[ISO_DATE],
    )

    def clean_day(self):
        return _check_year(self.cleaned_data["day"])


def chosen_day(data) -> tuple[DayForm, datetime.date]:
    """The form bound to `data` and the day it names, today when none (or a bad one) is given."""
    today = timezone.localdate()
    if not data.get("day"):
        return DayForm(initial={"day": today}), today
    form = DayForm(data)
    if form.is_valid():
        return form, form.cleaned_data["day"]
    return form, today


class MonthField(forms.Field):
    """A month as `<input type="month">` sends it (2026-11), read as its first day."""

    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": _("Choose the month with the calendar.")}

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        try:
            return datetime.datetime.strptime(str(value).strip(), "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value:
            _check_year(value)


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"))


def chosen_month(data, default: datetime.date) -> tuple[MonthForm, datetime.date]:
    """The form bound to `data` and the first day of the month it names (else `default`'s)."""
    first = default.replace(day=1)
    if not data.get("month"):
        return MonthForm(initial={"month": first}), first
    form = MonthForm(data)
    if form.is_valid():
        return form, form.cleaned_data["month"]
    return form, first
