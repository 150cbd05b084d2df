"""audit.record: a change saved validated, with its history user and reason, and one log row."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.record import record, save_with_history
from cases.models import CaseNote
from tests.factories import make_client


@pytest.fixture
def person(social_worker):
    return make_client(first_name="Ryszard", surname="Modrzewski", holder=social_worker)


def _note(person, author, text="Rozmowa o pracy"):
    return CaseNote(
        client=person, kind="phone", noted_on=timezone.localdate(), text=text, author=author
    )


def test_the_history_user_is_the_actor_given_not_the_requests_thread_local(
    social_worker, other_social_worker, person, rf
):
    from simple_history.models import HistoricalRecords

    # The request's user (as simple-history's middleware keeps it) is someone else: the
    # history must still name the actor the service was given.
    request = rf.get("/")
    request.user = social_worker
    HistoricalRecords.context.request = request
    try:
        note = record(
            _note(person, social_worker),
            by=other_social_worker,
            reason="note_add",
            subject_id=person.pk,
            purpose="note",
        )
    finally:
        del HistoricalRecords.context.request
    newest = note.history.latest()
    assert newest.history_user == other_social_worker
    assert newest.history_change_reason == "note_add"


def test_one_access_log_row_is_written_with_the_purpose(social_worker, person):
    before = AccessLogEntry.objects.count()
    record(
        _note(person, social_worker),
        by=social_worker,
        reason="note_add",
        subject_id=person.pk,
        action="create",
        purpose="note",
    )
    rows = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert [(r.actor, r.action, r.subject_id, r.purpose) for r in rows] == [
        (social_worker, "create", person.pk, "note")
    ]


def test_an_invalid_object_is_refused_and_nothing_is_saved_or_logged(social_worker, person):
    before = AccessLogEntry.objects.count()
    with pytest.raises(ValidationError):
        record(
            _note(person, social_worker, text="x" * 20_001),
            by=social_worker,
            reason="note_add",
            subject_id=person.pk,
            purpose="note",
        )
    assert not CaseNote.objects.exists()
    assert AccessLogEntry.objects.count() == before


def test_save_with_history_logs_nothing(social_worker, person):
    before = AccessLogEntry.objects.count()
    note = save_with_history(_note(person, social_worker), by=social_worker, reason="note_add")
    assert note.history.latest().history_user == social_worker
    assert AccessLogEntry.objects.count() == before
