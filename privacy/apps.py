from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import DPO_ROLES, Role


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    # Where the DPO starts (accounts.navigation.landing_name).
    landing = {Role.DPO: "privacy:people", Role.CLUSTER_DPO: "privacy:people"}

    navigation = [
        NavItem(
            "privacy:people",
            _("Find a person"),
            frozenset(DPO_ROLES),
            _(
                "Find a person by PESEL, name or date of birth; their page leads to the "
                "erasure and to who opened their data."
            ),
            order=10,
        ),
        NavItem(
            "privacy:access-log",
            _("Access log"),
            frozenset(DPO_ROLES),
            _("Who read or changed whose data, when and why: by person, staff and time; CSV."),
            order=20,
        ),
        NavItem(
            "privacy:unusual-access",
            _("Unusual access"),
            frozenset(DPO_ROLES),
            _(
                "Many files opened in an hour, emergency access, access outside working hours, "
                "searches that opened nothing: by thresholds you set."
            ),
            order=30,
        ),
        NavItem(
            "privacy:erase",
            _("Erasure"),
            frozenset(DPO_ROLES),
            _("Find a person and erase their data for good (GDPR art. 17); the erasure ledger."),
            order=50,
        ),
        NavItem(
            "privacy:retention",
            _("Retention periods"),
            frozenset({Role.DPO}),
            _("How long each kind of record is kept and why; who the daily run would erase."),
            order=60,
        ),
    ]

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_save
        from simple_history.signals import pre_create_historical_record

        from privacy import checks  # noqa: F401
        from privacy.fields import keep_erased_in_history, seal_after_insert

        pre_create_historical_record.connect(keep_erased_in_history)
        # A new row whose id the INSERT made gets its values sealed, bound to that id.
        post_save.connect(seal_after_insert, dispatch_uid="privacy.seal_after_insert")

        # Keys cached before a request began are checked against the erasure epoch first.
        from privacy import vault

        request_started.connect(vault.request_began, dispatch_uid="privacy.vault.request_began")
        request_finished.connect(vault.request_ended, dispatch_uid="privacy.vault.request_ended")

        # The DPO's to-do: refused requests whose review day has come.
        from accounts import todo
        from privacy.todo import dpo_items

        todo.register(dpo_items, role=Role.DPO)
        todo.register(dpo_items, role=Role.CLUSTER_DPO)
