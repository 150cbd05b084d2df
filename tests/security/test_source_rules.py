"""Rules of the rule book that the source itself must keep (read with `ast`, not grep).

- No `has_perm(` anywhere in app code: guardian's has_perm accepts model-wide permissions that
  the rule book refuses; reach is asked of accounts.reach through the access modules.
- No `Client.objects` in views or forms: pages load people through cases.access (404 alike for
  missing and out of reach, and the access-log row); forms through a selector.
- Every access-log purpose written as a literal is on the closed list (audit.purposes).
- Organisation scoping is a queryset method (`User.objects.of_organisation(org)`,
  `Team.objects...`, `Facility.objects...`, `Assignment.objects.held_in(org)`...), not a
  `.filter(organisation_id=...)` repeated in views, forms, access modules and selectors.
A new app is scanned as soon as it has an apps.py.
"""

import ast
from pathlib import Path

import pytest

from audit.purposes import Purpose

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = sorted(
    {path.parent for path in ROOT.glob("*/apps.py")} | {ROOT / "config"},
    key=lambda path: path.name,
)


def _app_sources() -> list[Path]:
    files = []
    for app in APP_DIRS:
        for path in sorted(app.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files.append(path)
    return files


def _is_view_or_form(path: Path) -> bool:
    relative = path.relative_to(ROOT).parts
    return any(part in ("views.py", "forms.py", "views", "forms") for part in relative[1:])


def has_perm_calls(source: str) -> list[int]:
    """Lines calling `has_perm(...)` or `something.has_perm(...)`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("has_perm", "has_perms"):
                found.append(node.lineno)
    return found


def client_table_reads(source: str) -> list[int]:
    """Lines reading `Client.objects` (or `Client._default_manager`)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr in ("objects", "_default_manager", "_base_manager")
        and isinstance(node.value, ast.Name)
        and node.value.id == "Client"
    ]


def _scopes_reads(path: Path) -> bool:
    relative = path.relative_to(ROOT).parts
    return _is_view_or_form(path) or relative[-1] in ("access.py", "selectors.py")


def organisation_filters(source: str) -> list[int]:
    """Lines filtering (or excluding) by an organisation: `organisation=`, `organisation_id=`,
    `worker__organisation_id=`... as a keyword of `.filter(`, `.exclude(` or `.get(`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("filter", "exclude", "get"):
            continue
        for keyword in node.keywords:
            last = (keyword.arg or "").split("__")
            if "organisation" in last or "organisation_id" in last:
                found.append(node.lineno)
                break
    return found


def literal_purposes(source: str) -> list[tuple[int, str]]:
    """(line, value) of every `purpose=` keyword given as a string literal or Purpose.NAME."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg != "purpose":
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append((node.lineno, value.value))
            elif (
                isinstance(value, ast.Attribute)
                and isinstance(value.value, ast.Name)
                and value.value.id == "Purpose"
            ):
                found.append((node.lineno, f"Purpose.{value.attr}"))
    return found


@pytest.mark.parametrize(
    "snippet, finder",
    [
        ("if request.user.has_perm('cases.view_client', client): pass", has_perm_calls),
        ("ok = has_perm(user, 'x')", has_perm_calls),
        ("rows = Client.objects.filter(pk=pk)", client_table_reads),
        ("rows = User.objects.filter(organisation_id=org)", organisation_filters),
        ("rows = rows.exclude(holder__organisation=org, pk=1)", organisation_filters),
    ],
)
def test_the_scanner_finds_what_it_looks_for(snippet, finder):
    assert finder(snippet) == [1]


def test_the_scanner_reads_every_app():
    names = {path.name for path in APP_DIRS}
    assert {"accounts", "audit", "cases", "privacy", "shelters", "config"} <= names


def test_no_app_code_calls_has_perm():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _app_sources()
        for line in has_perm_calls(path.read_text())
    ]
    assert offenders == [], "ask accounts.reach (through the access modules), not has_perm"


def test_no_view_or_form_reads_the_client_table():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _app_sources()
        if _is_view_or_form(path)
        for line in client_table_reads(path.read_text())
    ]
    assert offenders == [], "load clients through cases.access (or a selector in a form)"


def test_every_literal_access_log_purpose_is_on_the_closed_list():
    unknown = []
    for path in _app_sources():
        for line, value in literal_purposes(path.read_text()):
            if value.startswith("Purpose."):
                known = hasattr(Purpose, value.removeprefix("Purpose."))
            else:
                known = value in Purpose.values or value == ""
            if not known:
                unknown.append(f"{path.relative_to(ROOT)}:{line} {value!r}")
    assert unknown == [], "add the code to audit.purposes.Purpose (or use one of its codes)"


def test_organisation_scoping_is_a_queryset_method_in_views_forms_access_and_selectors():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _app_sources()
        if _scopes_reads(path)
        for line in organisation_filters(path.read_text())
    ]
    assert offenders == [], (
        "scope by organisation through the model's queryset method "
        "(e.g. User.objects.of_organisation(org), Facility.objects.of_organisation(org))"
    )
