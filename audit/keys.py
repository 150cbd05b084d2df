"""The audit key: it seals the access-log chain (an HMAC per row), from PRZYSTAN_AUDIT_KEY.

It lives with the log rather than with the vault's keys because every app writes the log
(accounts, privacy and the domain apps), so the log imports no app of ours (docs/architecture.md,
"Dependencies"). privacy/keys.py re-exports it: the start-up key check and `keys.reload()` cover
it as before.
"""

from functools import cache

from config.env import env_key

AUDIT_KEY_VAR = "PRZYSTAN_AUDIT_KEY"


@cache
def audit_key() -> bytes:
    """The audit key (32 bytes); ImproperlyConfigured naming the variable when absent or bad."""
    return env_key(AUDIT_KEY_VAR)
