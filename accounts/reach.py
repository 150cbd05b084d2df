"""The rule book: every way a member of staff reaches a person, and what each way shows.

A *way* is one reason a user may see a person's data: holding the file, being in the team that
holds it, an emergency (break-glass) access, a referral the person consented to, working in a
facility that knows them, and later the activation app's job coach and cooperative. Each way is
registered here by the app that owns it (in its AppConfig.ready, as navigation and the timeline
are), with the roles it serves, the *parts* of a person's data it shows and those it may
change, and a query of the people it reaches. accounts imports no domain app: the apps bring
their ways.

Every question about reaching a person is answered here, for views and services alike:
- `reach_of(user, person_id)`: by which ways, and so which parts to read and to change
  (`load(rows, user, person_id)`: the same, with the person's row, in the same query);
- `may_read(user, person_id, part)` / `may_change(...)`: the same, as a yes or no;
- `person_ids(user, part, write=False)`: the ids of everyone the user reaches for a part, as a
  sub-query (one SQL statement, evaluated by the caller's query).
A way that does not serve the user's role, or an inactive or anonymous user, reaches nobody.
Persons are identified by their data subject's UUID (a client's primary key).
"""

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Exists, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class Part(models.TextChoices):
    """The parts of a person's data a way may show or change."""

    # Who the person is: names, year and date of birth, sex. Every way shows at least this.
    IDENTITY = "identity", _("Identity")
    # The case file: intake facts, notes, assessments, plans, consents, referrals, documents.
    FILE = "file", _("Case file")
    # Special categories inside the file: sensitive notes, health, disability, addiction and
    # pregnancy, medical and other special-category documents, the household's members' names
    # (children), the do-not-disclose list, the health domains of assessments.
    SENSITIVE = "sensitive", _("Sensitive data")
    # Shelter stays, holds, the waitlist and bans.
    STAY = "stay", _("Stays")
    # What a referral carries to a partner (its service and summary) and the partner's decision.
    REFERRAL = "referral", _("Referral")
    # Programmes, enrolment, attendance, placements (the activation app).
    ACTIVATION = "activation", _("Activation")


# reach(user, *, person_id) -> one query (or a few) of a single column of person ids.
Reacher = Callable[..., QuerySet | Sequence[QuerySet]]


@dataclass(frozen=True)
class Way:
    """One way a role reaches a person.

    `reach(user, *, person_id)` returns a query (or a tuple of queries) of one column: the ids
    of the persons reached, narrowed to `person_id` when it is given (so a check reads an index
    entry, not the whole set). It must not run a query itself: the rule book nests it into its
    own. `change_reach`, with the same signature, finds those whose `writes` the user may
    change when they are fewer (a view-only grant); without it, everyone reached. `veto`, with
    the same signature, finds persons this way must never reach even when `reach` finds them
    (break-glass: a person hiding from someone the user reaches); the rule book applies it,
    and asks it of one person only once the way has reached them (it is dearer to build).
    """

    code: str
    label: str
    roles: frozenset[str]
    reads: frozenset[str]
    reach: Reacher
    writes: frozenset[str] = field(default_factory=frozenset)
    change_reach: Reacher | None = None
    veto: Reacher | None = None
    # The access-log action a read through this way is written as (break-glass is its own).
    logged_as: str = "view"

    def __post_init__(self):
        unknown = (self.reads | self.writes) - set(Part.values)
        if unknown:
            raise ImproperlyConfigured(f"way {self.code}: unknown parts {sorted(unknown)}")
        # Whoever reaches a person knows who they are: identity is the smallest reach.
        if Part.IDENTITY not in self.reads:
            raise ImproperlyConfigured(f"way {self.code}: every way reads identity")
        # Changing a part one may not read would be writing blind.
        if not self.writes <= self.reads:
            raise ImproperlyConfigured(f"way {self.code}: it writes parts it does not read")
        if not self.roles:
            raise ImproperlyConfigured(f"way {self.code}: serves no role")


_WAYS: dict[str, Way] = {}


def register(way: Way) -> Way:
    """Add `way` to the rule book (from the owning app's AppConfig.ready); codes are unique."""
    known = _WAYS.get(way.code)
    if known is not None and known != way:
        raise ImproperlyConfigured(f"a way named {way.code!r} is already registered")
    _WAYS[way.code] = way
    return way


def registered() -> tuple[Way, ...]:
    """Every registered way, in the order of registration."""
    return tuple(_WAYS.values())


def ways_for(user) -> tuple[Way, ...]:
    """The ways that serve one of `user`'s roles; none for an inactive or anonymous user."""
    # Inactive or anonymous users reach nobody, whatever they hold.
    if not user.is_authenticated or not user.is_active:
        return ()
    roles = user.roles
    return tuple(way for way in _WAYS.values() if way.roles & roles)


@dataclass(frozen=True)
class Reach:
    """How one user reaches one person: the ways, and the parts they may read and change."""

    ways: frozenset[str] = frozenset()
    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.ways)

    def may_read(self, part: str) -> bool:
        return part in self.reads

    def may_change(self, part: str) -> bool:
        return part in self.writes

    def logged_as(self, part: str) -> str:
        """The access-log action of reading `part`: "view", unless every way that shows it is
        logged otherwise (break-glass reads are "break_glass" rows)."""
        actions = {
            _WAYS[code].logged_as
            for code in self.ways
            if code in _WAYS and part in _WAYS[code].reads
        }
        if not actions or "view" in actions:
            return "view"
        return min(actions)

    def logged_way(self, part: str) -> str:
        """The way recorded on the access-log row of reading `part`: the first registered of
        the ways that show it (the holder before the team, either before break-glass)."""
        for code in _WAYS:
            if code in self.ways and part in _WAYS[code].reads:
                return code
        return ""


