"""A change of organisation or role, and a deactivation, end what the old position granted.

The outside review moved `schronisko` to another organisation and still opened the old
facility's board, roll, bans and stays. Each app registers what it grants and what must be
handed over first (accounts.positions); these tests hold the services and pages to that.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from accounts import positions, services
from accounts.models import User
from accounts.roles import Role
from cases.models import BreakGlassAccess
from shelters import services as shelter_services
from tests.factories import make_client
from tests.second_factor import confirmation_of

PASSWORD = "correct-horse-battery-staple-42"
# A winter evening (21:00 in Warsaw): check-ins and bans are dated, so the clock stands still.
EVENING = datetime.datetime(2026, 1, 15, 21, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))


@pytest.fixture(autouse=True)
def evening():
    with time_machine.travel(EVENING, tick=False):
        yield EVENING


@pytest.fixture
def facility_records(staff_of_a, facility_a):
    """A stay and a ban in facility A, made by its staff."""
    man = make_client(first_name="Zdzisław", surname="Kalinowski", sex="male")
    woman = make_client(first_name="Halina", surname="Wierzbowa", sex="female")
    stay = shelter_services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    shelter_services.ban_impose(
        by=staff_of_a,
        facility=facility_a,
        client=woman,
        ends_on=EVENING.date() + datetime.timedelta(days=30),
        reason="Agresja wobec innych",
    )
    return {"stay": stay}


def old_facility_pages(facility, stay) -> list[str]:
    return [
        f"/shelters/{facility.pk}/",
        f"/shelters/{facility.pk}/roll.pdf",
        f"/shelters/{facility.pk}/bans/",
        f"/shelters/stays/{stay.pk}/",
    ]


def statuses(client, urls) -> dict[str, int]:
    return {url: client.get(url).status_code for url in urls}


def facility_grants_in_database(user) -> int:
    """Facility permissions of `user` as the database holds them (direct and generic tables)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM shelters_facilityuserobjectpermission WHERE user_id = %s",
            [user.pk],
        )
        direct = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM guardian_userobjectpermission g "
            "JOIN django_content_type t ON t.id = g.content_type_id "
            "WHERE g.user_id = %s AND t.app_label = 'shelters'",
            [user.pk],
        )
        return direct + cursor.fetchone()[0]


def reasons(user) -> list[str]:
    """The history reasons of `user`'s account, oldest first (sign-ins leave none)."""
    rows = user.history.order_by("history_id").values_list("history_change_reason", flat=True)
    return [reason for reason in rows if reason]


def edit(user, *, client, **changes) -> dict:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "organisation": user.organisation_id,
        "role": user.role,
        **confirmation_of(client),
        **changes,
    }


def test_shelter_staff_moved_to_another_organisation_no_longer_open_the_old_facility(
    client, administrator, staff_of_a, facility_a, facility_records, welfare_centre
):
    pages = old_facility_pages(facility_a, facility_records["stay"])
    client.force_login(staff_of_a)
    assert set(statuses(client, pages).values()) == {200}
    # The administrator moves them to the welfare centre (MOPS) on the staff page.
    client.force_login(administrator)
    response = client.post(
        f"/staff/{staff_of_a.pk}/", edit(staff_of_a, client=client, organisation=welfare_centre.pk)
    )
    assert response.status_code == 302
    moved = User.objects.get(pk=staff_of_a.pk)
    assert moved.organisation == welfare_centre
    assert moved.role == Role.SHELTER_STAFF
    client.force_login(moved)
    assert statuses(client, pages) == dict.fromkeys(pages, 404)
    assert client.get("/shelters/").status_code == 200
    assert "Noclegownia A" not in client.get("/shelters/").content.decode()
    assert facility_grants_in_database(moved) == 0
    assert reasons(moved)[-1] == "user_update revoked shelters:1"


def test_a_deactivated_then_reactivated_account_gets_no_facility_back(
    client, manager, staff_of_a, facility_a, facility_records
):
    pages = old_facility_pages(facility_a, facility_records["stay"])
    client.force_login(manager)
    for step in ("deactivate", "reactivate"):
        response = client.post(f"/staff/{staff_of_a.pk}/{step}/", confirmation_of(client))
        assert response.status_code == 302
    back = User.objects.get(pk=staff_of_a.pk)
    assert back.is_active
    assert back.has_role(Role.SHELTER_STAFF)
    assert facility_grants_in_database(back) == 0
    client.force_login(back)
    assert statuses(client, pages) == dict.fromkeys(pages, 404)
    assert reasons(back)[-2:] == ["user_deactivate revoked shelters:1", "user_reactivate"]


