"""The navigation: each app's AppConfig lists its entries and the roles that may use them.

accounts imports no domain app: it collects `navigation` from every installed AppConfig, so a
new app adds its pages by declaring them in its apps.py.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str]
    description: str = ""
    order: int = 100


def items_for(user) -> list[dict]:
    """The entries `user` may use, in order, with their URLs resolved."""
    if not user.is_authenticated:
        return []
    entries = []
    for config in apps.get_app_configs():
        for item in getattr(config, "navigation", ()):
            if user.roles & item.roles:
                entries.append(item)
    entries.sort(key=lambda item: (item.order, str(item.label)))
    return [
        {
            "url": reverse(item.url_name),
            "label": item.label,
            "description": item.description,
            "url_name": item.url_name,
        }
        for item in entries
    ]


def landing_name(role: str | None) -> str | None:
    """The URL name of `role`'s first page (its work), as an app declared it, or None.

    Each AppConfig may declare `landing = {"<role code>": "<url name>"}`; accounts reads them
    as it reads `navigation`, so it imports no domain app. The first app (in INSTALLED_APPS
    order) that declares a role wins; a role nobody declares lands on its page of cards.
    """
    if not role:
        return None
    for config in apps.get_app_configs():
        url_name = getattr(config, "landing", {}).get(role)
        if url_name:
            return url_name
    return None


def landing_for(user) -> str | None:
    """The URL of `user`'s first page, or None when their role declares none."""
    if not user.is_authenticated:
        return None
    url_name = landing_name(user.role)
    return reverse(url_name) if url_name else None
