"""Template helpers of the shelters: a person with the marks that tell namesakes apart, dates as
27.11.2026, and how long someone has been waiting in words."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shelters.people import Person, checked_in_label, checked_out_label, last_seen_label, person

register = template.Library()


def _as_person(who) -> Person | None:
    if who is None or isinstance(who, Person):
        return who
    return person(who)


@register.simple_tag
def who(someone):
    """ "Ryszard D. <small class="marks">1971 · #a3f9</small>" for a client or a Person."""
    found = _as_person(someone)
    if found is None:
        return ""
    return format_html('{} <small class="marks">{}</small>', found.name, found.marks)


@register.filter
def as_person(client) -> Person | None:
    return _as_person(client)


@register.filter
def day(value) -> str:
    """A date (or the local date of a moment) as 27.11.2026."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.strftime("%d.%m.%Y")


@register.filter
def day_time(value) -> str:
    """A moment as 27.11.2026 21:05 (local time)."""
    if value in (None, ""):
        return ""
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


@register.filter
def waiting_for(since: datetime.date) -> str:
    """How long someone has waited, in words: "since today", "for 1 day", "for 3 days"."""
    days = (timezone.localdate() - since).days
    if days <= 0:
        return _("added today")
    return ngettext("waiting %(n)d day", "waiting %(n)d days", days) % {"n": days}


@register.filter
def admitted_label(someone) -> str:
    return checked_in_label(_as_person(someone))


@register.filter
def left_label(someone) -> str:
    return checked_out_label(_as_person(someone))


@register.filter
def seen_label(someone) -> str:
    return last_seen_label(_as_person(someone))
