from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class ActivationConfig(AppConfig):
    name = "activation"
    verbose_name = _("Activation")

    # accounts.navigation collects these (the programme and attendance pages add theirs).
    navigation: list = [
        NavItem(
            "activation:coach-start",
            _("Today's groups"),
            frozenset({Role.JOB_COACH}),
            _("Your groups today with their attendance to take, and the follow-ups due."),
            order=5,
        ),
        NavItem(
            "activation:partner-placements",
            _("Placed workers"),
            frozenset({Role.PARTNER}),
            _("The people placed with your organisation and their follow-ups, with consent."),
            order=70,
        ),
    ]

    # Where each role lands after signing in (accounts reads this registry).
    landing = {Role.JOB_COACH: "activation:coach-start"}

    demo_seed = "activation.demo.seed"

    def ready(self) -> None:
        # The job coach's and the cooperative's ways go into the rule book (accounts.reach);
        # the ladder's facts, the timeline's events, the caseload's to-do and the file's tab
        # go into cases' registries (cases imports no activation).
        from activation import hooks, ways  # noqa: F401
