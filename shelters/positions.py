"""What a change of position takes away in shelters: the facilities one worked in.

Working in a facility is a guardian object permission granted to the user
(`shelters.operate_facility`, FacilityUserObjectPermission). It came with the position: moved to
another organisation or role, or deactivated, the user loses every facility at once, and a
reactivated account gets none back by itself (accounts.positions).
"""

from django.contrib.contenttypes.models import ContentType
from guardian.models import UserObjectPermission

from accounts import positions
from shelters.models import Facility, FacilityUserObjectPermission


def facilities_revoke(user) -> int:
    """Remove every facility permission granted to `user` themselves; how many went.

    Grants to groups stay with the groups (a user leaves those with the group). guardian keeps
    our grants in the direct table; a row in its generic table would open nothing through
    shelters.access, but it goes as well, so no form of the grant survives.
    """
    direct, _ = FacilityUserObjectPermission.objects.filter(user=user).delete()
    generic, _ = UserObjectPermission.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(Facility)
    ).delete()
    return direct + generic


positions.register("shelters", revoke=facilities_revoke)
