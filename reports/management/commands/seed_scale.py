"""National-size synthetic data for measuring (issue 14): see reports/scale_seed.py.

Refuses unless PRZYSTAN_DEMO is on or --i-know-this-is-not-production is given, and refuses a
database that already holds clients, facilities or stays unless --append.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.scale_seed import SeedRefused, Sizes, database_is_empty, seed_scale


class Command(BaseCommand):
    help = (
        "Write synthetic national-size data (clients sealed by the vault, facilities, beds, "
        "years of stays, history rows) by bulk paths. For demo and measuring databases only."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--clients", type=int, default=defaults.clients)
        parser.add_argument("--facilities", type=int, default=defaults.facilities)
        parser.add_argument("--beds", type=int, default=defaults.beds)
        parser.add_argument("--years", type=int, default=defaults.years)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--until",
            type=datetime.date.fromisoformat,
            default=None,
            help="the last night of the stays, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--append", action="store_true", help="add to a database that already holds data"
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="run without PRZYSTAN_DEMO=true",
        )

    def handle(self, *args, **options):
        if not (settings.DEMO or options["not_production"]):
            raise CommandError(
                "seed_scale writes a million synthetic people: it runs only with "
                "PRZYSTAN_DEMO=true or --i-know-this-is-not-production."
            )
        if not options["append"] and not database_is_empty():
            raise CommandError(
                "The database already holds clients, facilities or stays: "
                "add --append to seed next to them."
            )
        sizes = Sizes(
            clients=options["clients"],
            facilities=options["facilities"],
            beds=options["beds"],
            years=options["years"],
            seed=options["seed"],
            until=options["until"],
        )
        try:
            seed_scale(sizes=sizes, out=self.stdout.write)
        except SeedRefused as refused:
            raise CommandError(str(refused)) from None