NOWHERE = Reach()


def _call(reacher: Reacher, user, person_id) -> list[QuerySet]:
    found = reacher(user, person_id=person_id)
    return [found] if isinstance(found, QuerySet) else list(found)


def _queries(way: Way, user, *, write: bool, person_id) -> list[QuerySet]:
    """The way's queries of the persons it shows (or, with `write`, whose writes it allows)."""
    reacher = way.change_reach if write and way.change_reach is not None else way.reach
    return _call(reacher, user, person_id)


def _ways_asked(user, part: str | None) -> tuple[Way, ...]:
    return tuple(way for way in ways_for(user) if part is None or part in way.reads)


def _checks(ways, user, person_id) -> dict:
    """One EXISTS per way narrowed to the person (and one more for a narrower change_reach)."""
    checks = {}
    for number, way in enumerate(ways):
        checks[f"reach_r{number}"] = _any(_queries(way, user, write=False, person_id=person_id))
        if way.writes and way.change_reach is not None:
            checks[f"reach_w{number}"] = _any(_queries(way, user, write=True, person_id=person_id))
    return checks


def _answer(ways, user, person_id, found: dict) -> Reach:
    """The Reach from the checks' values; a vetoed way is asked its veto (a second query)."""
    reached = [(n, way) for n, way in enumerate(ways) if found.get(f"reach_r{n}")]
    # A veto is asked only of a way that reached the person (usually none has one): a second
    # query then, and none otherwise.
    vetoed = [way for _n, way in reached if way.veto is not None]
    if vetoed:
        vetoes = {f"v{n}": _any(_call(way.veto, user, person_id)) for n, way in enumerate(vetoed)}
        refusals = User.objects.filter(pk=user.pk).values(**vetoes).first() or {}
        refused = {way.code for n, way in enumerate(vetoed) if refusals.get(f"v{n}")}
        reached = [(n, way) for n, way in reached if way.code not in refused]
    # Without a narrower query of its own, a way changes what it reaches.
    writing = [way for n, way in reached if found.get(f"reach_w{n}", True)]
    return Reach(
        ways=frozenset(way.code for _n, way in reached),
        reads=frozenset(part for _n, way in reached for part in way.reads),
        writes=frozenset(part for way in writing for part in way.writes),
    )


def reach_of(user, person_id: uuid.UUID | str, part: str | None = None) -> Reach:
    """By which ways `user` reaches the person `person_id`, in one query.

    Each serving way becomes an EXISTS over its query narrowed to the person (and one more for
    a way with a narrower `change_reach`); the user's own row carries them, so the answer is
    one round trip whatever the number of ways. With `part`, only the ways that show that part
    are asked (a page about to show it needs no other; building fewer queries is cheaper), and
    the answer's parts are those ways' parts.
    """
    ways = _ways_asked(user, part)
    if not ways:
        return NOWHERE
    found = User.objects.filter(pk=user.pk).values(**_checks(ways, user, person_id)).first()
    return _answer(ways, user, person_id, found or {})


def load(rows: QuerySet, user, person_id, part: str | None = None):
    """The person's row from `rows` (a query of the app's model keyed by the person's id) and
    how `user` reaches them, in one query: `(row or None, Reach)`.

    The row comes back whether or not the user reaches the person (so a refusal knows the
    person exists without asking again); show nothing of it unless the Reach allows.
    """
    ways = _ways_asked(user, part)
    if not ways:
        return rows.filter(pk=person_id).first(), NOWHERE
    checks = _checks(ways, user, person_id)
    row = rows.filter(pk=person_id).annotate(**checks).first()
    if row is None:
        return None, NOWHERE
    return row, _answer(ways, user, person_id, {name: getattr(row, name) for name in checks})


def _any(queries: Iterable[QuerySet]):
    """An expression true when any of the queries finds a row."""
    expression = None
    for query in queries:
        found = Exists(query)
        expression = found if expression is None else expression | found
    return expression


def may_read(user, person_id, part: str) -> bool:
    """Whether `user` may read `part` of the person's data (one query)."""
    return reach_of(user, person_id, part).may_read(part)


def may_change(user, person_id, part: str) -> bool:
    """Whether `user` may change `part` of the person's data (one query)."""
    return reach_of(user, person_id, part).may_change(part)


def person_ids(
    user,
    part: str,
    *,
    write: bool = False,
    ways: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
) -> QuerySet:
    """The ids of the persons whose `part` `user` may read (or change), as one sub-query.

    The union of the serving ways' queries, each on its own indexed columns: use it as
    `pk__in=` (an IN over a UNION, which PostgreSQL plans as a semi-join by key; an OR of
    sub-selects made it scan the whole client table, docs/benchmarks.md). `ways` keeps only
    those ways (e.g. the caseload's), `exclude` leaves some out. Nothing reached: an empty query.
    """
    wanted = set(ways) if ways is not None else None
    left_out = set(exclude)
    queries: list[QuerySet] = []
    for way in ways_for(user):
        # Only the ways asked for, that show (or change) this part.
        if wanted is not None and way.code not in wanted:
            continue
        if way.code in left_out:
            continue
        if part not in (way.writes if write else way.reads):
            continue
        found = _queries(way, user, write=write, person_id=None)
        # The persons the way must not reach are taken out of its own queries (EXCEPT).
        if way.veto is not None:
            vetoes = _call(way.veto, user, None)
            found = [query.difference(*vetoes) for query in found]
        queries += found
    if not queries:
        # An empty sub-query: `pk__in=` it matches nothing, without a query of its own.
        return User.objects.none().values("pk")
    first, *rest = queries
    return first.union(*rest) if rest else first
