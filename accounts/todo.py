"""A manager's to-do: what waits for a decision of theirs, each item linking to where it is done.

accounts imports no domain app: each app registers a provider from its AppConfig.ready()
(`register(provider)`); `provider(user)` returns the items it knows of for that manager, each
with a count, a sentence already counted through ngettext (no client's name: the page is a
list of tasks, not of people) and the URL where the work is done. A provider runs a small,
fixed number of queries whatever the size of the organisation.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import Role


@dataclass(frozen=True)
class TodoItem:
    count: int
    text: str
    url: str
    action: str
    order: int = 100


Provider = Callable[[User], list[TodoItem]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider of to-do items (idempotent; usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(user: User) -> list[TodoItem]:
    """Every waiting item for the manager `user`, in order; nothing for other roles."""
    # A to-do is a manager's: their organisation's queues.
    if not user.has_role(Role.MANAGER) or not user.organisation_id:
        return []
    items: list[TodoItem] = []
    for provider in _providers:
        items.extend(item for item in provider(user) if item.count)
    return sorted(items, key=lambda item: item.order)


def staff_without_a_role(manager: User) -> list[TodoItem]:
    """Active accounts of the manager's organisation that hold no role: they can open nothing."""
    count = (
        User.objects.filter(organisation_id=manager.organisation_id, is_active=True)
        .exclude(Q(groups__name__in=Role.values))
        .count()
    )
    return [
        TodoItem(
            count=count,
            text=ngettext(
                "%(count)d active account of your organisation has no role.",
                "%(count)d active accounts of your organisation have no role.",
                count,
            )
            % {"count": count},
            url=reverse("accounts:staff-list"),
            action=_("Give a role or deactivate"),
            order=80,
        )
    ]
