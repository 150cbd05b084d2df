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
    ]

    # No demo data yet: `demo_seed = "activation.demo.seed"` once the demo is written.
