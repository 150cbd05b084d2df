from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from privacy import keys
from privacy.services import kek_rotate


class Command(BaseCommand):
    help = (
        "Rewrap every data key with the KEK named by --to (it must be in PRZYSTAN_KEKS). "
        "Never re-encrypts data; safe to stop and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, help="the id of the KEK to wrap with")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, to, batch_size, **options):
        try:
            keys.kek_ring().get(to)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        done = 0
        for done in kek_rotate(to=to, batch_size=batch_size):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done} rewrapped")
        self.stdout.write(f"Rewrapped {done} data keys with KEK {to!r}.")
