"""Erasure destroys the key: the person's live and history rows stop opening; nothing else."""

import datetime
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from audit.verify import access_log_verify
from cases.models import Client
from cases.pesel import synthesize
from cases.selectors import client_search
from privacy import files, vault
from privacy.fields import ERASED
from privacy.models import DataKey, ErasureRecord, Subject
from privacy.services import reapply_erasures, subject_erase
from tests.factories import make_client


@pytest.fixture
def people(db):
    born = datetime.date(1970, 3, 4)
    target = make_client(
        first_name="Halina",
        surname="Wierzbowa",
        sex="female",
        birth_date=born,
        pesel=synthesize(born, female=True, serial=321),
    )
    target.phone = "+48 600 100 200"
    target._change_reason = "test edit"
    target.save()
    others = [
        make_client(
            first_name="Bogdan", surname=f"Cisowski{n}", birth_date=datetime.date(1965 + n, 1, 1)
        )
        for n in range(3)
    ]
    return target, others


def counts():
    return list(
        Client.objects.values("birth_year", "sex")
        .annotate(n=Count("pk"))
        .order_by("birth_year", "sex")
    )


def test_erasure_makes_live_and_history_rows_unreadable(people, dpo):
    target, _others = people
    subject_erase(subject=target.subject, by=dpo, reason="request")
    vault.cache.clear()
    erased = Client.objects.get(pk=target.pk)
    assert erased.surname is ERASED
    assert erased.pesel is ERASED
    assert erased.birth_date is ERASED
    history = list(erased.history.all())
    assert len(history) == 2
    assert all(h.surname is ERASED and h.phone is ERASED for h in history)


def test_erasure_destroys_the_wrapped_key_in_the_database(people, dpo):
    target, _ = people
    subject_erase(subject=target.subject, by=dpo, reason="request")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wrapped FROM privacy_datakey WHERE subject_id = %s",
            [target.pk.hex if connection.vendor == "sqlite" else target.pk],
        )
        (wrapped,) = cursor.fetchone()
    assert bytes(wrapped) == b""


def test_erasure_clears_the_blind_indexes_and_search_no_longer_finds_the_person(people, dpo):
    target, _ = people
    pesel = target.pesel
    subject_erase(subject=target.subject, by=dpo, reason="request")
    row = (
        Client.objects.filter(pk=target.pk)
        .values("pesel_bidx", "name_bidx", "surname_birth_bidx")
        .get()
    )
    assert row == {"pesel_bidx": None, "name_bidx": None, "surname_birth_bidx": None}
    assert client_search(pesel=pesel) == []
    assert client_search(surname="Wierzbowa", first_name="Halina") == []


def test_other_people_are_untouched(people, dpo):
    target, others = people
    subject_erase(subject=target.subject, by=dpo, reason="request")
    vault.cache.clear()
    for person in others:
        loaded = Client.objects.get(pk=person.pk)
        assert loaded.surname == person.surname
        assert client_search(surname=person.surname, first_name="Bogdan") == [loaded]


def test_counts_by_year_of_birth_and_sex_are_unchanged(people, dpo):
    target, _ = people
    before = counts()
    subject_erase(subject=target.subject, by=dpo, reason="request")
    assert counts() == before


def test_erasure_is_logged_and_the_access_log_chain_still_verifies(people, dpo):
    from audit.models import AccessLogEntry

    target, _ = people
    subject_erase(subject=target.subject, by=dpo, reason="request")
    entry = AccessLogEntry.objects.filter(subject_id=target.pk, action="erase").get()
    assert entry.actor == dpo
    assert access_log_verify().is_intact


def test_the_ledger_records_only_the_subject_id_and_the_date(
    people, dpo, django_capture_on_commit_callbacks
):
    target, _ = people
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=target.subject, by=dpo, reason="request")
    record = ErasureRecord.objects.get()
    assert record.subject_id == target.pk
    lines = settings.PRZYSTAN_ERASURE_LEDGER.read_text().splitlines()
    assert json.loads(lines[-1]) == {
        "subject_id": str(target.pk),
        "erased_on": record.erased_on.isoformat(),
    }


