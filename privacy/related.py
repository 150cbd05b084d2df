"""Who else an erasure concerns, and how the DPO finds a person: registries apps fill in.

privacy imports no domain app. An app that knows how subjects belong together registers a
provider in its AppConfig.ready() (cases registers the household: a head's members); an app that
can find a person for the DPO registers a finder (cases: by PESEL or by name). A new app whose
rows only point at a subject needs neither: erasure destroys the subject's key, and every
encrypted field and file of that subject, in any app, becomes unreadable with it.

What the DPO sees of a related person is their relationship to the subject and an age band,
never a name: the DPO reads no case contents, and a relationship with an age band is enough to
match a request ("erase me and my children"). Each related person shown is an access-log row.
"""

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from privacy.models import Subject


class AgeBand(models.TextChoices):
    UNDER_6 = "under_6", _("under 6")
    FROM_6_TO_12 = "6_12", _("6 to 12")
    FROM_13_TO_17 = "13_17", _("13 to 17")
    ADULT = "adult", _("18 or over")
    UNKNOWN = "unknown", _("age not known")


MINOR_BANDS = frozenset({AgeBand.UNDER_6, AgeBand.FROM_6_TO_12, AgeBand.FROM_13_TO_17})


def _band_of_age(age: int) -> AgeBand:
    if age < 6:
        return AgeBand.UNDER_6
    if age < 13:
        return AgeBand.FROM_6_TO_12
    if age < 18:
        return AgeBand.FROM_13_TO_17
    return AgeBand.ADULT


def age_band(
    *, birth_date: datetime.date | None, birth_year: int | None, on: datetime.date
) -> AgeBand:
    """The age band on a day, from a birth date or, failing that, a year of birth.

    With the year alone a person is one of two ages; when those fall in different bands the band
    is "not known" (17 or 18 decides whether someone is a minor, so the DPO chooses).
    """
    if isinstance(birth_date, datetime.date):
        before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
        return _band_of_age(on.year - birth_date.year - before_birthday)
    if birth_year is None or birth_year > on.year:
        return AgeBand.UNKNOWN
    oldest, youngest = on.year - birth_year, on.year - birth_year - 1
    band = _band_of_age(oldest)
    if _band_of_age(max(youngest, 0)) != band:
        return AgeBand.UNKNOWN
    return band


@dataclass(frozen=True)
class RelatedSubject:
    """A person whose data may go with the subject's erasure: the DPO decides for each one."""

    subject_id: uuid.UUID
    relationship: str
    age_band: AgeBand

    @property
    def is_minor(self) -> bool | None:
        if self.age_band == AgeBand.UNKNOWN:
            return None
        return self.age_band in MINOR_BANDS

    @property
    def erase_by_default(self) -> bool | None:
        """Minors go with the parent, adults stay; unknown age: no default, the DPO chooses."""
        return self.is_minor


@dataclass(frozen=True)
class Notice:
    """A sentence for the DPO about the subject (who holds the file, records that stay)."""

    text: str


def short_id(subject_id: uuid.UUID | str) -> str:
    """The first four hex characters of a subject id ("a3f9"): random, so it tells nothing."""
    return str(subject_id).replace("-", "")[:4]


@dataclass(frozen=True)
class Found:
    """A person the DPO's search found: when they were registered, and who holds them.

    `name` and `birth_year` are what the DPO's own pages show to tell people apart (the
    erasure page shows neither).
    """

    subject_id: uuid.UUID
    registered_on: datetime.date | None
    held_by: str
    name: str = ""
    birth_year: int | None = None
    # A year given as an estimate (a walk-in at a facility's door): shown as "ok. 1971".
    birth_year_estimated: bool = False

    @property
    def short_id(self) -> str:
        return short_id(self.subject_id)

    @property
    def birth_year_shown(self) -> str:
        """ "1971", "ok. 1971" for an estimate, "" when not known."""
        if not self.birth_year:
            return ""
        if self.birth_year_estimated:
            return str(_("about %(year)s") % {"year": self.birth_year})
        return str(self.birth_year)


Provider = Callable[[Subject], Iterable[RelatedSubject | Notice]]
Finder = Callable[..., list[Found]]
Describer = Callable[[list[uuid.UUID]], dict[uuid.UUID, Found]]

_providers: list[Provider] = []
_finders: list[Finder] = []
_describers: list[Describer] = []


def register(provider: Provider) -> Provider:
    """Add a provider of related subjects and notices (idempotent; usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def register_finder(finder: Finder) -> Finder:
    """Add a finder: `finder(pesel=, surname=, first_name=, birth_date=)` returns Found."""
    if finder not in _finders:
        _finders.append(finder)
    return finder


def register_describer(describer: Describer) -> Describer:
    """Add a describer: `describer(subject_ids)` returns {id: Found} for the ids it knows.

    The DPO's person page and access log name people through it, in a fixed number of
    queries for any number of ids.
    """
    if describer not in _describers:
        _describers.append(describer)
    return describer


def has_finder() -> bool:
    return bool(_finders)


def _collect(subject: Subject) -> tuple[list[RelatedSubject], list[Notice]]:
    related: dict[uuid.UUID, RelatedSubject] = {}
    notices: list[Notice] = []
    for provider in _providers:
        for item in provider(subject):
            if isinstance(item, Notice):
                notices.append(item)
            elif item.subject_id != subject.pk and item.subject_id not in related:
                related[item.subject_id] = item
    # Already erased people have nothing left to decide on.
    erased = set(
        Subject.objects.filter(pk__in=list(related), erased_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    return [r for r in related.values() if r.subject_id not in erased], notices


def related_subjects(subject: Subject) -> list[RelatedSubject]:
    """The not yet erased subjects related to `subject`, as the registered providers say."""
    return _collect(subject)[0]


def related_and_notices(subject: Subject) -> tuple[list[RelatedSubject], list[Notice]]:
    """Related subjects and notices in one pass (the DPO's page shows both)."""
    return _collect(subject)


def find(
    *,
    pesel: str = "",
    surname: str = "",
    first_name: str = "",
    birth_date: datetime.date | None = None,
) -> list[Found]:
    """Everyone the registered finders find by these terms (never erased people)."""
    found: dict[uuid.UUID, Found] = {}
    for finder in _finders:
        for item in finder(
            pesel=pesel, surname=surname, first_name=first_name, birth_date=birth_date
        ):
            found.setdefault(item.subject_id, item)
    return list(found.values())


def describe(subject_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Found]:
    """{id: Found} for the not erased people the registered describers know among the ids."""
    ids = list(dict.fromkeys(subject_ids))
    described: dict[uuid.UUID, Found] = {}
    if not ids:
        return described
    for describer in _describers:
        for subject_id, item in describer(ids).items():
            described.setdefault(subject_id, item)
    return described
