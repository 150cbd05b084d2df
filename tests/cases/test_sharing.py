"""Consent, referrals and the partner's view; documents stored encrypted and served with care."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from audit.models import AccessLogEntry
from cases import services
from cases.models import Consent, Document, Referral
from privacy import files
from tests.factories import make_client

PDF = b"%PDF-1.4\n% synthetic scan of a consent form\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def own_client(social_worker):
    return make_client(
        first_name="Marianna", surname="Cisowska", sex="female", holder=social_worker
    )


@pytest.fixture
def consent(social_worker, own_client, cooperative):
    return services.consent_record(
        by=social_worker,
        client=own_client,
        purpose="referral",
        legal_basis="consent",
        given_on=timezone.localdate(),
        partner=cooperative,
    )


@pytest.fixture
def referral(social_worker, own_client, cooperative, consent):
    return services.referral_send(
        by=social_worker,
        client=own_client,
        partner=cooperative,
        service="Praca w pralni",
        summary="Chce pracować rano; potrzebuje butów roboczych.",
    )


def test_a_referral_is_refused_without_consent(client, social_worker, own_client, cooperative):
    client.force_login(social_worker)
    response = client.post(
        f"/clients/{own_client.pk}/referrals/",
        {
            "partner": cooperative.pk,
            "service": "Praca w pralni",
            "summary": "Opis",
        },
    )
    assert response.status_code == 200
    assert "nie wyraził zgody" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_worker_records_consent_and_then_refers(client, social_worker, own_client, cooperative):
    client.force_login(social_worker)
    client.post(
        f"/clients/{own_client.pk}/consents/",
        {
            "purpose": "referral",
            "partner": cooperative.pk,
            "legal_basis": "consent",
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert Consent.objects.filter(client=own_client, partner=cooperative).exists()
    response = client.post(
        f"/clients/{own_client.pk}/referrals/",
        {
            "partner": cooperative.pk,
            "service": "Praca w pralni",
            "summary": "Opis dla partnera",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.summary == "Opis dla partnera"


def test_a_sharing_consent_without_a_partner_is_refused(client, social_worker, own_client):
    client.force_login(social_worker)
    response = client.post(
        f"/clients/{own_client.pk}/consents/",
        {
            "purpose": "referral",
            "legal_basis": "consent",
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert not Consent.objects.exists()


def test_the_partner_sees_only_what_the_referral_carries(
    client, partner_user, referral, own_client
):
    services.note_add(
        by=own_client.assignments.get().worker,
        client=own_client,
        kind="phone",
        noted_on=timezone.localdate(),
        text="Tajna notatka z rozmowy",
    )
    client.force_login(partner_user)
    listing = client.get("/clients/partner/").content.decode()
    assert "Marianna C." in listing and "Cisowska" not in listing
    detail = client.get(f"/clients/partner/{referral.pk}/").content.decode()
    assert "butów roboczych" in detail
    assert "Tajna notatka" not in detail and "Cisowska" not in detail
    assert client.get(f"/clients/{own_client.pk}/").status_code == 403
    assert AccessLogEntry.objects.filter(actor=partner_user, subject_id=own_client.pk).exists()


def test_withdrawing_consent_cuts_the_partner_off_in_the_same_request(
    client, social_worker, partner_user, referral, consent, own_client
):
    client.force_login(social_worker)
    client.post(f"/clients/{own_client.pk}/consents/{consent.pk}/withdraw/")
    client.force_login(partner_user)
    assert "Marianna" not in client.get("/clients/partner/").content.decode()
    assert client.get(f"/clients/partner/{referral.pk}/").status_code == 404


def test_a_partner_of_another_organisation_sees_nothing(client, referral, foundation):
    from accounts.roles import Role
    from tests.factories import UserFactory

    other = UserFactory(username="obcy", organisation=foundation, role=Role.PARTNER)
    client.force_login(other)
    assert "Marianna" not in client.get("/clients/partner/").content.decode()
    assert client.get(f"/clients/partner/{referral.pk}/").status_code == 404


def test_the_partner_accepts_then_declines_only_with_a_reason(client, partner_user, referral):
    client.force_login(partner_user)
    client.post(f"/clients/partner/{referral.pk}/", {"status": "accepted"})
    referral.refresh_from_db()
    assert referral.status == "accepted"
    response = client.post(f"/clients/partner/{referral.pk}/", {"status": "declined", "reason": ""})
    assert "Podaj powód odmowy" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_other_roles_cannot_open_the_partner_pages(client, social_worker, shelter_staff):
    for user in (social_worker, shelter_staff):
        client.force_login(user)
        assert client.get("/clients/partner/").status_code == 403


def test_a_document_is_stored_encrypted_on_disk_and_served_no_store(
    client, social_worker, own_client
):
    client.force_login(social_worker)
    upload = SimpleUploadedFile("zgoda-marianna-cisowska.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/clients/{own_client.pk}/documents/",
        {"kind": "consent", "title": "Zgoda Marianny", "file": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    path = files.vault_storage().path(document.file.storage_name)
    with open(path, "rb") as handle:
        on_disk = handle.read()
    assert b"synthetic scan" not in on_disk and b"%PDF" not in on_disk
    assert "cisowska" not in path.lower() and "marianna" not in path.lower()
    download = client.get(f"/clients/{own_client.pk}/documents/{document.pk}/")
    assert download.content == PDF
    assert "no-store" in download["Cache-Control"]
    assert "Marianna" not in download["Content-Disposition"]


def test_a_file_is_typed_by_its_content_not_its_name(client, social_worker, own_client):
    client.force_login(social_worker)
    fake = SimpleUploadedFile(
        "skan.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(
        f"/clients/{own_client.pk}/documents/", {"kind": "other", "title": "x", "file": fake}
    )
    assert response.status_code == 200
    assert "PDF, JPEG i PNG" in response.content.decode()
    assert not Document.objects.exists()


def test_a_png_named_pdf_is_stored_as_png(social_worker, own_client):
    document = services.document_upload(
        by=social_worker, client=own_client, kind="other", title="t", content=PNG
    )
    assert document.file.content_type == "image/png"


@override_settings(DOCUMENT_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused(client, social_worker, own_client):
    client.force_login(social_worker)
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/clients/{own_client.pk}/documents/", {"kind": "other", "title": "x", "file": upload}
    )
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_another_worker_cannot_download_a_document(
    client, social_worker, other_social_worker, own_client
):
    document = services.document_upload(
        by=social_worker, client=own_client, kind="other", title="t", content=PDF
    )
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{own_client.pk}/documents/{document.pk}/").status_code == 404


def test_a_tampered_document_does_not_open(social_worker, own_client):
    from privacy.crypto import DecryptionError

    document = services.document_upload(
        by=social_worker, client=own_client, kind="other", title="t", content=PDF
    )
    path = files.vault_storage().path(document.file.storage_name)
    from pathlib import Path

    data = bytearray(Path(path).read_bytes())
    data[-1] ^= 1
    Path(path).write_bytes(bytes(data))
    with pytest.raises(DecryptionError):
        files.file_read(document.file)