def test_erased_files_are_deleted_from_disk(people, dpo, django_capture_on_commit_callbacks):
    target, _ = people
    stored = files.file_store(
        subject=target.subject,
        content=b"%PDF-1.4 scan",
        label="document",
        content_type="application/pdf",
    )
    path = files.vault_storage().path(stored.storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=target.subject, by=dpo, reason="request")
    import os

    assert not os.path.exists(path)


def test_an_erased_person_cannot_be_erased_twice_or_written(people, dpo):
    target, _ = people
    subject_erase(subject=target.subject, by=dpo, reason="request")
    with pytest.raises(ValidationError):
        subject_erase(subject=target.subject, by=dpo, reason="request")
    loaded = Client.objects.get(pk=target.pk)
    loaded.surname = "Nowe"
    with pytest.raises(vault.SubjectErased):
        loaded.save()


@pytest.mark.parametrize(
    ("reason", "reference"),
    [
        ("  ", ""),
        # Free text is refused: it could name the person, and it outlives their data.
        ("request of Halina Wierzbowa", ""),
        # The system's own code is not the DPO's to give.
        ("reapplied", ""),
        # "Other" needs the reference of the document that states the reason.
        ("other", ""),
        # A reference is a number or a sign: one line, short, with a digit.
        ("request", "Halina Wierzbowa"),
        ("request", "IOD/1\nHalina"),
        ("request", "IOD." + "1" * 40),
    ],
)
def test_erasure_needs_a_reason_from_the_list_and_a_short_reference(people, dpo, reason, reference):
    target, _ = people
    with pytest.raises(ValidationError):
        subject_erase(subject=target.subject, by=dpo, reason=reason, reference=reference)
    assert not Subject.objects.get(pk=target.pk).is_erased
    assert not DataKey.objects.get(subject_id=target.pk).destroyed_at


def test_the_ledger_keeps_the_reason_code_and_the_reference_and_the_log_only_the_code(people, dpo):
    from audit.models import AccessLogEntry

    target, _ = people
    subject_erase(subject=target.subject, by=dpo, reason="other", reference="IOD.0123.4.2026")
    record = ErasureRecord.objects.get(subject_id=target.pk)
    assert (record.reason, record.reference, record.erased_by) == ("other", "IOD.0123.4.2026", dpo)
    entry = AccessLogEntry.objects.get(subject_id=target.pk, action="erase")
    assert entry.purpose == "erasure"


def test_only_the_data_protection_officer_erases(people, personas):
    from django.core.exceptions import PermissionDenied

    from accounts.roles import Role

    target, _ = people
    for role, user in personas.items():
        if role in (Role.DPO, Role.CLUSTER_DPO):
            continue
        with pytest.raises(PermissionDenied):
            subject_erase(subject=target.subject, by=user, reason="request")
    assert not Subject.objects.get(pk=target.pk).is_erased


def test_the_ledger_erases_again_after_a_restore_from_backup(
    people, dpo, django_capture_on_commit_callbacks
):
    target, _ = people
    backup = DataKey.objects.values("wrapped", "kek_id").get(subject_id=target.pk)
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=target.subject, by=dpo, reason="request")
    # Restore the pre-erasure state of the key and subject, as a database restore would.
    DataKey.objects.filter(subject_id=target.pk).update(
        wrapped=backup["wrapped"], destroyed_at=None
    )
    Subject.objects.filter(pk=target.pk).update(erased_at=None)
    vault.cache.clear()
    assert Client.objects.get(pk=target.pk).surname == "Wierzbowa"
    call_command("reapply_erasures")
    vault.cache.clear()
    assert Client.objects.get(pk=target.pk).surname is ERASED


def test_reapplying_the_ledger_twice_changes_nothing_more(
    people, dpo, django_capture_on_commit_callbacks
):
    target, _ = people
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=target.subject, by=dpo, reason="request")
    lines = settings.PRZYSTAN_ERASURE_LEDGER.read_text().splitlines()
    assert reapply_erasures(lines) == 0


