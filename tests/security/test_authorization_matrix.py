"""The authorization matrix: every named URL × every role (and anonymous) × objects in every
relation to the user, against what the URL declares (its urls.py's ACCESS; accounts/urlaccess.py).

Allowed combinations answer 2xx/3xx (never a redirect to the sign-in page), a role not declared
403, an object out of the declared reach 404 (the same as a missing one) or 403 where the object
is seen through a lesser reach, anonymous users go to the sign-in page, and nothing answers 500;
no refusal shows a client's surname.
URLs are asked with GET, POST-only ones (GET answers 405) with an empty POST (the test client
does not enforce CSRF), and pages whose POST needs more than their GET (`post=`) with both.
Each request runs in a savepoint rolled back afterwards, so a POST that is let through changes
nothing the next request sees; the world (tests/security/world.py) is built once for the
module, in a transaction rolled back at its end.
"""

import datetime
import fnmatch
import time
import zoneinfo
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from accounts.urlaccess import REFUSED_WITH, SEEN_THROUGH, Access
from tests.security.world import Thing, build_world

HOW_TO_DECLARE = (
    "Declare who may reach it in the ACCESS dict of its urls.py, e.g. "
    '"client-detail": allow(Role.SOCIAL_WORKER, reach=Reach.FILE) '
    "(accounts/urlaccess.py; docs/architecture.md, 'The authorization matrix')."
)
# The world is built in the module's own transaction; each test runs in a savepoint within it.
pytestmark = pytest.mark.django_db
ANONYMOUS = None
ROLES = [*Role.values, ANONYMOUS]
MOMENT = datetime.datetime(2026, 1, 15, 11, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))


@dataclass(frozen=True)
class Url:
    name: str  # qualified: "cases:client-detail"
    kwargs: frozenset[str]  # the names the pattern captures ("*" for unnamed groups)
    access: Access | None


def _captures(patterns) -> frozenset[str]:
    names: set[str] = set()
    for pattern in patterns:
        regex = pattern.pattern.regex
        names |= set(regex.groupindex)
        if regex.groups > len(regex.groupindex):
            names.add("*")
    return frozenset(names)


def _declaration(name: str, namespaces: list[str], levels: list) -> Access | None:
    """The innermost urls.py with an ACCESS decides: by the URL's name relative to its own
    namespace ("client-detail"), or, for an included URLconf without one (the admin), by
    "namespace:name" or a pattern ("admin:axes_*", the most specific first)."""
    for module, depth in reversed(levels):
        declared = getattr(module, "ACCESS", None)
        if declared is None:
            continue
        key = ":".join([*namespaces[depth:], name])
        if key in declared:
            return declared[key]
        for pattern in sorted(declared, key=len, reverse=True):
            if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
                return declared[pattern]
        return None
    return None


