from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class SheltersConfig(AppConfig):
    name = "shelters"
    verbose_name = _("Shelters")

    # Where shelter staff start (accounts.navigation.landing_name): their facility's board.
    landing = {Role.SHELTER_STAFF: "shelters:staff-start"}

    navigation = [
        NavItem(
            "shelters:facility-list",
            _("Bed board"),
            frozenset({Role.SHELTER_STAFF, Role.MANAGER}),
            _("Beds of your facilities tonight: check-in, check-out, holds, waitlist and bans."),
            order=30,
        ),
        NavItem(
            "shelters:city",
            _("Free beds in the city"),
            frozenset({Role.SOCIAL_WORKER, Role.SHELTER_STAFF, Role.MANAGER}),
            _("Free places tonight in every facility, to place someone."),
            order=40,
        ),
        NavItem(
            "shelters:manage-list",
            _("Facilities"),
            frozenset({Role.MANAGER}),
            _("Configure your organisation's facilities: rooms, beds, winter mode, staff."),
            order=45,
        ),
        NavItem(
            "shelters:night-count",
            _("Night count"),
            frozenset({Role.SHELTER_STAFF, Role.MANAGER}),
            _("People in your facilities on a chosen night, by facility type and sex."),
            order=50,
        ),
    ]

    demo_seed = "shelters.demo.seed"

    def ready(self) -> None:
        # Stays appear on the client's timeline in the case file; the facility_staff way goes
        # into the rule book (accounts.reach).
        from accounts import todo as manager_todo
        from shelters import caseload, positions, retention, timeline, todo, ways  # noqa: F401

        # The manager's to-do: facilities nobody operates.
        manager_todo.register(todo.manager_items)

        # Whom an organisation's DPO acts for (privacy/scope.py): who stayed at its facilities.
        from privacy import scope as dpo_scope
        from shelters.people import subjects_of_organisation

        dpo_scope.register(subjects_of_organisation)
        # The DPO's data package of a person: stays, bans, the waitlist, holds.
        from privacy import export
        from shelters import export as shelter_export

        export.register(*shelter_export.KINDS)
