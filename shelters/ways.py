"""The way shelter work reaches a person, registered in the rule book (accounts.reach).

facility_staff: whoever operates a facility (its staff; a manager or a social worker who also
works there) reaches the people that facility knows: on its waitlist, holding one of its beds,
or staying (or having stayed) there. They see who the person is and their stays, holds,
waitlist entries and bans; never the case file. Registered from SheltersConfig.ready().
"""

from django.utils.translation import gettext_lazy as _

from accounts import reach
from accounts.reach import Part, Way
from shelters.access import FACILITY_ROLES, known_client_ids


def _facility_staff(user, *, person_id):
    return known_client_ids(user, person_id=person_id)


FACILITY_STAFF = reach.register(
    Way(
        code="facility_staff",
        label=_("known to a facility the user works in"),
        roles=frozenset(FACILITY_ROLES),
        reads=frozenset({Part.IDENTITY, Part.STAY}),
        writes=frozenset({Part.STAY}),
        reach=_facility_staff,
    )
)
