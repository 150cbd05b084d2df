"""The day's attendance form, one string per participant (as shelters/rows.py does for the bed
board, for the same reason).

Through the template engine 25 people × 6 buttons cost about 14 ms of rendering; here each
translation is looked up once per page and every value is escaped by `_e`. The day's template
prints the rows as they are; their markup lives here.

The rule for reading and changing this file: every value that is not a constant of this file
goes through `_e`, and only the whole list is marked safe.
"""

import html

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _e(value) -> str:
    """Escaped text of a value, for HTML text and quoted attributes."""
    return html.escape(str(value))


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
