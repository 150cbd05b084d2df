"""Widgets shared by every app's forms.

A browser's `<input type="date">` only understands an ISO value (2026-11-30): given the Polish
format (30.11.2026) it shows an empty field and the first save fails as "required". Django's
DateInput renders the active language's first input format, so every date input of ours is
this one, which always renders ISO; the date is still shown to the person in their own format
by the browser. tests/config/test_date_inputs.py renders every form in Polish and English.
"""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_MOMENT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """`<input type="date">` with an ISO value whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 (Django's own argument name)
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">` with an ISO value (2026-11-30T21:15) in any language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs=attrs, format=format or ISO_MOMENT)
