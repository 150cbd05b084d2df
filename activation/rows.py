"""Rows drawn in Python, one string each: the coach's start page (as cases/rows.py does for the
caseload) and the day's attendance form (as shelters/rows.py does for the bed board).

Through the template engine a list of 200 participants and their follow-ups cost more than the
rest of the page (each `{% url %}` and `|date` resolved per row). Here each row is one string,
the links built from one reversed URL, the dates formatted once per distinct date, and every
value escaped by `_e`; only a whole row is marked safe.
"""

import html
import uuid

from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_PLACEHOLDER = uuid.UUID(int=0)


def _e(value) -> str:
    return html.escape(str(value))


def _url_maker(name: str, placeholder):
    """A function building `name`'s URL for an id from one reverse()."""
    pattern = reverse(name, args=[placeholder])
    token = str(placeholder)
    return lambda value: pattern.replace(token, str(value))


def full_name(client) -> str:
    return f"{client.first_name} {client.surname}"


def participant_items(enrolments, today) -> list[SafeString]:
    """`<li>` per participant: their name linking to their activation, a trial period marked."""
    link = _url_maker("activation:client-activation", _PLACEHOLDER)
    trial = _e(_("trial period"))
    items = []
    for enrolment in enrolments:
        mark = ""
        if enrolment.trial_ends_on and enrolment.trial_ends_on >= today:
            mark = f" <small>({trial})</small>"
        items.append(
            mark_safe(  # noqa: S308 - every value escaped by _e
                f'<li><a href="{_e(link(enrolment.client_id))}">{_e(enrolment.name)}</a>{mark}</li>'
            )
        )
    return items


def follow_up_rows(follow_ups, today) -> list[SafeString]:
    """`<tr>` per follow-up: person, employer, months, due date (overdue marked), answer link."""
    person = _url_maker("activation:client-activation", _PLACEHOLDER)
    answer = _url_maker("activation:followup-answer", 999999999)
    overdue = f' <span class="badge">{_e(_("overdue"))}</span>'
    answer_label = _e(_("Answer"))
    dates: dict = {}
    rows = []
    for row in follow_ups:
        if row.due_on not in dates:
            dates[row.due_on] = _e(formats.date_format(row.due_on, "DATE_FORMAT"))
        placement = row.placement
        employer = placement.employer_organisation or placement.employer_name
        months = ngettext("%(months)s month", "%(months)s months", row.months) % {
            "months": row.months
        }
        late = overdue if row.due_on < today else ""
        rows.append(
            mark_safe(  # noqa: S308 - every value escaped by _e
                f'<tr><td><a href="{_e(person(row.client_id))}">{_e(full_name(row.client))}</a>'
                f"</td><td>{_e(employer)}</td><td>{_e(months)}</td>"
                f'<td><time datetime="{row.due_on.isoformat()}">{dates[row.due_on]}</time>{late}'
                f'</td><td><a href="{_e(answer(row.pk))}">{answer_label}</a></td></tr>'
            )
        )
    return rows


# The day's attendance form: through the template engine 25 people × 6 buttons cost about 14 ms
# of rendering; here each translation is looked up once per page.
def attendance_rows_html(rows, buttons, *, can_save: bool) -> SafeString:
    """The `<li>` of each participant: their name, a radio button per status drawn as a big
    button, and the note (shown for "other" and "excused", or when it holds text)."""
    disabled = "" if can_save else " disabled"
    note_label = _e(_("Note (needed for “other”)"))
    buttons = [(_e(code), _e(word), _e(label)) for code, word, label in buttons]
    out = []
    for row in rows:
        pk = _e(row["id"])
        flagged = row["flagged"]
        out.append(f'<li class="att-row{" att-flagged" if flagged else ""}"><fieldset>')
        out.append(f'<legend class="att-name">{_e(row["name"])}</legend>')
        out.append('<div class="att-choices">')
        for code, word, label in buttons:
            checked = " checked" if row["status"] == code else ""
            out.append(
                f'<input type="radio" class="att-radio att-{code}" name="status-{pk}" '
                f'id="s-{pk}-{code}" value="{code}"{checked}{disabled}>'
                f'<label for="s-{pk}-{code}" title="{label}">{word}</label>'
            )
        out.append("</div>")
        filled = " att-filled" if row["note"] or flagged else ""
        invalid = ' aria-invalid="true"' if flagged else ""
        out.append(
            f'<div class="att-note{filled}"><label for="n-{pk}">{note_label}</label>'
            f'<input type="text" name="note-{pk}" id="n-{pk}" value="{_e(row["note"])}" '
            f'maxlength="1000" autocomplete="off"{invalid}{disabled}></div>'
        )
        out.append("</fieldset></li>")
    return mark_safe("".join(out))  # noqa: S308 - every value above went through _e
