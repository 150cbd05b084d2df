from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class ActivationConfig(AppConfig):
    name = "activation"
    verbose_name = _("Activation")

    # accounts.navigation collects whatever this lists.
    navigation: list = [
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

    # No demo data yet: `demo_seed = "activation.demo.seed"` once the demo is written.