def _walk(resolver, namespaces, levels, patterns):
    """Named URL patterns, with the namespaces and the URLconf modules that include them."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = [*namespaces, entry.namespace] if entry.namespace else namespaces
            # (the included module, how many namespaces deep its names are)
            level = (entry.urlconf_module, len(inner))
            yield from _walk(entry, inner, [*levels, level], [*patterns, entry])
        elif isinstance(entry, URLPattern) and entry.name:
            yield Url(
                name=":".join([*namespaces, entry.name]),
                kwargs=_captures([*patterns, entry]),
                access=_declaration(entry.name, namespaces, levels),
            )


def all_urls() -> list[Url]:
    root = get_resolver()
    found = {}
    for url in _walk(root, [], [(root.urlconf_module, 0)], []):
        found.setdefault(url.name, url)
    return list(found.values())


URLS = all_urls()
DECLARED = [url for url in URLS if url.access is not None]


def test_every_named_url_declares_who_may_reach_it():
    missing = sorted(url.name for url in URLS if url.access is None)
    assert not missing, f"URLs without a declaration: {missing}. {HOW_TO_DECLARE}"


def _declaring_modules():
    """(module, namespace prefix) of every urls.py in the URL configuration with an ACCESS."""
    root = get_resolver()
    found = [(root.urlconf_module, "")]

    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                module = entry.urlconf_module
                if hasattr(module, "ACCESS"):
                    found.append((module, inner))
                walk(entry, inner)

    walk(root, "")
    return found


def test_every_declaration_names_a_url():
    """A declaration left behind by a renamed or removed URL is a mistake too."""
    names = {url.name for url in URLS}
    stale = [
        prefix + key
        for module, prefix in _declaring_modules()
        for key in module.ACCESS
        # A pattern must match some URL; a name must be one.
        if not fnmatch.filter(names, prefix + key)
    ]
    assert not stale, f"declarations of URLs that do not exist: {stale}"


# --- the matrix ------------------------------------------------------------------------------

ALLOWED, LOGIN, ADMIN_LOGIN, FORBIDDEN, NOT_FOUND = "allowed", "login", "admin login", 403, 404


def expected(access: Access, role, relations: frozenset, *, post: bool = False) -> str | int:
    """What the declaration promises `role`'s persona for an object in `relations` to them
    (for a POST to a page that also answers GET, if `post`)."""
    if access.public:
        return ALLOWED
    rule = access.rule_for(role)
    if rule is None:
        # The admin refuses staff (administrators are the only staff accounts) with 403, and
        # sends everyone else to its own sign-in page.
        if access.admin:
            return FORBIDDEN if role == Role.ADMINISTRATOR else ADMIN_LOGIN
        return LOGIN if role is ANONYMOUS else FORBIDDEN
    reach = rule.post if post and rule.post is not None else rule.reach
    if reach is None or reach in relations:
        return ALLOWED
    if SEEN_THROUGH.get(reach) in relations:
        return FORBIDDEN
    return REFUSED_WITH.get(reach, NOT_FOUND)


def test_the_expectations_follow_the_declaration():
    from accounts.urlaccess import Reach, admin_site, allow, public

    reads = allow(Role.SOCIAL_WORKER, reach=Reach.FILE, post=Reach.FILE_CHANGE)
    holder, glass, nobody = {Reach.FILE, Reach.FILE_CHANGE}, {Reach.FILE}, set()
    assert expected(reads, Role.SOCIAL_WORKER, holder) == ALLOWED
    assert expected(reads, Role.SOCIAL_WORKER, glass) == ALLOWED
    assert expected(reads, Role.SOCIAL_WORKER, glass, post=True) == FORBIDDEN
    assert expected(reads, Role.SOCIAL_WORKER, nobody) == NOT_FOUND
    assert expected(reads, Role.SOCIAL_WORKER, nobody, post=True) == NOT_FOUND
    assert expected(reads, Role.MANAGER, holder) == FORBIDDEN
    assert expected(reads, ANONYMOUS, nobody) == LOGIN
    assert expected(public(), ANONYMOUS, nobody) == ALLOWED
    assert expected(admin_site(), Role.ADMINISTRATOR, nobody) == FORBIDDEN
    assert expected(admin_site(), Role.MANAGER, nobody) == ADMIN_LOGIN
    either = allow(Role.MANAGER, reach=Reach.ORGANISATION) | allow(Role.ADMINISTRATOR)
    assert expected(either, Role.MANAGER, nobody) == NOT_FOUND
    assert expected(either, Role.ADMINISTRATOR, nobody) == ALLOWED


def _names_in(response, names) -> list[str]:
    """Which of the clients' surnames a response shows (a refusal must show none)."""
    if getattr(response, "streaming", False):
        return []
    body = response.content.decode(errors="ignore")
    return [name for name in names if name in body]


def _answer(response, public: bool) -> str | int:
    """The response as one of the expectations (or its status code)."""
    code = response.status_code
    location = response.get("Location", "")
    if code in (301, 302, 303):
        if location.startswith(reverse("admin:login")) and not public:
            return ADMIN_LOGIN
        if location.startswith(resolve_url(settings.LOGIN_URL)) and not public:
            return LOGIN
    # 400: the request passed the gate and its (empty) form was refused as bad input; a role
    # the gate refuses never gets this far, so a 400 where 403/404 is declared is still a leak.
    if 200 <= code <= 400:
        return ALLOWED
    return code


