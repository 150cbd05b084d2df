"""Print the current second-factor code of a demo user (the demo's stand-in for a phone).

Refuses unless PRZYSTAN_DEMO is on: a real server never prints anyone's code.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from accounts.models import User
from accounts.second_factor import app_device


class Command(BaseCommand):
    help = "Demo only: print the code a demo user's authenticator app would show now."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEMO:
            raise CommandError("demo_code runs only with PRZYSTAN_DEMO=true (make run sets it).")
        user = User.objects.filter(username=username).first()
        device = app_device(user) if user is not None else None
        if device is None:
            raise CommandError(f"{username} has no authenticator app.")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
