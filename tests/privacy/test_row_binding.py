"""Field values bound to their row (ciphertext version 2), and the rewrite of older values."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from simple_history.utils import bulk_create_with_history

from cases.models import CaseNote
from privacy import crypto, vault
from privacy.crypto import DecryptionError
from privacy.fields import ERASED, PENDING, row_identity
from privacy.services import BindReport, ciphertexts_bind, encrypted_models, subject_erase
from tests.factories import make_client
from tests.vaulttest.models import Sample

DAY = datetime.date(2026, 3, 2)


def raw_text(table, pk_column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {table} WHERE {pk_column} = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def write_text(table, pk_column, pk, value):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET text = %s WHERE {pk_column} = %s",  # noqa: S608
            [value, pk],
        )


def note(client, author, text):
    row = CaseNote(client=client, kind="conversation", noted_on=DAY, text=text, author=author)
    row.full_clean()
    row.save()
    return row


def sealed_without_row(row):
    """What the vault wrote before row binding (version 1): field and subject only."""
    return vault.encrypt_value(
        b"S" + row.text.encode(), label="note.text", subject_id=row.client_id
    )


@pytest.fixture
def two_notes(social_worker):
    client = make_client(holder=social_worker)
    first = note(client, social_worker, "Rozmowa o mieszkaniu treningowym.")
    second = note(client, social_worker, "Ustalono wizytę w urzędzie pracy.")
    return first, second


def test_a_new_note_is_sealed_bound_to_its_id_right_after_the_insert(two_notes):
    first, _second = two_notes
    blob = raw_text("cases_casenote", "id", first.pk)
    assert blob != PENDING
    assert blob[0] == crypto.ROW_VERSION
    assert CaseNote.objects.get(pk=first.pk).text == "Rozmowa o mieszkaniu treningowym."


def test_two_notes_of_one_person_swapped_in_the_database_do_not_open(two_notes):
    first, second = two_notes
    one = raw_text("cases_casenote", "id", first.pk)
    other = raw_text("cases_casenote", "id", second.pk)
    write_text("cases_casenote", "id", first.pk, other)
    write_text("cases_casenote", "id", second.pk, one)
    # The vault never hands back a swapped value: it raises, as for any tampered ciphertext.
    with pytest.raises(DecryptionError):
        _ = CaseNote.objects.get(pk=first.pk).text
    with pytest.raises(DecryptionError):
        _ = CaseNote.objects.get(pk=second.pk).text


def test_a_version_2_value_relabelled_version_1_does_not_open(two_notes):
    first, _second = two_notes
    blob = bytearray(raw_text("cases_casenote", "id", first.pk))
    blob[0] = crypto.VERSION
    write_text("cases_casenote", "id", first.pk, bytes(blob))
    with pytest.raises(DecryptionError):
        _ = CaseNote.objects.get(pk=first.pk).text


def test_history_rows_open_with_the_id_of_the_row_they_copy(two_notes):
    first, _second = two_notes
    first.text = "Poprawiona notatka."
    first.save()
    texts = [h.text for h in CaseNote.history.filter(id=first.pk).order_by("history_id")]
    assert texts == ["Rozmowa o mieszkaniu treningowym.", "Poprawiona notatka."]
    # A history row's value swapped with the other note's history row does not open either.
    history = CaseNote.history.model
    first_h = history.objects.filter(id=first.pk).order_by("history_id").first()
    second_h = history.objects.exclude(id=first.pk).get()
    blob = raw_text("cases_historicalcasenote", "history_id", second_h.history_id)
    write_text("cases_historicalcasenote", "history_id", first_h.history_id, blob)
    with pytest.raises(DecryptionError):
        _ = history.objects.get(history_id=first_h.history_id).text


def test_bulk_inserts_bind_each_row_and_its_history(social_worker):
    subject = vault.subject_create(kind="client")
    samples = Sample.objects.bulk_create(
        [Sample(subject=subject, text=f"próbka {n}", other_text="") for n in range(3)]
    )
    assert [Sample.objects.get(pk=s.pk).text for s in samples] == [
        "próbka 0",
        "próbka 1",
        "próbka 2",
    ]
    client = make_client(holder=social_worker)
    notes = bulk_create_with_history(
        [
            CaseNote(
                client=client, kind="visit", noted_on=DAY, text=f"wizyta {n}", author=social_worker
            )
            for n in range(2)
        ],
        CaseNote,
    )
    for row in notes:
        assert raw_text("cases_casenote", "id", row.pk)[0] == crypto.ROW_VERSION
        assert CaseNote.history.get(id=row.pk).text == CaseNote.objects.get(pk=row.pk).text


def test_every_encrypted_model_has_one_row_label_of_its_own():
    labels = {}
    for model in encrypted_models():
        label, _pk = row_identity(model)
        original = getattr(model, "instance_type", model)
        labels.setdefault(label, set()).add(original)
    # A history table shares its row label with its model, and no two models share one.
    assert all(len(models) == 1 for models in labels.values()), labels


def downgrade(rows):
    """Rewrite the live and history values of `rows` as the vault wrote them before binding."""
    for row in rows:
        write_text("cases_casenote", "id", row.pk, sealed_without_row(row))
        for h in CaseNote.history.filter(id=row.pk):
            write_text(
                "cases_historicalcasenote", "history_id", h.history_id, sealed_without_row(h)
            )


def test_old_values_still_open_and_bind_ciphertexts_rewrites_them_resumably(two_notes, dpo):
    first, second = two_notes
    erased_client = make_client(first_name="Ewa")
    gone = note(erased_client, first.author, "Notatka osoby usuniętej.")
    downgrade([first, second, gone])
    assert CaseNote.objects.get(pk=first.pk).text == "Rozmowa o mieszkaniu treningowym."
    subject_erase(subject=erased_client.subject, by=dpo, reason="request")

    # Interrupted after the batch (one row) that bound the first note: the second is still old.
    run = ciphertexts_bind(batch_size=1)
    for _done in run:
        if raw_text("cases_casenote", "id", first.pk)[0] == crypto.ROW_VERSION:
            break
    run.close()
    versions = [raw_text("cases_casenote", "id", r.pk)[0] for r in (first, second)]
    assert versions == [crypto.ROW_VERSION, crypto.VERSION]

    report = BindReport()
    list(ciphertexts_bind(batch_size=1, report=report))
    for row in (first, second):
        assert raw_text("cases_casenote", "id", row.pk)[0] == crypto.ROW_VERSION
        for h in CaseNote.history.filter(id=row.pk):
            blob = raw_text("cases_historicalcasenote", "history_id", h.history_id)
            assert blob[0] == crypto.ROW_VERSION
    # Rerun after the interruption: the second note, its history row, and every other value the
    # fixtures wrote since; the erased person's note and history row stay as they were.
    assert report.erased == 2
    assert not report.failed
    assert CaseNote.objects.get(pk=second.pk).text == "Ustalono wizytę w urzędzie pracy."
    assert CaseNote.history.get(id=second.pk).text == "Ustalono wizytę w urzędzie pracy."
    assert CaseNote.objects.get(pk=gone.pk).text is ERASED
    # A second rerun finds nothing left to bind.
    again = BindReport()
    list(ciphertexts_bind(report=again))
    assert again.bound == 0
    call_command("verify_keys")


def test_erasure_still_makes_bound_values_unreadable(two_notes, dpo):
    first, _second = two_notes
    subject_erase(subject=first.client.subject, by=dpo, reason="request")
    vault.cache.clear()
    assert CaseNote.objects.get(pk=first.pk).text is ERASED
    assert CaseNote.history.filter(id=first.pk).get().text is ERASED


def test_the_command_prints_one_line_of_summary(two_notes, capsys):
    downgrade(list(two_notes))
    call_command("bind_ciphertexts")
    out = capsys.readouterr().out
    assert out.startswith("Bound ")
    assert raw_text("cases_casenote", "id", two_notes[0].pk)[0] == crypto.ROW_VERSION
