"""The bed board's rows, room by room, as one string per bed (the cases app's rows.py does the
same for its long lists, for the same reason).

Through the template engine a 60-bed board cost about 20 ms of rendering: per bed a URL
reversed, a plural looked up, a handful of tags resolved. Here the URLs are reversed once (a
placeholder id replaced), each translation looked up once per distinct value, and every value
escaped by `_e`. The board's template prints the rooms as they are; their markup lives here.

The rule for reading and changing this file: every value that is not a constant of this file
goes through `_e`, and only a whole room is marked safe.
"""

import html

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from shelters.people import Person
from shelters.selectors import FAMILY, FREE, HELD, OCCUPIED, OUT, BoardRoom

_PLACEHOLDER = "987654321"


def _e(value) -> str:
    """Escaped text of a value, for HTML text and quoted attributes."""
    return html.escape(str(value))


def _who(person: Person | None) -> str:
    """The same markup as the `who` template tag: a name and the marks that tell namesakes apart."""
    if person is None:
        return ""
    return f'{_e(person.name)} <small class="marks">{_e(person.marks)}</small>'


class _Plurals:
    """One ngettext per distinct count."""

    def __init__(self, singular: str, plural: str):
        self.singular, self.plural, self._cache = singular, plural, {}

    def __call__(self, n: int) -> str:
        if n not in self._cache:
            self._cache[n] = _e(ngettext(self.singular, self.plural, n) % {"counter": n})
        return self._cache[n]


def board_rooms_html(rooms: list[BoardRoom], facility) -> SafeString:
    """The rooms of the board and their beds (free, occupied, held, out, family, unused)."""
    stay_url = reverse("shelters:stay-detail", args=[_PLACEHOLDER])
    check_in_url = _e(reverse("shelters:stay-check-in", args=[facility.pk]))
    nights = _Plurals("%(counter)s night", "%(counter)s nights")
    free_count = _Plurals("%(counter)s free", "%(counter)s free")
    states = {
        OCCUPIED: f'<span class="bed-state"><span aria-hidden="true">●</span> '
        f"{_e(pgettext('bed state', 'occupied'))}</span>",
        FREE: f'<span class="bed-state"><span aria-hidden="true">○</span> '
        f"{_e(pgettext('bed state', 'free'))}</span>",
        HELD: f'<span class="bed-state"><span aria-hidden="true">◐</span> '
        f"{_e(pgettext('bed state', 'held'))}</span>",
        OUT: f'<span class="bed-state"><span aria-hidden="true">✕</span> '
        f"{_e(pgettext('bed state', 'out of service'))}</span>",
        FAMILY: f'<span class="bed-state"><span aria-hidden="true">⌂</span> '
        f"{_e(pgettext('bed state', 'household'))}</span>",
    }
    unused = (
        f'<span class="bed-state"><span aria-hidden="true">–</span> '
        f"{_e(_('overflow (winter mode off)'))}</span>"
    )
    check_in_here = _e(_("Check in here"))
    until = _e(_("until"))
    accessible = f' <span title="{_e(_("wheelchair accessible"))}">♿</span>'
    parts = []
    for room in rooms:
        parts.append(
            f'<section class="room" aria-label="{_e(room.name)}">'
            f'<h3 class="room-head">{_e(room.name)} <small>{_e(room.sex_label)} · '
            f'{free_count(room.free)}</small></h3>\n<ul class="beds">\n'
        )
        for bed in room.beds:
            label = _e(bed.label) + (accessible if bed.is_accessible else "")
            body = states.get(bed.state, unused)
            if bed.state == OCCUPIED and bed.stay_id:
                url = _e(stay_url.replace(_PLACEHOLDER, str(bed.stay_id)))
                body += (
                    f' <a href="{url}">{_who(bed.person)}</a> <small>{nights(bed.nights)}</small>'
                )
            elif bed.state == FREE:
                body += (
                    f' <a class="bed-action" href="{check_in_url}?bed={bed.id}">{check_in_here}</a>'
                )
            elif bed.state == HELD:
                body += " " + (_who(bed.person) if bed.person else _e(bed.referral))
                if bed.hold_until:
                    time = timezone.localtime(bed.hold_until).strftime("%H:%M")
                    body += f" <small>{until} {_e(time)}</small>"
            elif bed.state == OUT:
                body += " " + _e(bed.outage_reason)
            elif bed.state == FAMILY:
                body += " " + _who(bed.household)
            parts.append(
                f'<li class="bed bed-{_e(bed.state)}"><span class="bed-label">{label}</span> '
                f"{body}</li>\n"
            )
        parts.append("</ul>\n</section>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through _e
