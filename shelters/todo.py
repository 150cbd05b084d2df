"""What the shelters put on a manager's to-do (accounts.todo): facilities nobody operates.

A facility of the organisation that no active member of staff operates has nobody to check
people in; the manager adds someone on the facility's page (Placówki). One query.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.todo import TodoItem
from shelters import access
from shelters.models import FacilityUserObjectPermission


def manager_items(manager) -> list[TodoItem]:
    """Active facilities of the manager's organisation without an active operator."""
    operated = FacilityUserObjectPermission.objects.filter(
        permission__codename="operate_facility", user__is_active=True
    ).values("content_object_id")
    count = access.facilities_managed_by(manager).active().exclude(pk__in=operated).count()
    return [
        TodoItem(
            count=count,
            text=ngettext(
                "%(count)d facility of your organisation has nobody to operate it.",
                "%(count)d facilities of your organisation have nobody to operate them.",
                count,
            )
            % {"count": count},
            url=reverse("shelters:manage-list"),
            action=_("Add its staff"),
            order=50,
        )
    ]
