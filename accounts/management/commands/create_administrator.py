"""Create the first administrator of a new installation (asks for the password twice)."""

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organisation, User
from accounts.services import set_role


class Command(BaseCommand):
    help = "Create an administrator account (not a superuser: object permissions still apply)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="name of the organisation")
        parser.add_argument(
            "--kind", default=Organisation.Kind.FOUNDATION, choices=Organisation.Kind.values
        )

    def handle(self, *args, username, organisation, kind, **options):
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username!r} is already taken.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ; nothing was created.")
        user = User(username=username, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            org, _ = Organisation.objects.get_or_create(name=organisation, defaults={"kind": kind})
            user.organisation = org
            user.set_password(password)
            user._change_reason = "create_administrator"
            user.save()
            set_role(user, "administrator")
        self.stdout.write(f"Administrator {username} created in {org}.")
