"""What waits for the DPO (accounts.todo): refused requests whose review day has come."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.todo import TodoItem
from privacy.services import refusals_due


def dpo_items(user) -> list[TodoItem]:
    """Refusals of erasure or objection to look at again (one query, counts only)."""
    from privacy import scope

    count = refusals_due().filter(subject__in=scope.dpo_subjects(user)).count()
    return [
        TodoItem(
            count=count,
            text=ngettext(
                "%(count)d refused request is due for review.",
                "%(count)d refused requests are due for review.",
                count,
            )
            % {"count": count},
            url=reverse("privacy:refusals-due"),
            action=_("Review"),
            order=10,
        )
    ]
