#!/usr/bin/env python
import os
import sys
from pathlib import Path


def use_demo_secrets_if_present() -> None:
    """In a checkout where `make run` created var/, use its demo secrets when none are set.

    This only saves typing in development (e.g. `manage.py makemigrations`); production sets its
    own variables, and without them and without var/ the settings refuse to start, as they should.
    """
    var = Path(__file__).resolve().parent / "var"
    defaults = {
        "SECRET_KEY_FILE": var / "secret_key",
        "PRZYSTAN_KEKS_FILE": var / "keks",
        "PRZYSTAN_INDEX_KEY_FILE": var / "index.key",
        "PRZYSTAN_AUDIT_KEY_FILE": var / "audit.key",
    }
    used_demo_secret = False
    for name, path in defaults.items():
        plain = name.removesuffix("_FILE")
        if plain not in os.environ and name not in os.environ and path.exists():
            os.environ[name] = str(path)
            used_demo_secret |= name == "SECRET_KEY_FILE"
    # Only the demo's own secret brings the demo's plain-http setting with it.
    if used_demo_secret:
        os.environ.setdefault("HTTPS_ONLY", "false")


def throwaway_settings_for_makemigrations(argv: list[str]) -> None:
    """`makemigrations` in a fresh clone (no var/, no variables) works with throwaway values.

    It reads the models and writes migration files: no secret, key or data is used, so a random
    SECRET_KEY and keys, DEBUG and an in-memory database are harmless there. Only for that
    command, and only where nothing is configured: a set SECRET_KEY (or the demo's) is kept, and
    every other command still refuses to start without real secrets.
    """
    if argv[1:2] != ["makemigrations"]:
        return
    if "SECRET_KEY" in os.environ or "SECRET_KEY_FILE" in os.environ:
        return
    import base64
    import secrets

    def key() -> str:
        return base64.b64encode(secrets.token_bytes(32)).decode()

    os.environ["DEBUG"] = "true"
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    os.environ.setdefault("PRZYSTAN_KEKS", f"throwaway-1:{key()}")
    os.environ.setdefault("PRZYSTAN_INDEX_KEY", key())
    os.environ.setdefault("PRZYSTAN_AUDIT_KEY", key())


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    use_demo_secrets_if_present()
    throwaway_settings_for_makemigrations(sys.argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
