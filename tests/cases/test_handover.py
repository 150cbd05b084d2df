"""Handover requests (issue 9, hole 1): the organisation holding the file decides.

The outside review reproduced the hole: a MOPS worker asked for a foundation's client and the
MOPS manager accepted; the foundation's worker lost the file. Now the manager of the organisation
that holds the file decides (within one organisation, that organisation's manager), the
requester states a reason (encrypted), and both sides see the decision.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry
from cases import services
from cases.models import ClientUserObjectPermission, HandoverRequest
from tests.factories import make_client

REASON = "Klient zamieszkał u nas i przychodzi na dyżury do MOPS"


def in_caseload(user, client_id) -> bool:
    """Whether `user` holds the file: guardian's per-client row (what a handover moves)."""
    return ClientUserObjectPermission.objects.filter(
        user=user, content_object_id=client_id, permission__codename="change_client"
    ).exists()


@pytest.fixture
def own_client(social_worker):
    """A client of the foundation's worker."""
    return make_client(first_name="Ryszard", surname="Modrzewski", holder=social_worker)


@pytest.fixture
def outside_request(outside_worker, own_client):
    """The welfare centre's worker asks for the foundation's client."""
    return services.handover_request(by=outside_worker, client=own_client, reason=REASON)


def test_the_requesting_organisations_manager_cannot_take_another_organisations_file(
    outside_worker, other_manager, own_client, social_worker
):
    # The reproduced attack, through the very service main's decision page called: the MOPS
    # worker asks (a request row, as before reasons were asked), the MOPS manager hands the
    # foundation's file to them.
    HandoverRequest.objects.create(client=own_client, requested_by=outside_worker)
    with pytest.raises(PermissionDenied):
        services.client_handover(by=other_manager, client=own_client, to_worker=outside_worker)
    handover = HandoverRequest.objects.get()
    with pytest.raises(PermissionDenied):
        services.handover_accept(by=other_manager, handover=handover)
    assert in_caseload(social_worker, own_client.pk)
    assert not in_caseload(outside_worker, own_client.pk)
    assert not ClientUserObjectPermission.objects.filter(user=outside_worker).exists()
    handover.refresh_from_db()
    assert handover.status == HandoverRequest.Status.OPEN


def test_the_requesting_organisations_manager_neither_sees_nor_decides_the_request(
    client, outside_worker, other_manager, own_client, social_worker
):
    client.force_login(outside_worker)
    response = client.post(f"/clients/{own_client.pk}/handover/", {"reason": REASON})
    assert response.status_code == 302
    handover = HandoverRequest.objects.get()
    client.force_login(other_manager)
    assert "prosi o akta" not in client.get("/clients/assignments/").content.decode()
    assert client.post(f"/clients/assignments/{handover.pk}/accept/").status_code == 404
    assert client.post(f"/clients/assignments/{handover.pk}/refuse/").status_code == 404
    handover.refresh_from_db()
    assert handover.status == HandoverRequest.Status.OPEN
    assert in_caseload(social_worker, own_client.pk)


def test_the_holding_organisations_manager_hands_the_file_across_organisations(
    client, manager, outside_worker, social_worker, own_client, outside_request
):
    client.force_login(manager)
    html = client.get("/clients/assignments/").content.decode()
    # The manager sees who asks, from where, for whom, and why.
    assert "prosi o akta" in html and "MOPS Testowo" in html
    assert "Modrzewski" in html and "dyżury do MOPS" in html
    response = client.post(f"/clients/assignments/{outside_request.pk}/accept/")
    assert response.status_code == 302
    assert in_caseload(outside_worker, own_client.pk)
    assert not in_caseload(social_worker, own_client.pk)
    outside_request.refresh_from_db()
    assert outside_request.status == HandoverRequest.Status.DONE
    assert outside_request.decided_by == manager and outside_request.decided_at is not None
    newest = outside_request.history.latest()
    assert newest.history_user == manager
    assert newest.history_change_reason == "handover_accept"
    assert AccessLogEntry.objects.filter(
        actor=manager, action="handover", purpose="handover", subject_id=own_client.pk
    ).exists()


