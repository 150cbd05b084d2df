"""What activation plugs into cases' registries (cases imports no activation):
the ladder's facts, the timeline's events, the caseload's to-do and the file's tab."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import reach
from accounts.reach import Part
from activation import ladder
from activation.models import Enrolment, FollowUp, Placement
from cases import pathway, selectors, timeline
from cases.views.common import FILE_TABS

pathway.register(ladder.stays)
pathway.register(ladder.enrolments)
pathway.register(ladder.placements)

TAB = ("activation:client-activation", gettext_lazy("Activation"), Part.ACTIVATION)
if TAB not in FILE_TABS:
    FILE_TABS.append(TAB)


def _events(access):
    """Enrolments and placements on the file's timeline, for those who read activation."""
    if not access.may_read(Part.ACTIVATION):
        return
    enrolments = Enrolment.objects.filter(client=access.client).select_related("programme")
    for enrolment in enrolments:
        yield (
            enrolment.applied_on,
            _("Enrolment"),
            f"{enrolment.programme} · {enrolment.get_status_display()}",
        )
    for placement in Placement.objects.filter(client=access.client).select_related(
        "employer_organisation"
    ):
        employer = placement.employer_organisation or placement.employer_name
        yield placement.started_on, _("Placement"), f"{placement.get_kind_display()} · {employer}"
        if placement.ended_on:
            yield placement.ended_on, _("Placement ended"), placement.get_end_reason_display()


if _events not in timeline.PROVIDERS:
    timeline.register(_events)


def overdue_follow_ups(user) -> list[dict]:
    """The caseload's overdue follow-ups (of the worker's own clients): one count query."""
    caseload = reach.person_ids(user, Part.ACTIVATION, ways=("holder", "team"))
    count = FollowUp.objects.overdue(timezone.localdate()).filter(client_id__in=caseload).count()
    if not count:
        return []
    return [
        {
            "text": ngettext(
                "%(count)s employment follow-up is overdue.",
                "%(count)s employment follow-ups are overdue.",
                count,
            )
            % {"count": count},
            "url": reverse("activation:follow-ups"),
        }
    ]


if overdue_follow_ups not in selectors.TODO_ITEMS:
    selectors.TODO_ITEMS.append(overdue_follow_ups)
