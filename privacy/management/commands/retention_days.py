from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.models import RetentionPeriod
from privacy.retention import retention_periods


class Command(BaseCommand):
    help = (
        "Print how many days one kind of record is kept today, as the DPO set it on the retention "
        "page (ops/backup.sh reads the backups' period with it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=RetentionPeriod.Kind.values)

    def handle(self, *args, kind, **options):
        today = timezone.localdate()
        period = retention_periods().get(kind)
        if period is None:  # pragma: no cover - retention_periods() creates every kind
            raise CommandError(f"no retention period for {kind}")
        self.stdout.write(str((today - period.expired_before(today)).days))
