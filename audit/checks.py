"""System checks of the audit trail: the anchors' syslog address."""

from django.conf import settings
from django.core.checks import Error, register

from audit.anchors import syslog_address


@register()
def check_anchor_syslog(app_configs=None, **kwargs):
    """A malformed PRZYSTAN_ANCHOR_SYSLOG stops every command, not just the next anchoring."""
    address = settings.PRZYSTAN_ANCHOR_SYSLOG
    if not address:
        return []
    try:
        syslog_address(address)
    except ValueError as error:
        return [
            Error(
                f"PRZYSTAN_ANCHOR_SYSLOG: {error}.",
                hint="Give /dev/log (the local syslog) or host:port of a UDP syslog server.",
                id="audit.E001",
            )
        ]
    return []
