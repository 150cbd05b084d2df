"""Restriction of processing (GDPR art. 18): the DPO restricts and lifts; while it holds, the
file is read-only for everyone, each kind of new processing is refused by the one rule
(privacy.restriction), and the refusal is translated."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import AccessLogEntry
from cases import services
from privacy.models import Restriction, Subject
from privacy.restriction import processing_allowed, restriction_lift, restriction_set
from tests.factories import OrganisationFactory, UserFactory, make_client

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
NOON = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=WARSAW)
TODAY = NOON.date()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def ryszard(social_worker):
    return make_client(first_name="Ryszard", surname="Dębowski", holder=social_worker)


@pytest.fixture
def restricted(ryszard, dpo):
    restriction_set(
        by=dpo,
        subject=Subject.objects.get(pk=ryszard.pk),
        reason="accuracy",
        restricted_on=TODAY,
        note="Pismo z 28.11: kwestionuje datę urodzenia.",
    )
    return ryszard


def _refer(by, client):
    """A referral to a partner, with the client's consent to share with it (recorded first,
    while processing is allowed: the referral itself is what is asked)."""
    partner = OrganisationFactory(name="Pralnia", kind="ngo")
    if processing_allowed(client.pk):
        services.consent_record(
            by=by,
            client=client,
            purpose="referral",
            legal_basis="consent",
            given_on=TODAY,
            partner=partner,
        )
    return services.referral_send(
        by=by, client=client, partner=partner, service="Pralnia", summary="Rano."
    )


# Each kind of new processing of a client's file, as the holder would start it.
NEW_PROCESSING = {
    "note": lambda by, c: services.note_add(
        by=by, client=c, kind="conversation", noted_on=TODAY, text="Rozmowa."
    ),
    "assessment": lambda by, c: services.assessment_record(
        by=by, client=c, kind="intake", assessed_on=TODAY, scores={"housing": 2}, notes={}
    ),
    "plan": lambda by, c: services.plan_create(by=by, client=c, kind="ipwzb", starts_on=TODAY),
    "consent": lambda by, c: services.consent_record(
        by=by, client=c, purpose="referral", legal_basis="consent", given_on=TODAY
    ),
    "referral": lambda by, c: _refer(by, c),
    "document": lambda by, c: services.document_upload(
        by=by, client=c, kind="identity", title="Dowód", content=PNG
    ),
    "intake change": lambda by, c: services.client_update(by=by, client=c, phone="600100200"),
    "household member": lambda by, c: services.household_member_add(
        by=by, client=c, first_name="Ola", relationship="child"
    ),
}


@pytest.mark.parametrize("kind", list(NEW_PROCESSING))
def test_each_kind_of_new_processing_is_allowed_before_the_restriction(
    kind, social_worker, ryszard
):
    NEW_PROCESSING[kind](social_worker, ryszard)


@pytest.mark.parametrize("kind", list(NEW_PROCESSING))
def test_each_kind_of_new_processing_is_refused_for_the_holder_of_a_restricted_file(
    kind, social_worker, restricted
):
    with pytest.raises(ValidationError) as refused:
        NEW_PROCESSING[kind](social_worker, restricted)
    assert refused.value.code == "restricted"
    # Polish, by hand: the worker learns why and whom to ask.
    assert "ograniczone" in refused.value.messages[0]
    assert "inspektor" in refused.value.messages[0].lower()


@pytest.mark.parametrize("kind", list(NEW_PROCESSING))
def test_the_dpo_cannot_start_processing_of_a_file_either(kind, dpo, restricted):
    # The DPO reads no case contents and writes none: refused by the rule book, as before.
    with pytest.raises((PermissionDenied, ValidationError)):
        NEW_PROCESSING[kind](dpo, restricted)


def test_a_consent_may_still_be_withdrawn_since_that_stops_processing(social_worker, ryszard, dpo):
    consent = NEW_PROCESSING["consent"](social_worker, ryszard)
    restriction_set(
        by=dpo,
        subject=Subject.objects.get(pk=ryszard.pk),
        reason="legal_claims",
        restricted_on=TODAY,
    )
    services.consent_withdraw(by=social_worker, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY


def test_a_restriction_from_a_later_day_does_not_hold_yet(ryszard, dpo, social_worker):
    restriction_set(
        by=dpo,
        subject=Subject.objects.get(pk=ryszard.pk),
        reason="objection",
        restricted_on=TODAY + datetime.timedelta(days=1),
    )
    assert processing_allowed(ryszard.pk)
    NEW_PROCESSING["note"](social_worker, ryszard)


def test_a_second_restriction_while_one_holds_is_refused(restricted, dpo):
    with pytest.raises(ValidationError):
        restriction_set(
            by=dpo,
            subject=Subject.objects.get(pk=restricted.pk),
            reason="objection",
            restricted_on=TODAY,
        )
    assert Restriction.objects.filter(subject_id=restricted.pk).count() == 1


def test_lifting_is_logged_kept_in_history_and_processing_starts_again(
    restricted, dpo, social_worker
):
    restriction = Restriction.objects.get(subject_id=restricted.pk)
    restriction_lift(by=dpo, restriction=restriction)

    assert processing_allowed(restricted.pk)
    NEW_PROCESSING["note"](social_worker, restricted)
    # Two rows of the log: the restriction and its lifting, both by the DPO, no note in them.
    rows = AccessLogEntry.objects.filter(subject_id=restricted.pk, actor=dpo).order_by("seq")
    assert [r.purpose for r in rows] == ["restriction_set", "restriction_lift"]
    # The history keeps the restriction as set and as lifted.
    history = list(restriction.history.order_by("history_date"))
    assert [h.history_change_reason for h in history] == ["restriction_set", "restriction_lift"]
    assert history[0].lifted_at is None
    assert history[1].lifted_by_id == dpo.pk


def test_lifting_twice_is_refused(restricted, dpo):
    restriction = Restriction.objects.get(subject_id=restricted.pk)
    restriction_lift(by=dpo, restriction=restriction)
    with pytest.raises(ValidationError):
        restriction_lift(by=dpo, restriction=restriction)


def test_the_note_is_ciphertext_in_the_database(restricted):
    restriction = Restriction.objects.get(subject_id=restricted.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM privacy_restriction WHERE id = %s", [restriction.pk])
        (raw,) = cursor.fetchone()
    raw = bytes(raw)
    assert b"kwestionuje" not in raw
    assert "kwestionuje" not in raw.decode("latin-1")
    # The model opens it again.
    assert Restriction.objects.with_keys().get(pk=restriction.pk).note.startswith("Pismo")


# --- the pages -------------------------------------------------------------------------------


def test_the_file_shows_the_restriction_and_no_note_form(client, social_worker, restricted):
    client.force_login(social_worker)
    html = client.get(f"/clients/{restricted.pk}/").content.decode()
    assert "przetwarzanie ograniczone" in html
    assert 'name="text"' not in html


def test_a_note_posted_to_a_restricted_file_is_refused_with_the_reason(
    client, social_worker, restricted
):
    client.force_login(social_worker)
    response = client.post(
        f"/clients/{restricted.pk}/",
        {"kind": "conversation", "noted_on": TODAY.isoformat(), "text": "Nowa notatka."},
    )
    assert response.status_code == 403
    assert "ograniczone" in response.content.decode()
    assert not restricted.notes.exists()
    refused = AccessLogEntry.objects.filter(subject_id=restricted.pk, outcome="denied")
    assert refused.filter(actor=social_worker).exists()


def test_the_search_shows_the_person_as_restricted(client, social_worker, restricted):
    client.force_login(social_worker)
    html = client.post(
        "/clients/search/", {"surname": "Dębowski", "first_name": "Ryszard"}
    ).content.decode()
    assert "przetwarzanie ograniczone" in html


def test_the_dpo_restricts_and_lifts_from_the_person_page(client, dpo, ryszard):
    client.force_login(dpo)
    page = client.get(f"/privacy/people/{ryszard.pk}/restriction/")
    assert page.status_code == 200
    # No reason is chosen for the DPO.
    assert 'value="" selected' in page.content.decode()
    response = client.post(
        f"/privacy/people/{ryszard.pk}/restriction/",
        {"reason": "accuracy", "restricted_on": TODAY.isoformat(), "note": ""},
    )
    assert response.status_code == 302
    assert not processing_allowed(ryszard.pk)
    assert "Ograniczono" in client.get(f"/privacy/people/{ryszard.pk}/").content.decode()

    response = client.post(f"/privacy/people/{ryszard.pk}/restriction/lift/")
    assert response.status_code == 302
    assert processing_allowed(ryszard.pk)


def test_a_restriction_without_a_reason_is_given_back_with_an_error(client, dpo, ryszard):
    client.force_login(dpo)
    response = client.post(
        f"/privacy/people/{ryszard.pk}/restriction/",
        {"reason": "", "restricted_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert processing_allowed(ryszard.pk)


def test_the_social_worker_cannot_restrict(client, social_worker, ryszard):
    client.force_login(social_worker)
    response = client.post(
        f"/privacy/people/{ryszard.pk}/restriction/",
        {"reason": "accuracy", "restricted_on": TODAY.isoformat()},
    )
    assert response.status_code == 403
    assert processing_allowed(ryszard.pk)


def test_another_organisations_dpo_cannot_restrict(client, ryszard, welfare_centre):
    outside_dpo = UserFactory(username="dpo-mops", organisation=welfare_centre, role="dpo")
    client.force_login(outside_dpo)
    response = client.post(
        f"/privacy/people/{ryszard.pk}/restriction/",
        {"reason": "accuracy", "restricted_on": TODAY.isoformat()},
    )
    assert response.status_code == 404
    assert processing_allowed(ryszard.pk)
