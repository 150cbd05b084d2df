"""The rows of the long lists of a case file: the caseload, the notes, the timeline.

Rendered field by field through the template engine, a list of 200 clients or 300 notes costs
about half a millisecond a row: each `{{ x.y|date }}` resolves attributes and looks up the
locale's formats and translations, a dozen times a row. Here each row is one string, with the
dates, labels, authors and links computed once per distinct value, and every value escaped by
`_e` (the standard library's html.escape, which Django's own escape wraps; Django's wrapper and
format_html cost more than the row itself). The page template prints the rows as they are; their
markup lives here. docs/benchmarks.md has the figures that led to this.

The rule for reading and changing this file: every value that is not a constant of this file
goes through `_e`, and only a whole row is marked safe.
"""

import html
import uuid
from collections.abc import Iterable

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import User

_PLACEHOLDER = uuid.UUID(int=0)
_NOTHING = "—"


def _e(value) -> str:
    """Escaped text of a value, for HTML text and quoted attributes."""
    return html.escape(str(value))


def _badge(label) -> str:
    return f' <span class="badge">{_e(label)}</span>'


class DateLabels:
    """A date formatted in the current language (escaped), once per distinct date."""

    def __init__(self, format_name: str = "SHORT_DATE_FORMAT"):
        # The language's format, looked up once (date_format would look it up for every date).
        self._format = formats.get_format(format_name)
        self._cache: dict = {}

    def __call__(self, value) -> str:
        if value is None:
            return ""
        label = self._cache.get(value)
        if label is None:
            label = self._cache[value] = _e(dateformat.format(value, self._format))
        return label


class Labels:
    """A choice's display label, translated (and escaped) once per distinct value."""

    def __init__(self, choices):
        self._labels = dict(choices)
        self._cache: dict = {}

    def __call__(self, value) -> str:
        label = self._cache.get(value)
        if label is None:
            label = self._cache[value] = _e(self._labels.get(value, value))
        return label


class UrlFor:
    """A route's URL for many ids, reversed once: reverse() per row costs more than the row.

    The varying id is the route's last argument; `sample` is any valid value for it (an int
    for <int:...>), replaced in the reversed path by each row's id.
    """

    def __init__(self, name: str, *before, sample=_PLACEHOLDER):
        path = reverse(name, args=[*before, sample])
        # The last occurrence is the last argument's: the ids before it come earlier in the path.
        self._head, _sample, self._tail = path.rpartition(str(sample))

    def __call__(self, pk) -> str:
        return _e(f"{self._head}{pk}{self._tail}")


def caseload_rows(clients: Iterable) -> list[SafeString]:
    """The caseload table's <tr> rows, from selectors.caseload()."""
    from cases.models import PathwayStage

    today = timezone.localdate()
    dates = DateLabels()
    stages = Labels(PathwayStage.choices)
    url = UrlFor("cases:client-detail")
    closed = _badge(_("closed"))
    rows = []
    for client in clients:
        review = client.next_review_on
        if review is None:
            review_cell = _NOTHING
        elif review < today:
            review_cell = f'<span class="overdue">{dates(review)}</span>'
        else:
            review_cell = dates(review)
        rows.append(
            mark_safe(  # noqa: S308 - every value below is escaped (module docstring)
                f'<tr><td><a href="{url(client.pk)}">{_e(client.surname)} '
                f"{_e(client.first_name)}</a>{closed if client.closed_on else ''}</td>"
                f"<td>{_e(client.birth_year or _NOTHING)}</td>"
                f"<td>{stages(client.pathway_stage)}</td>"
                f"<td>{dates(client.last_contact_on) or _NOTHING}</td>"
                f"<td>{review_cell}</td></tr>"
            )
        )
    return rows


def note_rows(notes: Iterable, *, client_id, can_write: bool) -> list[SafeString]:
    """A file's notes as <article> elements, from access.notes_visible_to(), newest first.

    The authors are read in one query (not joined to each of hundreds of notes).
    """
    from cases.models import CaseNote

    notes = list(notes)
    dates = DateLabels()
    kinds = Labels(CaseNote.Kind.choices)
    authors = {
        user.pk: _e(user)
        for user in User.objects.filter(pk__in={n.author_id for n in notes}).only(
            "username", "first_name", "last_name"
        )
    }
    edit = UrlFor("cases:note-edit", client_id, sample=987654321) if can_write else None
    important, sensitive, edit_label = _badge(_("important")), _badge(_("sensitive")), _e(_("Edit"))
    rows = []
    for note in notes:
        # The text's line breaks kept, as the template's linebreaksbr filter does.
        text = _e(note.text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
        rows.append(
            mark_safe(  # noqa: S308 - every value below is escaped (module docstring)
                f'<article class="note{" important" if note.is_important else ""}"><header>'
                f"<strong>{dates(note.noted_on)}</strong> · {kinds(note.kind)} · "
                f"{authors.get(note.author_id, '')}"
                f"{important if note.is_important else ''}"
                f"{sensitive if note.is_sensitive else ''}"
                f"{f' <a href="{edit(note.pk)}">{edit_label}</a>' if edit else ''}"
                f"</header><p>{text}</p></article>"
            )
        )
    return rows


def timeline_rows(events: Iterable[dict]) -> list[SafeString]:
    """A file's timeline as <li> elements, from timeline.client_timeline()."""
    dates = DateLabels()
    return [
        mark_safe(  # noqa: S308 - every value below is escaped (module docstring)
            f"<li><time>{dates(e['when'])}</time> <strong>{_e(e['kind'])}</strong> "
            f"{_e(e['text'])}</li>"
        )
        for e in events
    ]
