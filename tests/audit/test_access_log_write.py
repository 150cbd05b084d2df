"""access_log_write: one row per call, the right fields, chained to the row before it."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from accounts.roles import Role
from accounts.services import set_role
from audit.chain import SEALED_FIELDS, canonical_content, entry_mac
from audit.models import GENESIS_MAC, AccessLogEntry, ChainHead
from audit.purposes import Purpose
from audit.services import access_log_write, access_log_write_many
from audit.verify import access_log_verify
from config.middleware import RequestIdMiddleware
from privacy import keys

SUBJECT = uuid.UUID("5b0c1d9e-3f7a-4e2b-9c61-2d8f0a7e4b13")


def through_middleware(request):
    """Give a RequestFactory request its id, as RequestIdMiddleware does for real requests."""
    RequestIdMiddleware(lambda r: HttpResponse())(request)
    return request


def test_one_call_writes_one_row_with_the_given_fields(social_worker):
    request = through_middleware(RequestFactory().get("/", REMOTE_ADDR="192.0.2.7"))
    before = timezone.now()

    entry = access_log_write(
        actor=social_worker,
        action=AccessLogEntry.Action.VIEW,
        subject_id=SUBJECT,
        purpose="file",
        request=request,
    )

    assert AccessLogEntry.objects.count() == 1
    row = AccessLogEntry.objects.get()
    assert row.pk == entry.pk
    assert row.seq == 1
    assert row.actor == social_worker
    assert row.actor_role == Role.SOCIAL_WORKER
    assert row.subject_id == SUBJECT
    assert row.action == "view"
    assert row.purpose == "file"
    assert row.outcome == "ok"
    assert row.request_id == request.request_id
    assert len(row.request_id) == 32
    assert row.ip_address == "192.0.2.7"
    assert before <= row.at <= timezone.now()
    assert row.at.utcoffset() == datetime.timedelta(0)
    assert row.prev_mac == GENESIS_MAC
    assert len(row.mac) == 64
    assert int(row.mac, 16) >= 0


def test_the_mac_is_the_hmac_of_the_previous_mac_and_the_rows_content(write_entries):
    first, second = write_entries(2)
    row = AccessLogEntry.objects.values(*SEALED_FIELDS).get(pk=second.pk)

    expected = entry_mac(keys.audit_key(), first.mac, canonical_content(**row))

    assert second.prev_mac == first.mac
    assert second.mac == expected


def test_each_row_takes_the_next_position_and_the_head_follows(write_entries):
    entries = write_entries(3)

    rows = list(AccessLogEntry.objects.order_by("seq").values_list("seq", "prev_mac", "mac"))
    assert [seq for seq, _prev, _mac in rows] == [1, 2, 3]
    assert rows[1][1] == rows[0][2]
    assert rows[2][1] == rows[1][2]
    head = ChainHead.objects.get()
    assert (head.seq, head.mac) == (3, entries[-1].mac)


def test_request_user_as_django_gives_it_is_accepted_as_the_actor(social_worker):
    """Views pass request.user, a lazy wrapper around the user."""
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: social_worker)

    access_log_write(actor=request.user, action="view", request=request)

    row = AccessLogEntry.objects.get()
    assert row.actor_id == social_worker.pk
    assert row.actor_role == Role.SOCIAL_WORKER


def test_a_system_action_has_no_actor_and_no_role(db):
    entry = access_log_write(actor=None, action=AccessLogEntry.Action.ERASE, subject_id=SUBJECT)

    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_role == ""
    assert entry.ip_address is None
    assert entry.request_id == ""


def test_the_role_recorded_is_the_role_at_the_time(social_worker):
    entry = access_log_write(actor=social_worker, action=AccessLogEntry.Action.VIEW)
    set_role(social_worker, Role.MANAGER)

    entry.refresh_from_db()
    assert entry.actor_role == Role.SOCIAL_WORKER
    later = access_log_write(actor=social_worker, action=AccessLogEntry.Action.VIEW)
    assert later.actor_role == Role.MANAGER


def test_a_refused_attempt_is_written_with_its_outcome(other_social_worker):
    access_log_write(
        actor=other_social_worker,
        action=AccessLogEntry.Action.VIEW,
        subject_id=SUBJECT,
        outcome=AccessLogEntry.Outcome.NOT_FOUND,
    )

    assert AccessLogEntry.objects.get().outcome == "not_found"


def test_a_subject_id_given_as_text_is_stored_as_a_uuid(social_worker):
    access_log_write(actor=social_worker, action="view", subject_id=str(SUBJECT).upper())

    assert AccessLogEntry.objects.get().subject_id == SUBJECT
    assert access_log_verify().is_intact


@pytest.mark.parametrize(
    ("remote_addr", "stored"),
    [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("fe80::1%eth0", "fe80::1"),
        ("", None),
        ("unknown", None),
    ],
)
def test_the_address_is_stored_as_the_database_gives_it_back(social_worker, remote_addr, stored):
    """The MAC is computed over the value read back later, so odd addresses still verify."""
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr)

    access_log_write(actor=social_worker, action="view", request=request)

    assert AccessLogEntry.objects.get().ip_address == stored
    assert access_log_verify().is_intact


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("action", {"action": "read_everything"}),
        ("action", {"action": ""}),
        ("outcome", {"outcome": "maybe"}),
        ("purpose", {"purpose": "case\x00file"}),
        ("purpose", {"purpose": "x" * 201}),
        ("subject_id", {"subject_id": "not-a-uuid"}),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(social_worker, field, kwargs):
    arguments = {"actor": social_worker, "action": "view", **kwargs}

    with pytest.raises(ValidationError) as error:
        access_log_write(**arguments)

    assert field in error.value.message_dict
    assert not AccessLogEntry.objects.exists()
    assert not ChainHead.objects.exists()


def test_every_purpose_of_the_closed_list_is_accepted(social_worker):
    for code in Purpose.values:
        access_log_write(actor=social_worker, action="view", purpose=code)

    assert sorted(AccessLogEntry.objects.values_list("purpose", flat=True)) == sorted(
        Purpose.values
    )


@pytest.mark.parametrize(
    "purpose",
    ["opened because Anna Nowak asked", "referral to organisation 7", "x" * 200, "FILE"],
)
def test_a_purpose_outside_the_closed_list_is_refused_without_repeating_it(social_worker, purpose):
    # Free text may name the person; the log would keep it for good (it is never erased).
    with translation.override("en"), pytest.raises(ValidationError) as error:
        access_log_write(actor=social_worker, action="view", purpose=purpose)

    assert error.value.message_dict["purpose"] == [
        "The purpose is not one of the access log's codes."
    ]
    assert purpose not in str(error.value)
    assert not AccessLogEntry.objects.exists()


def test_a_nul_character_is_refused_with_a_clear_message(social_worker):
    # In English, so the test holds before and after the Polish catalogue learns the message.
    with translation.override("en"), pytest.raises(ValidationError) as error:
        access_log_write(actor=social_worker, action="view", purpose="\x00")

    assert error.value.message_dict["purpose"] == ["The purpose may not contain a NUL character."]


def test_a_row_rolled_back_with_the_callers_transaction_leaves_no_gap(social_worker):
    access_log_write(actor=social_worker, action="view")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        access_log_write(actor=social_worker, action="view")
        1 / 0  # noqa: B018

    third = access_log_write(actor=social_worker, action="view")

    assert third.seq == 2
    assert ChainHead.objects.get().seq == 2
    assert access_log_verify().is_intact


def test_the_first_write_creates_the_chain_head(social_worker):
    assert not ChainHead.objects.exists()

    access_log_write(actor=social_worker, action="view")

    assert ChainHead.objects.get().pk == ChainHead.PK


def test_a_write_after_the_chain_head_was_deleted_is_refused(write_entries, raw_sql):
    write_entries(2)
    raw_sql("DELETE FROM audit_chainhead")

    with pytest.raises(RuntimeError, match="chain head is missing"):
        write_entries(1)

    assert AccessLogEntry.objects.count() == 2


def test_a_write_takes_a_constant_number_of_queries(write_entries, django_assert_max_num_queries):
    write_entries(3)

    with django_assert_max_num_queries(5):
        write_entries(1)


def test_the_mac_depends_on_the_audit_key(write_entries, monkeypatch):
    """Without the key nobody can forge a row: another key finds every row changed."""
    write_entries(2)
    monkeypatch.setenv(keys.AUDIT_KEY_VAR, keys.new_key_text())
    keys.reload()
    try:
        result = access_log_verify()
    finally:
        monkeypatch.undo()
        keys.reload()

    assert result.broken.seq == 1
    assert result.broken.problem == "changed"
    assert access_log_verify().is_intact


def test_the_log_holds_no_column_for_a_clients_data(db):
    """Who, whom (an opaque id), what, why, when, from where, and the chain: nothing else."""
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, AccessLogEntry._meta.db_table
            )
        }

    assert columns == {
        "id",
        "chain",
        "seq",
        "at",
        "actor_id",
        "actor_role",
        "subject_id",
        "action",
        "purpose",
        "request_id",
        "ip_address",
        "outcome",
        "way",
        "prev_mac",
        "mac",
    }


def test_many_rows_at_once_are_chained_as_one_by_one(social_worker):
    access_log_write(actor=social_worker, action=AccessLogEntry.Action.VIEW, subject_id=SUBJECT)
    subjects = [uuid.UUID(int=n) for n in range(1, 4)]
    written = access_log_write_many(
        actor=social_worker,
        action=AccessLogEntry.Action.VIEW,
        subject_ids=subjects,
        purpose=Purpose.REPORT_PEOPLE,
    )
    access_log_write(actor=social_worker, action=AccessLogEntry.Action.VIEW, subject_id=SUBJECT)
    assert written == 3
    rows = list(AccessLogEntry.objects.order_by("seq"))
    # One row before, three together, one after: seq 1 … 5, each sealed to the one before.
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert [row.subject_id for row in rows[1:4]] == subjects
    assert {row.purpose for row in rows[1:4]} == {"report_people"}
    assert ChainHead.objects.get().seq == 5
    verification = access_log_verify()
    assert verification.broken is None
    assert verification.entries == 5


def test_many_rows_refuse_a_purpose_off_the_list_and_write_nothing(social_worker):
    with pytest.raises(ValidationError):
        access_log_write_many(
            actor=social_worker, action="view", subject_ids=[SUBJECT], purpose="Jan Kowalski"
        )
    assert not AccessLogEntry.objects.exists()
    assert (
        access_log_write_many(actor=social_worker, action="view", subject_ids=[], purpose="") == 0
    )
