"""A manager's to-do: what waits for a decision of theirs, each item linking to where it is done.
The data protection officer has one too (`register(provider, role=Role.DPO)`; privacy: refused
requests due for review), shown on their start page.

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
# The data protection officer's to-do (shown on their start page): refused requests to review.
_dpo_providers: list[Provider] = []


def register(provider: Provider, *, role: str = Role.MANAGER) -> Provider:
    """Add a provider of to-do items for `role`, a manager or the DPO (idempotent)."""
    providers = _dpo_providers if role == Role.DPO else _providers
    if provider not in providers:
        providers.append(provider)
    return provider


def items_for(user: User) -> list[TodoItem]:
    """Every waiting item for the manager or DPO `user`, in order; nothing for other roles."""
    if user.has_role(Role.DPO):
        providers = _dpo_providers
    # A manager's to-do: their organisation's queues.
    elif user.has_role(Role.MANAGER) and user.organisation_id:
        providers = _providers
    else:
        return []
    items: list[TodoItem] = []
    for provider in providers:
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
