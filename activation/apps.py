from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class ActivationConfig(AppConfig):
    name = "activation"
    verbose_name = _("Activation")

    # accounts.navigation collects these.
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
        # The attendance pages (activation/views/attendance.py).
        NavItem(
            "activation:attendance-cohorts",
            _("Attendance"),
            frozenset({Role.JOB_COACH}),
            _("Take a group's attendance for a day, and print the monthly sheet."),
            order=20,
        ),
        # The manager's pages (activation/views/programmes.py, allowances.py).
        NavItem(
            "activation:programme-list",
            _("Programmes"),
            frozenset({Role.MANAGER}),
            _("Workshops, CIS, KIS, courses of your organisation: cohorts, coaches, trades."),
            order=60,
        ),
        NavItem(
            "activation:allowance-index",
            _("Integration allowance"),
            frozenset({Role.MANAGER}),
            _("The CIS's monthly list: bonuses, closing the month, CSV and PDF for payroll."),
            order=61,
        ),
    ]

    # Where each role lands after signing in (accounts reads this registry).
    landing = {Role.JOB_COACH: "activation:coach-start"}

    demo_seed = "activation.demo.seed"

    def ready(self) -> None:
        # The job coach's and the cooperative's ways go into the rule book (accounts.reach);
        # the ladder's facts, the timeline's events, the caseload's to-do and the file's tab
        # go into cases' registries (cases imports no activation).
        from activation import export as activation_export
        from activation import hooks, ways  # noqa: F401
        from privacy import export

        # The DPO's data package of a person: enrolments, attendance, allowance, placements.
        export.register(*activation_export.KINDS)