class Matrix:
    """The world, a signed-in test client per persona, and the count of requests made."""

    def __init__(self, world):
        self.world = world
        self.clients = {}
        self.cookies = {}
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role is not ANONYMOUS:
                client.force_login(world.personas[role])
            self.clients[role] = client
            self.cookies[role] = SimpleCookie(client.cookies.output(header="", sep=";"))
        self.requests = 0

    def ask(self, role, method: str, path: str):
        """One request, undone afterwards: its writes, and its cookies (a logout, a language)."""
        client = self.clients[role]
        with transaction.atomic():
            response = getattr(client, method)(path)
            transaction.set_rollback(True)
        client.cookies = SimpleCookie()
        client.cookies.load(self.cookies[role])
        self.requests += 1
        return response


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction that is rolled back after."""
    started = time.monotonic()
    with (
        django_db_blocker.unblock(),
        time_machine.travel(MOMENT, tick=False),
        transaction.atomic(),
    ):
        found = Matrix(build_world())
        yield found
        transaction.set_rollback(True)
    print(
        f"\nauthorization matrix: {len(DECLARED)} URLs, {found.requests} requests, "
        f"{time.monotonic() - started:.1f} s"
    )


NO_OBJECT = Thing(name="(no object)", owns=frozenset(), kwargs={})


def _path(url: Url, thing: Thing, user) -> str:
    kwargs = thing.kwargs_for(user)
    if "*" in url.kwargs:
        return reverse(url.name, args=kwargs["*"])
    return reverse(url.name, kwargs={name: kwargs[name] for name in url.kwargs})


# django-simple-history's admin history page calls select_related() without arguments, which
# Django 6.1 deprecates: a warning in production, an error under this suite's warning filters.
@pytest.mark.filterwarnings("ignore:Calling select_related.. with no arguments")
@pytest.mark.parametrize("url", DECLARED, ids=[url.name for url in DECLARED])
def test_the_url_answers_each_role_and_object_as_declared(matrix, url):
    world = matrix.world
    things = world.things_for(url.kwargs) if url.kwargs else [NO_OBJECT]
    assert things, (
        f"{url.name}: no object of tests/security/world.py fills {sorted(url.kwargs)}: "
        "add a Thing that owns them, with each persona's relations to it."
    )
    combos = []
    for role in ROLES:
        user = world.personas.get(role)
        for thing in things:
            want = expected(url.access, role, thing.relations(role))
            combos.append((role, thing, _path(url, thing, user), want))
    # POST-only URLs (GET answers 405) are asked with an empty POST.
    probe_role, _thing, probe_path, _want = next(
        (combo for combo in combos if combo[3] == ALLOWED), combos[0]
    )
    method = "get"
    if matrix.ask(probe_role, "get", probe_path).status_code == 405:
        method = "post"
    problems = []
    for role, thing, path, want in combos:
        response = matrix.ask(role, method, path)
        # POST-only for this user though not for the probe's (the admin's sign-out).
        if response.status_code == 405 and method == "get":
            method = "post"
            response = matrix.ask(role, method, path)
        got = _answer(response, url.access.public)
        if got != want:
            problems.append(
                f"  {role or 'anonymous'} × {thing.name}: {method.upper()} {path} "
                f"answered {response.status_code} ({got}), declared {want}"
            )
        elif want != ALLOWED and (shown := _names_in(response, world.names)):
            problems.append(f"  {role or 'anonymous'} × {thing.name}: refused, showing {shown}")
    # A page that shows on GET and writes on POST, where the POST needs more: asked again.
    if method == "get" and any(rule.post for rule in url.access.rules):
        for role, thing, path, _want in combos:
            want = expected(url.access, role, thing.relations(role), post=True)
            response = matrix.ask(role, "post", path)
            got = _answer(response, url.access.public)
            if got != want:
                problems.append(
                    f"  {role or 'anonymous'} × {thing.name}: POST {path} "
                    f"answered {response.status_code} ({got}), declared {want}"
                )
            elif want != ALLOWED and (shown := _names_in(response, world.names)):
                problems.append(f"  {role or 'anonymous'} × {thing.name}: POST refused, {shown}")
    assert not problems, f"{url.name} does not answer as declared:\n" + "\n".join(problems)


def test_the_names_a_refusal_must_not_show_are_shown_where_allowed(matrix):
    """The surname check is not vacuous: the holder's own page shows the client's surname."""
    own = next(thing for thing in matrix.world.things if thing.name == "own client")
    path = reverse("cases:client-detail", kwargs={"client_id": own.kwargs["client_id"]})
    response = matrix.ask(Role.SOCIAL_WORKER, "get", path)
    assert response.status_code == 200
    assert _names_in(response, matrix.world.names) == ["Kalinowski"]
