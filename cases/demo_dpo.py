"""Demo data of the DPO's work: a restriction of processing, and reads that the "who saw" and
unusual-access pages show. Run after every other app's demo (CasesConfig.demo_seed_after), so
the restriction refuses none of their seeding; idempotent. In cases, since it reads files
through cases.access (privacy imports no domain app).

The reads go through the same functions as the pages (cases.access.get_client_access), so the
access-log rows are real ones: a holder reading the caseload (more than 20 files within the
hour: "many files"), a colleague's emergency read, and searches that opened nothing.
"""

import datetime

from django.utils import timezone

from accounts.models import User
from audit.services import access_log_write
from cases import services as case_services
from cases.access import clients_visible_to, get_client_access
from privacy.models import Restriction, Subject
from privacy.restriction import restriction_set
from privacy.watch import access_watch_save


def seed() -> int:
    """Restrict one demo client (by `iod`) and write the demo reads, once."""
    dpo = User.objects.filter(username="iod").first()
    worker = User.objects.filter(username="pracownik").first()
    colleague = User.objects.filter(username="pracownik3").first()
    outside = User.objects.filter(username="pracownik2").first()
    if dpo is None or worker is None or Restriction.objects.exists():
        return 0
    caseload = list(clients_visible_to(worker).order_by("registered_on", "pk"))
    if len(caseload) < 3:
        return 0
    # The foundation's DPO set stricter thresholds than the defaults (kept in the history).
    access_watch_save(by=dpo, organisation=dpo.organisation, files_per_hour=12)
    # The holder goes through the whole caseload (a morning's review, and the "many files
    # within an hour" finding: 19 files).
    for client in caseload:
        get_client_access(worker, client.pk)
    # A colleague of the foundation reads a welfare centre's file in an emergency.
    if colleague is not None and outside is not None:
        theirs = clients_visible_to(outside).order_by("registered_on", "pk").first()
        if theirs is not None:
            case_services.break_glass_open(
                by=colleague, client=theirs, reason="Pogotowie pyta o przyjmowane leki"
            )
            get_client_access(colleague, theirs.pk)
        # Searches that opened nothing: names looked up, no file opened after them.
        for client in caseload[:12]:
            access_log_write(
                actor=colleague,
                action="search",
                subject_id=client.pk,
                purpose="search",
                way="search",
            )
    # The restricted client: the accuracy of the file contested by letter, three days ago.
    restricted = caseload[2]
    restriction_set(
        by=dpo,
        subject=Subject.objects.get(pk=restricted.pk),
        reason="accuracy",
        restricted_on=timezone.localdate() - datetime.timedelta(days=3),
        note="Pismo klienta: kwestionuje wpis o zadłużeniu czynszowym.",
    )
    return 1