def test_refusing_is_a_service_that_records_the_decision_and_a_log_row(
    manager, outside_worker, social_worker, own_client, outside_request
):
    services.handover_refuse(by=manager, handover=outside_request)
    outside_request.refresh_from_db()
    assert outside_request.status == HandoverRequest.Status.REFUSED
    assert outside_request.decided_by == manager and outside_request.decided_at is not None
    newest = outside_request.history.latest()
    assert (newest.history_user, newest.history_change_reason) == (manager, "handover_refuse")
    row = AccessLogEntry.objects.get(purpose="handover_refuse")
    assert (row.actor, row.action, row.subject_id, row.outcome) == (
        manager,
        "handover",
        own_client.pk,
        "ok",
    )
    assert in_caseload(social_worker, own_client.pk)
    assert not in_caseload(outside_worker, own_client.pk)


def test_a_decided_request_is_not_decided_again(client, manager, outside_request):
    services.handover_refuse(by=manager, handover=outside_request)
    with pytest.raises(ValidationError):
        services.handover_accept(by=manager, handover=outside_request)
    client.force_login(manager)
    assert client.post(f"/clients/assignments/{outside_request.pk}/accept/").status_code == 404
    outside_request.refresh_from_db()
    assert outside_request.status == HandoverRequest.Status.REFUSED


def test_the_requester_sees_the_decision_on_their_own_list(
    client, manager, outside_worker, own_client, outside_request
):
    client.force_login(outside_worker)
    html = client.get("/clients/handovers/").content.decode()
    assert "Oczekuje" in html and "dyżury do MOPS" in html
    services.handover_refuse(by=manager, handover=outside_request)
    html = client.get("/clients/handovers/").content.decode()
    assert "Odmówiono" in html and "Fundacja Testowa" in html
    # Once handed over, the list leads to the file.
    second = services.handover_request(by=outside_worker, client=own_client, reason=REASON)
    services.handover_accept(by=manager, handover=second)
    html = client.get("/clients/handovers/").content.decode()
    assert "Przekazano" in html and f"/clients/{own_client.pk}/" in html


def test_a_worker_sees_only_their_own_requests(
    client, other_social_worker, outside_worker, own_client, outside_request
):
    client.force_login(other_social_worker)
    html = client.get("/clients/handovers/").content.decode()
    assert "dyżury do MOPS" not in html
    assert "Nie prosiłeś jeszcze o żadne akta." in html


def test_a_request_without_a_reason_gives_the_form_back_and_stores_nothing(
    client, outside_worker, own_client
):
    client.force_login(outside_worker)
    for reason in ("", "   ", "bo tak"):
        response = client.post(f"/clients/{own_client.pk}/handover/", {"reason": reason})
        assert response.status_code == 200
        assert (
            "Napisz w kilku słowach, dlaczego potrzebujesz tych akt." in response.content.decode()
        )
    assert not HandoverRequest.objects.exists()
    with pytest.raises(ValidationError):
        services.handover_request(by=outside_worker, client=own_client, reason="krótko")


