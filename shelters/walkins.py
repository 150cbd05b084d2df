"""Walk-ins at the door: find the person first, else register them with a short record and
check them in, in one transaction.

The search is the one social workers use (cases' blind-index `client_search`: an exact first
name and surname, or a PESEL), limited here to what shelter staff may learn: that the person is
known, their year of birth and short id, and whether this facility may admit them now. A new
person is registered through `cases.services.walk_in_register` (no holder yet: they wait in
the organisation's "new walk-ins" list for a social worker) and checked into the chosen bed by
`services.stay_check_in`; a refusal of either leaves nothing behind.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Client, PathwayStage, WalkIn
from shelters import services
from shelters.models import Ban, Bed, Facility, FacilityKind, Stay
from shelters.people import Person, person

# Where on the ladder a walk-in stands by the kind of facility that admits them.
STAGE_OF_KIND = {
    FacilityKind.NIGHT_SHELTER: PathwayStage.EMERGENCY,
    FacilityKind.WARMING_CENTRE: PathwayStage.EMERGENCY,
    FacilityKind.SHELTER: PathwayStage.SHELTER,
    FacilityKind.SHELTER_WITH_CARE: PathwayStage.SHELTER,
    FacilityKind.SINGLE_MOTHER_HOUSE: PathwayStage.SHELTER,
    FacilityKind.TRAINING_FLAT: PathwayStage.TRAINING_FLAT,
}


@dataclass(frozen=True)
class DoorMatch:
    """A known person found at the door, as shelter staff may see them."""

    person: Person
    banned_until: datetime.date | None
    in_a_bed: bool

    @property
    def may_check_in(self) -> bool:
        return self.banned_until is None and not self.in_a_bed


def door_matches(
    facility: Facility, clients: list[Client], at: datetime.datetime | None = None
) -> list[DoorMatch]:
    """For each found person: a ban in force here (until when), and whether they are in a bed
    anywhere tonight (where is not said), and whether the year of birth is an estimate. Three
    queries whatever the number found."""
    at = at or timezone.now()
    ids = [c.pk for c in clients]
    bans: dict = {}
    for client_id, ends_on in (
        Ban.objects.in_force(timezone.localdate(at))
        .filter(facility=facility, client_id__in=ids)
        .values_list("client_id", "ends_on")
    ):
        bans[client_id] = max(ends_on, bans.get(client_id, ends_on))
    in_bed = set(
        Stay.objects.filter(client_id__in=ids, ended_at__isnull=True).values_list(
            "client_id", flat=True
        )
    )
    estimated = set(
        WalkIn.objects.filter(client_id__in=ids, birth_year_estimated=True).values_list(
            "client_id", flat=True
        )
    )
    return [
        DoorMatch(
            person=person(c, birth_year_estimated=c.pk in estimated),
            banned_until=bans.get(c.pk),
            in_a_bed=c.pk in in_bed,
        )
        for c in clients
    ]


def walk_in_admit(
    *,
    by,
    facility: Facility,
    bed: Bed,
    first_name: str,
    surname: str = "",
    surname_refused: bool = False,
    sex: str,
    birth_year: int | None = None,
    birth_year_estimated: bool = False,
    note: str = "",
    legal_basis: str,
    request=None,
) -> Stay:
    """Register a walk-in and check them into `bed` in one transaction: nothing half-saved.

    The person lands in the "new walk-ins" list of the facility's organisation; the facility's
    staff reach them through the stay (the facility_staff way). Refused with the check-in's
    translated messages (the other sex's room, a bed just taken...), and then no client, no
    data key and no stay remain.
    """
    services.require_operate(by, facility)
    with transaction.atomic():
        client = case_services.walk_in_register(
            by=by,
            organisation=facility.organisation,
            first_name=first_name,
            surname=surname,
            surname_refused=surname_refused,
            sex=sex,
            birth_year=birth_year,
            birth_year_estimated=birth_year_estimated,
            note=note,
            legal_basis=legal_basis,
            pathway_stage=STAGE_OF_KIND.get(facility.kind, PathwayStage.EMERGENCY),
            request=request,
        )
        return services.stay_check_in(
            by=by, facility=facility, client=client, bed=bed, request=request
        )
