from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    # Where the DPO starts (accounts.navigation.landing_name).
    landing = {Role.DPO: "privacy:erase"}

    navigation = [
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
