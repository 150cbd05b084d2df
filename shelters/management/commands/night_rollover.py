from django.core.management.base import BaseCommand

from shelters.services import night_rollover_all


class Command(BaseCommand):
    help = (
        "End last night's stays in every active night shelter and warming centre (at each "
        "facility's rollover hour). Run it from a timer, e.g. every hour; running it again "
        "ends nothing twice."
    )

    def handle(self, *args, **options):
        ended = night_rollover_all()
        total = sum(ended.values())
        self.stdout.write(
            f"Night rollover: {total} stays ended in {len(ended)} night-only facilities."
        )
