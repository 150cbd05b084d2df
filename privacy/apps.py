from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    # Where the DPO starts (accounts.navigation.landing_name).
    landing = {Role.DPO: "privacy:people"}

    navigation = [
        NavItem(
            "privacy:people",
            _("Find a person"),
            frozenset({Role.DPO}),
            _(
                "Find a person by PESEL, name or date of birth; their page leads to the "
                "erasure and to who opened their data."
            ),
            order=10,
        ),
        NavItem(
            "privacy:access-log",
            _("Access log"),
            frozenset({Role.DPO}),
            _("Who read or changed whose data, when and why: by person, staff and time; CSV."),
            order=20,
        ),
        NavItem(
            "privacy:erase",
            _("Erasure"),
            frozenset({Role.DPO}),
            _("Find a person and erase their data for good (GDPR art. 17); the erasure ledger."),
            order=50,
        ),
    ]

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from privacy import checks  # noqa: F401
        from privacy.fields import keep_erased_in_history

        pre_create_historical_record.connect(keep_erased_in_history)

        # The DPO's to-do: refused requests whose review day has come.
        from accounts import todo
        from privacy.todo import dpo_items

        todo.register(dpo_items, role=Role.DPO)
