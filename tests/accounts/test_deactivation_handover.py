"""A deactivated worker's files go to a chosen successor in the same step; none is left behind."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from accounts import services
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from cases.models import Assignment
from tests.factories import UserFactory, make_client
from tests.second_factor import confirmation


@pytest.fixture
def leaver(foundation):
    """A social worker of the foundation who leaves, holding two files."""
    return UserFactory(username="leaver", organisation=foundation, role=Role.SOCIAL_WORKER)


@pytest.fixture
def files(leaver):
    return [
        make_client(first_name="Adam", surname="Wierzbowy", holder=leaver),
        make_client(first_name="Olga", surname="Lipowa", holder=leaver),
    ]


def holder_of(client):
    return Assignment.objects.current().get(client=client)


def test_deactivating_a_holder_without_a_successor_is_refused_and_changes_nothing(
    manager, leaver, files
):
    with pytest.raises(ValidationError) as refused:
        services.user_deactivate(actor=manager, user=leaver)
    assert "wybierz, kto je przejmie" in " ".join(refused.value.messages)
    leaver.refresh_from_db()
    assert leaver.is_active
    assert {holder_of(c).worker_id for c in files} == {leaver.pk}


def test_deactivation_with_a_successor_moves_every_file_with_history_and_access_log(
    manager, leaver, files, other_social_worker
):
    services.user_deactivate(actor=manager, user=leaver, successor=other_social_worker)
    leaver.refresh_from_db()
    assert not leaver.is_active
    for client in files:
        current = holder_of(client)
        assert current.worker == other_social_worker
        assert current.history.first().history_change_reason == "assign"
        ended = Assignment.objects.get(client=client, worker=leaver)
        assert ended.ended_at is not None
        assert ended.history.first().history_change_reason == "handover"
        assert other_social_worker.has_perm("cases.view_client", client)
        assert AccessLogEntry.objects.filter(
            actor=manager,
            subject_id=client.pk,
            action=AccessLogEntry.Action.HANDOVER,
            purpose=Purpose.HANDOVER,
        ).exists()
    assert not Assignment.objects.current().filter(worker=leaver).exists()


def test_the_files_may_go_to_a_team_the_successor_is_in(
    manager, team, social_worker, other_social_worker
):
    held = make_client(holder=social_worker)
    services.user_deactivate(
        actor=manager, user=social_worker, successor=other_social_worker, team=team
    )
    assert (holder_of(held).worker, holder_of(held).team_id) == (other_social_worker, team.group_id)


@pytest.mark.parametrize("who", ["outside_worker", "manager", "inactive", "leaver"])
def test_the_successor_is_an_active_social_worker_of_the_organisation(
    request, manager, leaver, files, who
):
    if who == "inactive":
        successor = UserFactory(
            username="gone", organisation=manager.organisation, role=Role.SOCIAL_WORKER
        )
        successor.is_active = False
        successor.save()
    else:
        successor = request.getfixturevalue(who)
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=manager, user=leaver, successor=successor)
    assert {holder_of(c).worker_id for c in files} == {leaver.pk}


def test_a_team_without_the_successor_is_refused(manager, leaver, files, outside_team, foundation):
    successor = UserFactory(username="sw9", organisation=foundation, role=Role.SOCIAL_WORKER)
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=manager, user=leaver, successor=successor, team=outside_team)


def test_handing_back_to_a_worker_deactivated_a_moment_ago_is_refused(
    manager, leaver, files, other_social_worker
):
    make_client(holder=other_social_worker)
    services.user_deactivate(actor=manager, user=leaver, successor=other_social_worker)
    # The second manager chose the first leaver, who is gone by now: refused, nothing moves.
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=manager, user=other_social_worker, successor=leaver)
    assert not Assignment.objects.current().filter(worker__is_active=False).exists()


def test_another_organisations_manager_cannot_deactivate(other_manager, leaver, files):
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=other_manager, user=leaver)


def test_the_page_refuses_without_a_choice_and_moves_the_files_with_one(
    client, manager, password, leaver, files, other_social_worker
):
    client.force_login(manager)
    page = client.get(reverse("accounts:staff-edit", args=[leaver.pk])).content.decode()
    assert 'name="successor"' in page
    url = reverse("accounts:staff-deactivate", args=[leaver.pk])
    response = client.post(url, confirmation(manager, password), follow=True)
    assert "wybierz, kto je przejmie" in response.content.decode()
    leaver.refresh_from_db()
    assert leaver.is_active
    client.post(url, {**confirmation(manager, password), "successor": other_social_worker.pk})
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert {holder_of(c).worker_id for c in files} == {other_social_worker.pk}


def test_shelter_staff_cannot_deactivate(client, shelter_staff, password, leaver):
    client.force_login(shelter_staff)
    url = reverse("accounts:staff-deactivate", args=[leaver.pk])
    assert client.post(url, {"confirm_password": password}).status_code in (403, 404)
    leaver.refresh_from_db()
    assert leaver.is_active


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_crossed_deactivations_at_once_leave_no_file_with_an_inactive_holder(
    manager, foundation
):
    first = UserFactory(username="a1", organisation=foundation, role=Role.SOCIAL_WORKER)
    second = UserFactory(username="a2", organisation=foundation, role=Role.SOCIAL_WORKER)
    make_client(holder=first)
    make_client(holder=second)
    barrier = threading.Barrier(2)
    outcomes = []

    def deactivate(user, successor):
        barrier.wait()
        try:
            services.user_deactivate(actor=manager, user=user, successor=successor)
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deactivate, args=(first, second)),
        threading.Thread(target=deactivate, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert not Assignment.objects.current().filter(worker__is_active=False).exists()
