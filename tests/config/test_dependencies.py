"""Dependencies between our apps point one way (docs/architecture.md, "Dependencies").

Every import in every module of our apps, at module level or inside a function (parsed with
`ast`, nothing is run), is an edge from the importing app to the imported one. The layers, from
the top:

    reports
    activation, cases, shelters     the domain apps
    privacy                         the vault, consent, erasure
    accounts                        users, roles, teams, positions, navigation
    audit                           the access log: every layer above writes to it
    config's library modules        env, pdf, logging, middleware, uploads

An app imports only apps of lower layers, and apps of one layer must not import each other in a
circle (shelters imports cases, so cases never imports shelters). What a lower app needs from a
higher one comes through a registry the higher app fills in its AppConfig.ready() (navigation,
accounts.positions, the case timeline and caseload filters) or a signal (privacy's
subject_erased). config's project modules (settings, urls, views, wsgi, asgi) sit above every
app. A new app fails here until it is given a layer.
"""

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Top to bottom; apps listed here need not exist yet (activation, reports arrive later).
LAYERS: list[set[str]] = [
    {"reports"},
    {"activation", "cases", "shelters"},
    {"privacy"},
    {"accounts"},
    {"audit"},
]
# config is the project: these modules wire the apps together and may import any of them...
CONFIG_PROJECT_MODULES = {"settings", "urls", "views", "wsgi", "asgi", "demo_keys", "health"}
# ...while the rest of config (env, pdf, logging, middleware, uploads) is a library under them.


def layer_of(app: str) -> int:
    for depth, apps in enumerate(LAYERS):
        if app in apps:
            return depth
    raise LookupError(app)


def our_apps(root: Path) -> list[str]:
    """Top-level packages with an apps.py: the apps this repository defines."""
    return sorted(path.parent.name for path in root.glob("*/apps.py"))


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every absolute import in the file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            # `from cases import selectors` imports cases.selectors: the app is what counts.
    return found


def import_edges(root: Path, apps: list[str]) -> dict[tuple[str, str], list[str]]:
    """{(importing app, imported app): ["path:line module", ...]} between different apps.

    config's library modules count as the app "config"; its project modules are left out.
    """
    edges: dict[tuple[str, str], list[str]] = {}
    packages = [*apps, "config"]
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if package == "config" and path.stem in CONFIG_PROJECT_MODULES:
                continue
            for module, line in imports_of(path):
                target = module.split(".")[0]
                if target in packages and target != package:
                    where = f"{path.relative_to(root)}:{line} {module}"
                    edges.setdefault((package, target), []).append(where)
    return edges


def violations(edges: dict[tuple[str, str], list[str]]) -> list[str]:
    """Edges that point up or sideways into a circle, each with where it was found."""
    problems = []
    for (source, target), where in sorted(edges.items()):
        # config's library modules are the floor: they import no app.
        if source == "config":
            problems.append(f"config's library imports the app {target}: {where}")
            continue
        if target == "config":
            continue
        if layer_of(target) < layer_of(source):
            problems.append(f"{source} imports {target}, a higher layer: {where}")
    problems.extend(f"a circle: {' -> '.join(cycle)}" for cycle in cycles(edges))
    return problems


def cycles(edges) -> list[list[str]]:
    """Every circle of imports between apps, each named once (from its smallest app)."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    found = set()

    def walk(path: list[str]) -> None:
        for following in sorted(graph.get(path[-1], ())):
            if following == path[0]:
                found.add(tuple(path))
            elif following not in path and following > path[0]:
                walk([*path, following])

    for start in sorted(graph):
        walk([start])
    return [[*cycle, cycle[0]] for cycle in sorted(found)]


def test_every_app_has_a_layer():
    unplaced = [app for app in our_apps(ROOT) if not any(app in layer for layer in LAYERS)]
    assert unplaced == [], "give each new app a layer in LAYERS and in docs/architecture.md"


def test_imports_between_apps_point_down_and_never_in_a_circle():
    edges = import_edges(ROOT, our_apps(ROOT))
    # The graph is not empty: the parser sees the imports (the domain apps write the log).
    assert ("cases", "audit") in edges
    assert violations(edges) == []


def test_the_known_directions_hold():
    edges = import_edges(ROOT, our_apps(ROOT))
    for lower, higher in [
        ("accounts", "cases"),
        ("accounts", "shelters"),
        ("accounts", "privacy"),
        ("audit", "accounts"),
        ("audit", "privacy"),
        ("privacy", "cases"),
        ("cases", "shelters"),
    ]:
        assert (lower, higher) not in edges, edges.get((lower, higher))


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_checker_finds_an_import_hidden_in_a_function(tmp_path):
    # accounts -> cases inside a function, the way accounts/services.py once did it.
    for app in ("accounts", "cases"):
        write(tmp_path, f"{app}/apps.py", "")
    write(tmp_path, "config/env.py", "import os\n")
    write(tmp_path, "cases/models.py", "from accounts.models import User\n")
    write(
        tmp_path,
        "accounts/services.py",
        """
        def held(user):
            from cases.selectors import files_held_by

            return files_held_by(user)
        """,
    )
    edges = import_edges(tmp_path, our_apps(tmp_path))
    assert edges[("accounts", "cases")] == ["accounts/services.py:3 cases.selectors"]
    assert violations(edges) == [
        "accounts imports cases, a higher layer: ['accounts/services.py:3 cases.selectors']",
        "a circle: accounts -> cases -> accounts",
    ]


def test_the_checker_finds_a_circle_within_one_layer_and_a_config_library_importing_an_app(
    tmp_path,
):
    for app in ("cases", "shelters"):
        write(tmp_path, f"{app}/apps.py", "")
    write(tmp_path, "cases/views.py", "import shelters.models\n")
    write(tmp_path, "shelters/models.py", "from cases import models\n")
    write(tmp_path, "config/uploads.py", "from cases.models import Document\n")
    # The project's own modules may import any app.
    write(tmp_path, "config/urls.py", "import shelters.urls\n")
    problems = violations(import_edges(tmp_path, our_apps(tmp_path)))
    assert problems == [
        "config's library imports the app cases: ['config/uploads.py:1 cases.models']",
        "a circle: cases -> shelters -> cases",
    ]


def test_an_app_without_a_layer_is_refused():
    with pytest.raises(LookupError):
        layer_of("fundraising")