def test_the_reason_is_ciphertext_in_the_live_and_the_history_table(outside_request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM cases_handoverrequest")
        (live,) = cursor.fetchone()
        cursor.execute("SELECT reason FROM cases_historicalhandoverrequest")
        history = [bytes(raw) for (raw,) in cursor.fetchall()]
    assert history
    for raw in [bytes(live), *history]:
        assert b"MOPS" not in raw and "dyżury".encode() not in raw


def test_within_one_organisation_its_manager_decides(
    client, manager, other_manager, other_social_worker, social_worker, own_client
):
    handover = services.handover_request(by=other_social_worker, client=own_client, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.handover_accept(by=other_manager, handover=handover)
    client.force_login(manager)
    assert client.post(f"/clients/assignments/{handover.pk}/accept/").status_code == 302
    assert in_caseload(other_social_worker, own_client.pk)
    assert not in_caseload(social_worker, own_client.pk)


def test_only_managers_decide_and_other_roles_are_refused_the_queue(
    client, personas, outside_request
):
    for role, user in personas.items():
        if role == "manager":
            continue
        client.force_login(user)
        assert client.get("/clients/assignments/").status_code == 403, role
        response = client.post(f"/clients/assignments/{outside_request.pk}/accept/")
        assert response.status_code == 403, role
    outside_request.refresh_from_db()
    assert outside_request.status == HandoverRequest.Status.OPEN


def test_anonymous_visitors_are_sent_to_login(client, own_client, outside_request):
    for path in (f"/clients/{own_client.pk}/handover/", "/clients/handovers/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/login/")
    response = client.post(f"/clients/assignments/{outside_request.pk}/refuse/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_one_cannot_ask_for_a_file_one_holds_or_twice(
    client, social_worker, outside_worker, own_client, outside_request
):
    with pytest.raises(ValidationError):
        services.handover_request(by=social_worker, client=own_client, reason=REASON)
    with pytest.raises(ValidationError):
        services.handover_request(by=outside_worker, client=own_client, reason=REASON)
    assert HandoverRequest.objects.count() == 1


def test_a_missing_file_is_not_found(client, outside_worker, db):
    client.force_login(outside_worker)
    assert client.get("/clients/00000000-0000-0000-0000-000000000000/handover/").status_code == 404


def test_the_queue_stays_constant_in_queries_as_requests_grow(
    client, manager, outside_worker, social_worker
):
    def ask(count):
        for number in range(count):
            person = make_client(first_name=f"Osoba{number}", holder=social_worker)
            services.handover_request(by=outside_worker, client=person, reason=REASON)

    client.force_login(manager)
    ask(2)
    client.get("/clients/assignments/")  # warm the session and the key cache
    with CaptureQueriesContext(connection) as two:
        assert client.get("/clients/assignments/").status_code == 200
    ask(6)
    with CaptureQueriesContext(connection) as eight:
        html = client.get("/clients/assignments/").content.decode()
    assert html.count("prosi o akta") == 8
    assert len(eight) == len(two)


def test_other_roles_are_refused_the_workers_handover_pages(client, personas, own_client):
    for role, user in personas.items():
        if role == "social_worker":
            continue
        client.force_login(user)
        assert client.get("/clients/handovers/").status_code == 403, role
        response = client.post(f"/clients/{own_client.pk}/handover/", {"reason": REASON})
        assert response.status_code == 403, role
    assert not HandoverRequest.objects.exists()


def test_a_file_hidden_from_the_worker_cannot_be_asked_for(
    client, social_worker, outside_worker, own_client
):
    # Her file names a client the MOPS worker holds: for that worker it does not exist.
    aggressor = make_client(first_name="Bogdan", surname="Brzozowy", holder=outside_worker)
    services.do_not_disclose_add(
        by=social_worker, client=own_client, person_name="Bogdan B.", other_client=aggressor
    )
    client.force_login(outside_worker)
    response = client.post(f"/clients/{own_client.pk}/handover/", {"reason": REASON})
    assert response.status_code == 404
    assert not HandoverRequest.objects.exists()
    assert AccessLogEntry.objects.filter(
        actor=outside_worker, subject_id=own_client.pk, action="handover", outcome="denied"
    ).exists()


def test_a_request_made_before_reasons_were_asked_can_still_be_decided(
    client, manager, outside_worker, own_client
):
    # Rows from before migration 0003 have an empty (sealed) reason.
    handover = HandoverRequest.objects.create(client=own_client, requested_by=outside_worker)
    client.force_login(manager)
    assert client.post(f"/clients/assignments/{handover.pk}/accept/").status_code == 302
    handover.refresh_from_db()
    assert handover.status == HandoverRequest.Status.DONE
    assert in_caseload(outside_worker, own_client.pk)
