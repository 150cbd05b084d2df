"""Case notes and assessments."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.reach import Part
from audit.purposes import Purpose
from audit.record import record
from cases.access import require_change
from cases.models import ASSESSMENT_DOMAINS, SENSITIVE_DOMAINS, Assessment, CaseNote, Client

NOTE_FIELDS = ("kind", "noted_on", "text", "is_important", "is_sensitive")


def note_add(
    *,
    by,
    client: Client,
    kind: str,
    noted_on,
    text: str,
    is_important: bool = False,
    is_sensitive: bool = False,
    request=None,
) -> CaseNote:
    """Add a case note, encrypted under the client's key; a sensitive one needs a way that
    changes the sensitive part."""
    require_change(by, client.pk)
    if is_sensitive:
        require_change(by, client.pk, Part.SENSITIVE)
    note = CaseNote(
        client=client,
        kind=kind,
        noted_on=noted_on,
        text=text,
        is_important=is_important,
        is_sensitive=is_sensitive,
        author=by,
    )
    with transaction.atomic():
        record(
            note,
            by=by,
            reason="note_add",
            subject_id=client.pk,
            action="create",
            purpose=Purpose.NOTE,
            request=request,
        )
    return note


def note_edit(*, by, note: CaseNote, request=None, **changes) -> CaseNote:
    """Change a note; its earlier text stays in the history."""
    require_change(by, note.client_id)
    # A sensitive note, or one becoming sensitive, is the sensitive part's.
    if note.is_sensitive or changes.get("is_sensitive"):
        require_change(by, note.client_id, Part.SENSITIVE)
    with transaction.atomic():
        for name in NOTE_FIELDS:
            if name in changes:
                setattr(note, name, changes[name])
        record(
            note,
            by=by,
            reason="note_edit",
            subject_id=note.client_id,
            purpose=Purpose.NOTE,
            request=request,
        )
    return note


def assessment_record(
    *, by, client: Client, kind: str, assessed_on, scores: dict, notes: dict, request=None
) -> Assessment:
    """Record an assessment: scores 1-5 per life domain (sealed with the notes).

    Scoring health or addiction is a change of the sensitive part.
    """
    require_change(by, client.pk)
    domains = {code for code, _label in ASSESSMENT_DOMAINS}
    if not scores or set(scores) - domains or any(s not in range(1, 6) for s in scores.values()):
        raise ValidationError(_("Scores go from 1 (in crisis) to 5 (thriving)."))
    if (set(scores) | set(notes or {})) & SENSITIVE_DOMAINS:
        require_change(by, client.pk, Part.SENSITIVE)
    assessment = Assessment(
        client=client, kind=kind, assessed_on=assessed_on, scores=scores, notes=notes, author=by
    )
    with transaction.atomic():
        record(
            assessment,
            by=by,
            reason="assessment_record",
            subject_id=client.pk,
            action="create",
            purpose=Purpose.ASSESSMENT,
            request=request,
        )
    return assessment
