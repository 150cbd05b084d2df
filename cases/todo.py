"""What case work puts on a manager's to-do (accounts.todo): counts, never names.

Handover requests waiting for the organisation's decision, emergency accesses of its workers
to review, plans waiting for approval (all three decided on the Assignments page), and workers
who are no longer active but still hold files (handed over from the list of the
organisation's clients, filtered by that worker). Four queries whatever the numbers.
"""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.todo import TodoItem
from cases import access
from cases.models import Assignment


def manager_items(manager) -> list[TodoItem]:
    """The manager's case-work queues, as counted sentences linking to where they are done."""
    queue = reverse("cases:assignments")
    handovers = access.handovers_to_decide(manager).count()
    grants = access.grants_to_review(manager).count()
    plans = access.plans_to_approve(manager).count()
    items = [
        TodoItem(
            count=handovers,
            text=ngettext(
                "%(count)d handover request waits for your organisation's decision.",
                "%(count)d handover requests wait for your organisation's decision.",
                handovers,
            )
            % {"count": handovers},
            url=queue,
            action=_("Decide"),
            order=10,
        ),
        TodoItem(
            count=grants,
            text=ngettext(
                "%(count)d emergency access opened by your workers is to be reviewed.",
                "%(count)d emergency accesses opened by your workers are to be reviewed.",
                grants,
            )
            % {"count": grants},
            url=queue,
            action=_("Review the accesses"),
            order=20,
        ),
        TodoItem(
            count=plans,
            text=ngettext(
                "%(count)d plan waits for your approval.",
                "%(count)d plans wait for your approval.",
                plans,
            )
            % {"count": plans},
            url=queue,
            action=_("Approve"),
            order=30,
        ),
    ]
    # Inactive workers reach nothing, so their files wait for a new holder.
    inactive = (
        Assignment.objects.current()
        .held_in(manager.organisation_id)
        .filter(worker__is_active=False)
        .values("worker_id", "worker__first_name", "worker__last_name", "worker__username")
        .annotate(files=Count("pk"))
        .order_by("worker__last_name", "worker__first_name", "worker_id")
    )
    clients = reverse("cases:assignment-list")
    for row in inactive:
        name = " ".join(
            part for part in (row["worker__first_name"], row["worker__last_name"]) if part
        )
        count = row["files"]
        items.append(
            TodoItem(
                count=count,
                text=ngettext(
                    "%(worker)s is no longer active and still holds %(count)d file.",
                    "%(worker)s is no longer active and still holds %(count)d files.",
                    count,
                )
                % {"worker": name or row["worker__username"], "count": count},
                url=f"{clients}?{urlencode({'worker': row['worker_id']})}",
                action=_("Hand over"),
                order=40,
            )
        )
    return items
