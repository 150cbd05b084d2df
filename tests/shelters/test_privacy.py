"""A hold's referral note is sealed (issue 9, hole 8): under the client's key, or a data subject
of the hold's own; notes written in clear before migration 0004 are sealed by it. (Flash messages
without names: test_board.py; the timeline's local dates: test_timeline.py.)"""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from privacy import vault
from privacy.models import Subject
from shelters import services
from shelters.models import Hold
from tests.factories import make_client

NOTE = "MOPS Przykładowo, skierowanie 41/2026, Ryszard Dębowiak"


def raw_referrals(table: str) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT referral FROM {table}")  # noqa: S608 - a fixed table name
        rows = cursor.fetchall()
    # Before the migration the column is text; after it, ciphertext.
    return [v.encode() if isinstance(v, str) else bytes(v) for (v,) in rows]


def test_a_referral_note_is_stored_encrypted_in_the_live_and_history_tables(
    staff_of_a, facility_a, beds
):
    hold = services.hold_place(
        by=staff_of_a,
        facility=facility_a,
        bed=beds["1.1"],
        until=timezone.now() + datetime.timedelta(hours=2),
        referral=NOTE,
    )
    rows = raw_referrals("shelters_hold") + raw_referrals("shelters_historicalhold")
    assert len(rows) == 2
    for raw in rows:
        assert b"Ryszard" not in raw and b"41/2026" not in raw
    # Nobody is named, so the note has a data subject of its own (a key to erase it by).
    assert hold.client_id is None
    assert Subject.objects.get(pk=hold.subject_id).kind == "referral"
    assert Hold.objects.get().referral == NOTE


def test_a_hold_for_a_client_seals_its_note_under_the_clients_key(
    staff_of_a, facility_a, beds, man, dpo
):
    hold = services.hold_place(
        by=staff_of_a,
        facility=facility_a,
        bed=beds["1.1"],
        until=timezone.now() + datetime.timedelta(hours=2),
        client=man,
        referral="MOPS 12/2026",
    )
    assert hold.subject_id == man.pk
    assert b"12/2026" not in raw_referrals("shelters_hold")[0]
    assert Hold.objects.get().referral == "MOPS 12/2026"
    # Erasing the client makes the note unreadable with the rest of their data.
    from privacy.fields import ERASED
    from privacy.services import CHOSEN_REASONS, subject_erase

    subject_erase(subject=man.subject, by=dpo, reason=CHOSEN_REASONS[0])
    vault.cache.clear()
    assert Hold.objects.get().referral is ERASED


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_notes_written_in_clear_before_it(foundation):
    """Holds written under migration 0003 (clear text) are sealed by 0004, history rows too."""
    before = [("shelters", "0003_household_rooms")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Facility, Room, Bed = (old.get_model("shelters", n) for n in ("Facility", "Room", "Bed"))
    Hold0, History0 = old.get_model("shelters", "Hold"), old.get_model("shelters", "HistoricalHold")
    facility = Facility.objects.create(organisation_id=foundation.pk, name="Stara", kind="shelter")
    room = Room.objects.create(facility=facility, name="Pokój 1")
    bed = Bed.objects.create(facility=facility, room=room, label="1")
    now = timezone.now()
    for_client = make_client(first_name="Bogdan", surname="Grabiński", sex="male")
    held = [
        Hold0.objects.create(
            facility=facility,
            bed=bed,
            client_id=client_id,
            referral=text,
            starts_at=now - datetime.timedelta(hours=5 - n),
            ends_at=now - datetime.timedelta(hours=4 - n),
        )
        for n, (client_id, text) in enumerate([(None, NOTE), (for_client.pk, "MOPS 7/2026")])
    ]
    for hold in held:
        History0.objects.create(
            id=hold.pk,
            facility_id=facility.pk,
            bed_id=bed.pk,
            client_id=hold.client_id,
            referral=hold.referral,
            starts_at=hold.starts_at,
            ends_at=hold.ends_at,
            history_date=now,
            history_type="+",
        )
    assert any(b"Ryszard" in raw for raw in raw_referrals("shelters_hold"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    for table in ("shelters_hold", "shelters_historicalhold"):
        for raw in raw_referrals(table):
            assert b"Ryszard" not in raw and b"/2026" not in raw
    vault.cache.clear()
    by_pk = {h.pk: h for h in Hold.objects.all()}
    assert by_pk[held[0].pk].referral == NOTE
    assert Subject.objects.get(pk=by_pk[held[0].pk].subject_id).kind == "referral"
    assert by_pk[held[1].pk].subject_id == for_client.pk
    assert by_pk[held[1].pk].referral == "MOPS 7/2026"
    history = {h.id: h for h in Hold.history.all()}
    assert history[held[0].pk].referral == NOTE
    assert history[held[0].pk].subject_id == by_pk[held[0].pk].subject_id
