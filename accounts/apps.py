from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    # Where each role starts (accounts.navigation.landing_name); other apps declare theirs.
    landing = {Role.MANAGER: "accounts:todo", Role.ADMINISTRATOR: "accounts:staff-list"}

    navigation = [
        NavItem(
            "accounts:todo",
            _("To do"),
            frozenset({Role.MANAGER}),
            _("What waits for your decision: handovers, emergency accesses, plans, accounts."),
            order=5,
        ),
        NavItem(
            "accounts:staff-list",
            _("Staff"),
            frozenset({Role.MANAGER, Role.ADMINISTRATOR}),
            _("Create staff accounts, assign roles and organisations, deactivate accounts."),
            order=900,
        ),
        NavItem(
            "accounts:team-list",
            _("Teams"),
            frozenset({Role.MANAGER}),
            _("Teams of social workers who share the files assigned to the team."),
            order=890,
        ),
    ]

    def ready(self) -> None:
        from django.db.models import fields

        from accounts import positions, services, signals, todo  # noqa: F401

        # A member who is moved or deactivated leaves their teams (other apps register theirs).
        positions.register("teams", revoke=services.teams_leave_all)
        # The manager's to-do: accounts knows the accounts that hold no role.
        todo.register(todo.staff_without_a_role)

        # The empty choice of every select, in our words: Django 6.1's "- Select an option -" has
        # no Polish translation of its own yet (Django reads this name at render time).
        fields.BLANK_CHOICE_LABEL = _("— choose —")