def test_shelter_staff_made_a_social_worker_keep_nothing_of_the_facility(
    client, manager, staff_of_a, facility_a, facility_records
):
    # Social workers open facility pages where they hold the permission, so the role alone
    # would not shut the door: the grant itself must go.
    pages = old_facility_pages(facility_a, facility_records["stay"])
    client.force_login(manager)
    response = client.post(
        f"/staff/{staff_of_a.pk}/", edit(staff_of_a, client=client, role=Role.SOCIAL_WORKER)
    )
    assert response.status_code == 302
    worker = User.objects.get(pk=staff_of_a.pk)
    assert worker.role == Role.SOCIAL_WORKER
    client.force_login(worker)
    assert statuses(client, pages) == dict.fromkeys(pages, 404)
    assert facility_grants_in_database(worker) == 0


def test_a_new_name_in_the_same_position_keeps_the_facilities(
    client, manager, staff_of_a, facility_a, facility_records
):
    client.force_login(manager)
    response = client.post(
        f"/staff/{staff_of_a.pk}/", edit(staff_of_a, client=client, last_name="Nowacka")
    )
    assert response.status_code == 302
    renamed = User.objects.get(pk=staff_of_a.pk)
    assert renamed.last_name == "Nowacka"
    assert facility_grants_in_database(renamed) == 1
    assert reasons(renamed)[-1] == "user_update"
    client.force_login(renamed)
    assert client.get(f"/shelters/{facility_a.pk}/").status_code == 200


def test_a_manager_moved_to_another_role_loses_the_facilities_they_worked_in(
    administrator, manager_of_a, facility_a
):
    services.user_update(
        actor=administrator,
        user=manager_of_a,
        first_name="Ewa",
        last_name="Lipińska",
        email="",
        organisation=manager_of_a.organisation,
        role=Role.DPO,
    )
    assert facility_grants_in_database(manager_of_a) == 0


def test_a_deactivated_team_member_leaves_the_team_for_good(manager, team, social_worker):
    services.user_deactivate(actor=manager, user=social_worker)
    services.user_reactivate(actor=manager, user=social_worker)
    assert not team.group.user_set.filter(pk=social_worker.pk).exists()
    assert team.history.first().history_change_reason == (
        f"team_member_remove user={social_worker.pk}"
    )
    assert reasons(social_worker)[-2:] == ["user_deactivate revoked teams:1", "user_reactivate"]


def test_an_emergency_access_ends_with_the_position(
    client, manager, administrator, social_worker, other_social_worker, welfare_centre
):
    from cases.services import break_glass_open

    person = make_client(first_name="Ignacy", surname="Wierzbowy", holder=other_social_worker)
    grant = break_glass_open(by=social_worker, client=person, reason="Kryzys w nocy, pilne")
    client.force_login(social_worker)
    assert client.get(f"/clients/{person.pk}/").status_code == 200
    services.user_update(
        actor=administrator,
        user=social_worker,
        first_name=social_worker.first_name,
        last_name=social_worker.last_name,
        email="",
        organisation=welfare_centre,
        role=Role.SOCIAL_WORKER,
    )
    grant = BreakGlassAccess.objects.get(pk=grant.pk)
    assert grant.expires_at == EVENING
    # The row stays for the manager's review, with the reason of its end in the history.
    assert grant.history.first().history_change_reason == "break_glass_end position"
    client.force_login(User.objects.get(pk=social_worker.pk))
    assert client.get(f"/clients/{person.pk}/").status_code == 404


def test_a_worker_who_holds_files_is_not_moved_and_the_refusal_names_nobody(
    administrator, social_worker, welfare_centre
):
    make_client(first_name="Zenon", surname="Jesionowski", holder=social_worker)
    with pytest.raises(ValidationError) as refusal:
        services.user_update(
            actor=administrator,
            user=social_worker,
            first_name=social_worker.first_name,
            last_name=social_worker.last_name,
            email="",
            organisation=welfare_centre,
            role=Role.SOCIAL_WORKER,
        )
    text = " ".join(refusal.value.messages)
    assert "1 podopieczny wciąż jest przypisany tej osobie" in text
    for name in (social_worker.first_name, social_worker.last_name, "Zenon", "Jesionowski"):
        assert name not in text
    assert User.objects.get(pk=social_worker.pk).organisation_id != welfare_centre.pk


def test_every_app_with_grants_is_registered():
    names = [hooks.name for hooks in positions.registered()]
    assert names == ["cases", "shelters", "teams"]


def test_a_registered_app_is_asked_in_order_and_registering_again_replaces(monkeypatch):
    monkeypatch.setattr(positions, "_REGISTRY", {})
    asked = []
    positions.register("b", revoke=lambda user: asked.append("b") or 2)
    positions.register("a", holdings=lambda user: ["A"], revoke=lambda user: asked.append("a"))
    positions.register("c", holdings=lambda user: ["C1", "C2"])
    assert positions.holdings(object()) == ["A", "C1", "C2"]
    # "a" revoked nothing (None), so only "b" is in the answer.
    assert positions.revoke(object()) == {"b": 2}
    assert asked == ["a", "b"]
    positions.register("c", holdings=lambda user: [])
    assert positions.holdings(object()) == ["A"]
