from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Outcome statistics")

    # The dashboard adds its NavItem here when it lands; accounts.navigation collects it.
    navigation: list = []
