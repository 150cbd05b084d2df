"""The job coach's start page: today's groups with their attendance to take, the participants,
and the follow-ups due or overdue."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from activation.access import cohorts_coached_by
from activation.models import Enrolment, EnrolmentSuspension
from activation.rows import follow_up_rows, full_name, participant_items
from activation.views.placements import follow_ups_due
from audit.purposes import Purpose
from audit.services import access_log_write
from privacy import vault


def attendance_url(cohort_id, day) -> str | None:
    """The link to a group's attendance of a day (activation/views/attendance.py)."""
    url = reverse("activation:attendance-day", kwargs={"cohort_id": cohort_id})
    return f"{url}?day={day.isoformat()}"


def coach_day(user, today):
    """Today's groups of the coach with their participants and today's saved marks, and the
    follow-ups due: five queries whatever the number of groups and participants."""
    cohorts = list(
        cohorts_coached_by(user)
        .filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("programme")
        .annotate(
            marked=Count("enrolments__attendance", filter=Q(enrolments__attendance__day=today))
        )
        .order_by("programme__name", "name")
    )
    suspended = EnrolmentSuspension.objects.filter(starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    participants = list(
        Enrolment.objects.filter(cohort__in=[c.pk for c in cohorts])
        .started_by(today)
        .exclude(pk__in=suspended.values("enrolment_id"))
        .select_related("client")
        # Only the names of a client row: it holds a dozen encrypted facts the page never opens.
        .only("cohort_id", "client_id", "trial_ends_on", "client__first_name", "client__surname")
        .order_by("pk")
    )
    follow_ups = list(
        follow_ups_due(user, today).only(
            "client_id",
            "months",
            "due_on",
            "placement__employer_name",
            "placement__employer_organisation__name",
            "client__first_name",
            "client__surname",
        )
    )
    vault.prefetch([p.client_id for p in participants] + [f.client_id for f in follow_ups])
    by_cohort: dict = {c.pk: [] for c in cohorts}
    for enrolment in participants:
        # Each name decrypted once: the sort and the row use it.
        enrolment.name = full_name(enrolment.client)
        enrolment.sort_key = (str(enrolment.client.surname), enrolment.name)
        by_cohort[enrolment.cohort_id].append(enrolment)
    groups = [
        {
            "cohort": cohort,
            "participants": sorted(by_cohort[cohort.pk], key=lambda e: e.sort_key),
            "marked": cohort.marked,
            "attendance_url": attendance_url(cohort.pk, today),
        }
        for cohort in cohorts
    ]
    return groups, follow_ups


@require_GET
@role_required(Role.JOB_COACH)
def coach_start(request):
    """Where a job coach lands: today's groups, who takes part, what follow-ups are due."""
    today = timezone.localdate()
    groups, follow_ups = coach_day(request.user, today)
    for group in groups:
        group["items"] = participant_items(group["participants"], today)
    # One row for the page (like the bed board): it shows the participants' names.
    access_log_write(
        actor=request.user, action="view", purpose=Purpose.COACH_START, request=request
    )
    return render(
        request,
        "activation/coach/start.html",
        {"groups": groups, "follow_up_rows": follow_up_rows(follow_ups, today), "today": today},
    )
