"""Phrases with a count or a duration on the case pages, through ngettext (Polish has three
plural forms: 1 dzień, 2 dni, 5 dni), never a number glued to a fixed noun."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def days_waiting(since: datetime.date, today: datetime.date) -> str:
    """How long something sent on `since` has waited by `today`: "since today", "1 day"…

    Whole days: a referral is dated, not timed, so "0 minutes" (what timesince says of a
    date sent today) never appears.
    """
    days = (today - since).days
    if days <= 0:
        return _("since today")
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def every_days(days: int) -> str:
    """ "every 14 days" (a plan's review period)."""
    return ngettext("every %(count)d day", "every %(count)d days", days) % {"count": days}
