from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        # Registers the system checks (the anchors' syslog address, the database role).
        from audit import checks  # noqa: F401
