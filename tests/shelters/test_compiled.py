"""Statements built once a process (config/compiled.py, issue 14): the facility check and the
board's open stays give what the ORM gives, for every way in and out of reach."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from config.compiled import Compiled
from shelters import access, selectors, services
from shelters.models import Facility, Stay


def _fields(facility: Facility) -> dict:
    """Every column of the facility and of its organisation, as loaded."""
    row = {f.attname: getattr(facility, f.attname) for f in Facility._meta.concrete_fields}
    organisation = facility.organisation
    row["organisation"] = {
        f.attname: getattr(organisation, f.attname) for f in organisation._meta.concrete_fields
    }
    return row


def test_the_compiled_facility_check_loads_what_the_orm_loads(staff_of_a, facility_a):
    facility = access.get_facility_for_user(staff_of_a, facility_a.pk)
    assert access._facility_in_reach._statements[connection.alias] is not None
    expected = access.facilities_for_user(staff_of_a).get(pk=facility_a.pk)
    # The organisation came with the facility (select_related), as before: no query for it.
    with CaptureQueriesContext(connection) as queries:
        loaded = _fields(facility)
    assert len(queries) == 0
    assert loaded == _fields(expected)
    # A later call runs the same statement again with its own values.
    assert access.get_facility_for_user(staff_of_a, str(facility_a.pk)).pk == facility_a.pk


def test_the_compiled_facility_check_refuses_what_the_rule_refuses(
    staff_of_a, shelter_staff, facility_a, facility_b, social_worker, job_coach
):
    # Another facility, a missing one, ids out of any key's range and no number at all: 404.
    for facility_id in (facility_b.pk, 987_654, -1, 2**63, -(2**63) - 1, "x", None):
        with pytest.raises(Http404):
            access.get_facility_for_user(staff_of_a, facility_id)
    # A role that never works in a facility, even holding the permission.
    assign_perm(access.OPERATE, job_coach, facility_a)
    with pytest.raises(Http404):
        access.get_facility_for_user(job_coach, facility_a.pk)
    # A social worker without the facility's permission.
    with pytest.raises(Http404):
        access.get_facility_for_user(social_worker, facility_a.pk)
    # A closed facility.
    Facility.objects.filter(pk=facility_a.pk).update(is_active=False)
    with pytest.raises(Http404):
        access.get_facility_for_user(staff_of_a, facility_a.pk)
    Facility.objects.filter(pk=facility_a.pk).update(is_active=True)
    # A deactivated user.
    shelter_staff.is_active = False
    with pytest.raises(Http404):
        access.get_facility_for_user(shelter_staff, facility_a.pk)


def test_the_compiled_facility_check_follows_a_group_s_permission(social_worker, facility_b):
    # Reached through a group the user belongs to (guardian's group table), not their own row.
    team = Group.objects.create(name="team:compiled-test")
    social_worker.groups.add(team)
    with pytest.raises(Http404):
        access.get_facility_for_user(social_worker, facility_b.pk)
    assign_perm(access.OPERATE, team, facility_b)
    assert access.get_facility_for_user(social_worker, facility_b.pk) == facility_b
    social_worker.groups.remove(team)
    with pytest.raises(Http404):
        access.get_facility_for_user(social_worker, facility_b.pk)


def test_the_board_s_compiled_open_stays_are_the_orm_s_rows(
    staff_of_a, facility_a, beds, man, woman, evening
):
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=woman, bed=beds["2.1"])
    fast = selectors._board_stays.rows(facility_id=facility_a.pk)
    assert selectors._board_stays._statements[connection.alias] is not None
    slow = list(selectors._board_stays_query(facility_a.pk))
    assert len(fast) == 2
    # Dates and times converted as the ORM converts them (aware datetimes on SQLite too).
    assert sorted(fast) == sorted(slow)
    assert all(row[3].tzinfo is not None for row in fast)
    board = selectors.bed_board(facility_a)
    names = {row.full_name for row in board.beds if row.state == "occupied"}
    assert names == {"Zdzisław Kalinowski", "Halina Wierzbowa"}
    assert Stay.objects.filter(facility=facility_a, ended_at__isnull=True).count() == 2


def test_a_statement_whose_values_cannot_be_found_is_built_by_the_orm_every_time(facility_a):
    # The id goes nowhere in the statement: the probe is not found, so nothing is compiled.
    compiled = Compiled(lambda facility_id: Facility.objects.all(), ids=("facility_id",))
    assert compiled.objects(facility_id=1) == list(Facility.objects.all())
    assert compiled._statements[connection.alias] is None


@pytest.mark.postgres
def test_on_postgresql_the_board_s_statements_are_prepared_once_per_connection(
    client, staff_of_a, facility_a, beds, man, evening
):
    """The bed board's compiled statements (the facility check, the beds, the open stays), the
    signed-in user's and the session's are prepared on the server; Django's own statements (the
    access log's row among them) are not."""
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    client.force_login(staff_of_a)
    for _ in range(3):
        response = client.get(f"/shelters/{facility_a.pk}/", headers={"HX-Request": "true"})
        assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    for table in ("shelters_facility", "shelters_bed", "shelters_stay", "accounts_user"):
        assert any(s.startswith(f'SELECT "{table}".') for s in prepared), table
    assert any("django_session" in s and "privacy_vaultepoch" in s for s in prepared)
    assert not any("audit_" in s for s in prepared)
    # Each once, whatever the number of refreshes.
    assert len(prepared) == len(set(prepared))
