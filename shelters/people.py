"""How the shelters show a person: the short display name and the marks that tell namesakes apart.

A bed board shows "Ryszard D."; two people of that name are told apart by the year of birth (a
clear column, kept for statistics) and a short id: the first four hex characters of the person's
data-subject id (random, so it says nothing about the person; never the PESEL). The same marks
appear wherever a choice between people is made: the board, the check-in search, bans, the
waitlist, last night's guests, the household check-in.
"""

import uuid
from dataclasses import dataclass
from types import SimpleNamespace

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def short_id(subject_id: uuid.UUID | str) -> str:
    """The first four hex characters of a subject id: "a3f9"."""
    return str(subject_id).replace("-", "")[:4]


@dataclass(frozen=True)
class Person:
    """What a list of the shelters shows of a person (decrypted once, when built)."""

    id: uuid.UUID
    name: str
    birth_year: int | None
    sex: str
    # A walk-in's year given as an estimate at the door: shown as "ok. 1971".
    birth_year_estimated: bool = False

    @property
    def short_id(self) -> str:
        return short_id(self.id)

    @property
    def marks(self) -> str:
        """ "1971 · #a3f9" ("ok. 1971 · #a3f9" for an estimated year), or "#a3f9" when the year
        of birth is not known."""
        tag = f"#{self.short_id}"
        if not self.birth_year:
            return tag
        year = str(self.birth_year)
        if self.birth_year_estimated:
            year = _("about %(year)s") % {"year": year}
        return f"{year} · {tag}"

    def sexed(self, *, female: str, male: str, unknown: str) -> str:
        """The word that agrees with the person's known sex (Polish past participles)."""
        if self.sex == "female":
            return female
        if self.sex == "male":
            return male
        return unknown


def person(client, *, birth_year_estimated: bool = False) -> Person:
    """A client (cases.Client) as the shelters show them; reads the two encrypted name fields."""
    return Person(
        id=client.pk,
        name=client.display_name,
        birth_year=client.birth_year,
        sex=client.sex,
        birth_year_estimated=birth_year_estimated,
    )


def person_from_row(
    client_id, first_name: bytes, surname: bytes, birth_year, sex, birth_year_estimated=False
) -> tuple[Person, str]:
    """(Person, full name) from raw columns (`values_list`): the two names opened by the model's
    own fields and shown by its own properties (erased subjects included), without a Client."""
    from cases.models import Client

    row = SimpleNamespace(subject_id=client_id)
    row.first_name = Client._meta.get_field("first_name").open(row, bytes(first_name))
    row.surname = Client._meta.get_field("surname").open(row, bytes(surname))
    # The model's own properties, so an erased person reads as the same neutral marker.
    name, full_name = Client.display_name.fget(row), Client.full_name.fget(row)
    found = Person(
        id=client_id,
        name=name,
        birth_year=birth_year,
        sex=sex,
        birth_year_estimated=bool(birth_year_estimated),
    )
    return found, full_name


def checked_in_label(p: Person) -> str:
    """ "Przyjęta" / "Przyjęty" / "Przyjęto" (Polish past participles agree with the person)."""
    return p.sexed(
        female=pgettext("a woman", "Checked in"),
        male=pgettext("a man", "Checked in"),
        unknown=pgettext("a person of unknown sex", "Checked in"),
    )


def checked_out_label(p: Person) -> str:
    """ "Wypisana" / "Wypisany" / "Wypisano"."""
    return p.sexed(
        female=pgettext("a woman", "Checked out"),
        male=pgettext("a man", "Checked out"),
        unknown=pgettext("a person of unknown sex", "Checked out"),
    )


def admitted_message(bed) -> str:
    """ "Przyjęto na miejsce: Sala 2 / 2.1." – one neutral sentence for everyone: a flash
    message names the bed, never the person."""
    return _("Checked in to the bed: %(bed)s.") % {"bed": bed}


def last_seen_label(p: Person) -> str:
    """ "Ostatnio widziana" / "Ostatnio widziany" / "Ostatnio widziano"."""
    return p.sexed(
        female=pgettext("a woman", "Last seen on"),
        male=pgettext("a man", "Last seen on"),
        unknown=pgettext("a person of unknown sex", "Last seen on"),
    )


def subjects_of_organisation(organisation_id):
    """The people who stayed at one of the organisation's facilities (privacy/scope.py), as one
    column of subject ids without ordering (it goes into a UNION); anyone's stays for None."""
    from shelters.models import Stay

    stays = Stay.objects.all()
    if organisation_id is not None:
        stays = stays.filter(facility__organisation_id=organisation_id)
    return stays.values("subject_id").order_by()
