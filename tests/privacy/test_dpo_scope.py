"""Whom a DPO acts for: an organisation's DPO for its own data subjects only (cannot find,
open, erase or read the log of another organisation's person); the cluster DPO for everyone."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from privacy import scope
from privacy.models import Subject
from privacy.services import subject_erase
from tests.factories import UserFactory, make_client


@pytest.fixture
def ours(social_worker):
    """A client of the foundation (the DPO's organisation)."""
    return make_client(first_name="Ryszard", surname="Dębowski", holder=social_worker)


@pytest.fixture
def theirs(outside_worker):
    """A client of the welfare centre."""
    return make_client(first_name="Mirosław", surname="Sosnówka", holder=outside_worker)


def test_the_dpo_acts_for_their_organisations_people_only(dpo, ours, theirs):
    assert scope.dpo_reaches(dpo, ours.pk)
    assert not scope.dpo_reaches(dpo, theirs.pk)


def test_a_file_handed_over_stays_with_both_organisations_dpos(
    dpo, ours, outside_worker, other_manager, welfare_centre, manager
):
    from cases import services

    # Handed over to the welfare centre: the foundation keeps its records of the file.
    request = services.handover_request(by=outside_worker, client=ours, reason="Przeprowadzka.")
    services.handover_accept(by=manager, handover=request)
    mops_dpo = UserFactory(username="dpo-mops", organisation=welfare_centre, role=Role.DPO)
    assert scope.dpo_reaches(dpo, ours.pk)
    assert scope.dpo_reaches(mops_dpo, ours.pk)


def test_the_cluster_dpo_acts_for_everyone(cluster_dpo, ours, theirs):
    assert scope.dpo_reaches(cluster_dpo, ours.pk)
    assert scope.dpo_reaches(cluster_dpo, theirs.pk)


def test_the_dpo_cannot_find_another_organisations_person(client, dpo, theirs, ours):
    client.force_login(dpo)
    found = client.post("/privacy/people/", {"surname": "Sosnówka", "first_name": "Mirosław"})
    assert found.context["found"] == []
    found = client.post("/privacy/people/", {"surname": "Dębowski", "first_name": "Ryszard"})
    assert [p.subject_id for p in found.context["found"]] == [ours.pk]


def test_the_dpo_cannot_open_another_organisations_person(client, dpo, theirs):
    client.force_login(dpo)
    assert client.get(f"/privacy/people/{theirs.pk}/").status_code == 404
    assert client.get(f"/privacy/erase/{theirs.pk}/").status_code == 404


def test_the_dpo_cannot_erase_another_organisations_person(dpo, theirs):
    with pytest.raises(PermissionDenied):
        subject_erase(subject=Subject.objects.get(pk=theirs.pk), by=dpo, reason="request")
    assert not Subject.objects.get(pk=theirs.pk).is_erased


def test_the_dpos_access_log_export_leaves_out_another_organisations_person(
    client, dpo, theirs, outside_worker
):
    from cases.access import get_client_access

    get_client_access(outside_worker, theirs.pk)
    client.force_login(dpo)
    response = client.get("/privacy/access-log/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    # The welfare centre's worker reading the welfare centre's client: not the DPO's row.
    assert str(theirs.pk) not in body
    assert "Sosnówka" not in body


def test_the_cluster_dpo_finds_opens_and_erases_anyone(client, cluster_dpo, theirs):
    client.force_login(cluster_dpo)
    found = client.post("/privacy/people/", {"surname": "Sosnówka", "first_name": "Mirosław"})
    assert [p.subject_id for p in found.context["found"]] == [theirs.pk]
    assert client.get(f"/privacy/people/{theirs.pk}/").status_code == 200
    subject_erase(subject=Subject.objects.get(pk=theirs.pk), by=cluster_dpo, reason="request")
    assert Subject.objects.get(pk=theirs.pk).is_erased


def test_a_manager_cannot_hand_out_the_cluster_dpo_role(manager):
    from accounts.roles import ASSIGNABLE_BY

    assert Role.CLUSTER_DPO not in ASSIGNABLE_BY[Role.MANAGER]
    assert Role.CLUSTER_DPO in ASSIGNABLE_BY[Role.ADMINISTRATOR]