def test_pages_show_a_placeholder_for_an_erased_client(client, people, social_worker, dpo):
    from guardian.shortcuts import assign_perm

    target, _ = people
    assign_perm("cases.view_client", social_worker, target)
    subject_erase(subject=target.subject, by=dpo, reason="request")
    client.force_login(social_worker)
    for path in (f"/clients/{target.pk}/", f"/clients/{target.pk}/history/", "/clients/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "[usunięto]" in response.content.decode()


def test_an_erased_person_whose_index_came_back_is_still_not_found(people, dpo):
    # A save racing the erasure in another process (its key still cached) may write the
    # indexes back; search must neither find the person nor crash on their erased name.
    target, _ = people
    indexes = Client.objects.filter(pk=target.pk).values("name_bidx", "pesel_bidx").get()
    subject_erase(subject=target.subject, by=dpo, reason="request")
    Client.objects.filter(pk=target.pk).update(**indexes)
    assert client_search(surname="Wierzbowa", first_name="Halina") == []
    assert client_search(pesel=target.pesel) == []


def test_editing_an_erased_client_gives_the_form_back_with_an_error_and_writes_nothing(
    client, people, social_worker, dpo
):
    from guardian.shortcuts import assign_perm

    target, _ = people
    assign_perm("cases.view_client", social_worker, target)
    assign_perm("cases.change_client", social_worker, target)
    subject_erase(subject=target.subject, by=dpo, reason="request")
    history_before = target.history.count()
    client.force_login(social_worker)
    response = client.post(
        f"/clients/{target.pk}/edit/",
        {
            "first_name": "Halina",
            "surname": "Wierzbowa",
            "sex": "female",
            "ethos": "unknown",
            "pathway_stage": "street",
        },
    )
    assert response.status_code == 200
    assert "Dane tej osoby zostały już usunięte." in response.content.decode()
    assert target.history.count() == history_before
    row = (
        Client.objects.filter(pk=target.pk)
        .values("pesel_bidx", "name_bidx", "surname_birth_bidx")
        .get()
    )
    assert row == {"pesel_bidx": None, "name_bidx": None, "surname_birth_bidx": None}


def test_the_update_service_refuses_an_erased_client_even_with_a_key_still_cached(
    people, social_worker, dpo
):
    # Another process may hold the key for a while after the erasure: the service must not rely
    # on the key being gone, or the save would write the blind indexes back.
    from guardian.shortcuts import assign_perm

    from cases.services import client_update

    target, _ = people
    assign_perm("cases.view_client", social_worker, target)
    assign_perm("cases.change_client", social_worker, target)
    key_id, key = vault.key_for_subject(target.pk)
    subject_erase(subject=target.subject, by=dpo, reason="request")
    vault.cache.put(key_id, key, target.pk)
    stale = Client.objects.get(pk=target.pk)
    with pytest.raises(ValidationError):
        client_update(by=social_worker, client=stale, first_name="Halina", surname="Wierzbowa")
    assert Client.objects.filter(pk=target.pk).values_list("name_bidx", flat=True).get() is None


def test_a_person_with_a_document_and_a_signed_consent_form_is_erased(
    people, dpo, social_worker, cooperative, django_capture_on_commit_callbacks
):
    # On ae1736f the document's PROTECT link to its file stopped the deletion of the file rows:
    # ProtectedError, and the whole erasure rolled back (a 500 on the DPO's page).
    import os

    from guardian.shortcuts import assign_perm

    from cases.models import Consent, Document
    from cases.services import consent_record, document_upload

    target, _ = people
    # The caseload's two grants, as an assignment gives them (the rule book reads "view").
    assign_perm("cases.view_client", social_worker, target)
    assign_perm("cases.change_client", social_worker, target)
    document = document_upload(
        by=social_worker, client=target, kind="consent", title="Zgoda", content=b"%PDF-1.4 zgoda"
    )
    consent_record(
        by=social_worker,
        client=target,
        purpose="referral",
        legal_basis="consent",
        given_on=datetime.date(2026, 11, 2),
        partner=cooperative,
        signed_form=document,
    )
    path = files.vault_storage().path(document.file.storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=target.subject, by=dpo, reason="request")
    assert Subject.objects.get(pk=target.pk).is_erased
    assert not os.path.exists(path)
    # The rows stay (counts of documents and consents hold); the file row is marked shredded.
    document = Document.objects.select_related("file").get(pk=document.pk)
    assert document.file.shredded_at is not None
    assert Consent.objects.get(client=target).signed_form_id == document.pk
    with pytest.raises(vault.SubjectErased):
        files.file_read(document.file)
