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


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    use_demo_secrets_if_present()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
