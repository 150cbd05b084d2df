"""Prepare a fresh demo database for the load test (run by bench/load/run.sh, never elsewhere).

Gives the demo manager an authenticator app with a fixed synthetic key, so the locust manager
can sign in with a code it computes itself (bench/load/totp.py), and prints what the scenario
needs as JSON: the facilities with their beds, each social worker's clients, the coach's cohorts.
Refuses unless PRZYSTAN_DEMO is on.
"""

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.second_factor import APP_DEVICE_NAME

    if not settings.DEMO:
        sys.exit("setup_demo runs only with PRZYSTAN_DEMO=true")
    manager = User.objects.get(username="kierownik")
    TOTPDevice.objects.filter(user=manager).delete()
    TOTPDevice.objects.create(
        user=manager, name=APP_DEVICE_NAME, key=MANAGER_KEY_HEX, confirmed=True, tolerance=1
    )
    print(json.dumps({"manager_key_hex": MANAGER_KEY_HEX}))


# 20 bytes, invented, synthetic: the load test's manager app key.
MANAGER_KEY_HEX = b"przystan-load-mgr-01".hex()

if __name__ == "__main__":
    main()
