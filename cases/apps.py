from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case files")

    # Where each role starts (accounts.navigation.landing_name).
    landing = {Role.SOCIAL_WORKER: "cases:caseload", Role.PARTNER: "cases:partner-referrals"}

    navigation = [
        NavItem(
            "cases:caseload",
            _("My clients"),
            frozenset({Role.SOCIAL_WORKER}),
            _("The clients of your caseload and their files."),
            order=10,
        ),
        NavItem(
            "cases:walk-ins",
            _("New walk-ins"),
            frozenset({Role.SOCIAL_WORKER}),
            _(
                "People admitted at a facility's door, waiting for a social worker: take the "
                "file and complete the intake."
            ),
            order=15,
        ),
        NavItem(
            "cases:client-search",
            _("Find a person"),
            frozenset({Role.SOCIAL_WORKER}),
            _("Check whether a person is already known, by PESEL or by name."),
            order=20,
        ),
        NavItem(
            "cases:assignments",
            _("Assignments"),
            frozenset({Role.MANAGER}),
            _(
                "Handover requests, plans to approve, emergency accesses to review, and the "
                "clients held in your organisation, to assign them to a worker and a team."
            ),
            order=60,
        ),
        NavItem(
            "cases:partner-referrals",
            _("Referrals"),
            frozenset({Role.PARTNER}),
            _("The clients referred to your organisation, while their consent holds."),
            order=10,
        ),
    ]

    demo_seed = "cases.demo.seed"
    # The DPO's demo (a restriction, reads for who-saw and unusual access), after every other
    # app's demo: the restriction would refuse their seeding.
    demo_seed_after = "cases.demo_dpo.seed"

    def ready(self) -> None:
        # The ways case work reaches a person go into the rule book (accounts.reach).
        from accounts import todo as manager_todo
        from cases import erasure, positions, retention, signals, todo, ways  # noqa: F401
        from privacy import related
        from privacy import scope as dpo_scope

        # The manager's to-do: handovers, emergency accesses, plans, files of inactive workers.
        manager_todo.register(todo.manager_items)

        # The DPO's erasure page: a client's household, and finding a person.
        related.register(erasure.household_related)
        related.register_finder(erasure.find_for_dpo)
        related.register_describer(erasure.describe_for_dpo)
        # Whom an organisation's DPO acts for (privacy/scope.py).
        dpo_scope.register(erasure.subjects_of_organisation)

        # The DPO's data package of a person (GDPR art. 15, 20): the file's kinds of record.
        from cases import export as case_export
        from privacy import export

        export.register(*case_export.KINDS)
        export.register_companions(case_export.household_companions)
