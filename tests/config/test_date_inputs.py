"""Every date input carries an ISO value, whatever the language (issue 10, item 7).

A browser's `<input type="date">` drops a value it cannot parse ("30.11.2026"), so a form that
pre-fills a date in the Polish format can never be saved as it comes. This walks every form class
of the project, renders each date field with an initial date in Polish and in English, and checks
the input is a date input with an ISO value.
"""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

from config.widgets import DateInput, DateTimeInput

ROOT = Path(__file__).resolve().parents[2]
DAY = datetime.date(2026, 11, 30)
MOMENT = datetime.datetime(2026, 11, 30, 21, 15)


def our_modules() -> list[str]:
    """Every module of the apps of this repository (forms may live outside forms.py too), but
    their migrations and management commands."""
    names = []
    for apps_py in sorted(ROOT.glob("*/apps.py")):
        app = apps_py.parent
        for path in sorted(app.rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "management" in parts:
                continue
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def our_form_classes() -> list[type[forms.BaseForm]]:
    modules = set(our_modules())
    for name in sorted(modules):
        importlib.import_module(name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__ in modules:
                found.add(sub)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def date_fields(form_class) -> list[tuple[str, forms.Field]]:
    return [
        (name, field)
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
    ]


def test_the_walk_finds_the_forms_with_dates():
    names = {cls.__name__ for cls in our_form_classes() if date_fields(cls)}
    # The form of the bug, an encrypted model date, a plain model date, a shelters form.
    assert {"AssessmentForm", "ClientForm", "NoteForm", "StepForm"} <= names
    assert len(names) >= 10


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize(
    "form_class", [c for c in our_form_classes() if date_fields(c)], ids=lambda c: c.__name__
)
def test_every_date_input_of_every_form_renders_an_iso_value(form_class, language):
    with translation.override(language):
        for name, field in date_fields(form_class):
            if isinstance(field, forms.DateTimeField):
                assert isinstance(field.widget, DateTimeInput), f"{form_class.__name__}.{name}"
                html = field.widget.render(name, MOMENT)
                assert 'type="datetime-local"' in html
                assert 'value="2026-11-30T21:15"' in html, html
                continue
            assert isinstance(field.widget, DateInput), (
                f"{form_class.__name__}.{name}: use config.widgets.DateInput"
            )
            html = field.widget.render(name, DAY)
            assert 'type="date"' in html, html
            assert re.findall(r'value="([^"]*)"', html) == ["2026-11-30"], html


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_shared_widget_renders_iso_where_djangos_own_would_not(language):
    with translation.override(language):
        assert 'value="2026-11-30"' in DateInput().render("day", DAY)
    with translation.override("pl"):
        # The trap the shared widget avoids: the language's own format.
        assert 'value="30.11.2026"' in forms.DateInput(attrs={"type": "date"}).render("d", DAY)
