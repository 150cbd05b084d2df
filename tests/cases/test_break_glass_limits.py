"""Break-glass and do-not-disclose (issue 9, hole 6), and what an emergency reader sees.

A worker whose own client is on a victim's do-not-disclose list could open her file by
break-glass if they knew its id. Now break-glass is refused (and logged as denied) when the
reader reaches, by any other way, a person on the file's list; and an emergency reader sees no
children's names, no sensitive notes, no health facts and no special-category documents.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import assign_perm

from audit.models import AccessLogEntry
from cases import services
from cases.models import BreakGlassAccess
from cases.services import _assign  # as the factories hold files
from tests.factories import TEST_PASSWORD, make_client

EMERGENCY = {"reason": "Kryzys w nocy, trzeba ustalić leki", "confirm_password": TEST_PASSWORD}
PDF = b"%PDF-1.4\n% synthetic test document\n"


@pytest.fixture
def victim(social_worker):
    """A woman in the foundation worker's caseload."""
    return make_client(first_name="Teresa", surname="Brzozowa", sex="female", holder=social_worker)


@pytest.fixture
def aggressor(db):
    """Her former partner, also a client (of whoever the test says)."""
    return make_client(first_name="Bogdan", surname="Brzozowy")


@pytest.fixture
def hidden_from_aggressor(social_worker, victim, aggressor):
    """Her file names him: his workers must never learn of her."""
    return services.do_not_disclose_add(
        by=social_worker, client=victim, person_name="Bogdan Brzozowy", other_client=aggressor
    )


def _reaches_aggressor(way, *, worker, aggressor, manager, team, facility_a):
    """Make `worker` reach the aggressor by `way` (and by nothing else)."""
    if way == "holder":
        _assign(client=aggressor, worker=worker, by=worker)
    elif way == "team":
        holder = team.group.user_set.exclude(pk=worker.pk).first()
        _assign(client=aggressor, worker=holder, by=manager)
        services.client_handover(by=manager, client=aggressor, to_worker=holder, team=team)
    elif way == "facility_staff":
        from shelters import services as shelter_services

        # He stays tonight in the night shelter the worker also works in.
        assign_perm("shelters.operate_facility", worker, facility_a)
        shelter_services.stay_check_in(by=worker, facility=facility_a, client=aggressor)


@pytest.mark.parametrize("way", ["holder", "team", "facility_staff"])
def test_break_glass_is_refused_and_logged_when_the_reader_reaches_the_person_she_hides_from(
    client, other_social_worker, manager, team, facility_a, victim, aggressor,
    hidden_from_aggressor, way,
):  # fmt: skip
    _reaches_aggressor(
        way, worker=other_social_worker, aggressor=aggressor, manager=manager, team=team,
        facility_a=facility_a,
    )  # fmt: skip
    client.force_login(other_social_worker)
    response = client.post(f"/clients/{victim.pk}/break-glass/", EMERGENCY)
    # As missing as a file that never was: the refusal itself tells nothing.
    assert response.status_code == 404
    assert not BreakGlassAccess.objects.exists()
    assert client.get(f"/clients/{victim.pk}/").status_code == 404
    refused = AccessLogEntry.objects.filter(
        actor=other_social_worker, subject_id=victim.pk, action="break_glass"
    )
    assert [row.outcome for row in refused] == ["denied"]


def test_the_service_refuses_too_and_logs_it(
    other_social_worker, victim, aggressor, hidden_from_aggressor
):
    _assign(client=aggressor, worker=other_social_worker, by=other_social_worker)
    with pytest.raises(PermissionDenied):
        services.break_glass_open(by=other_social_worker, client=victim, reason=EMERGENCY["reason"])
    assert not BreakGlassAccess.objects.exists()
    assert AccessLogEntry.objects.filter(
        actor=other_social_worker,
        subject_id=victim.pk,
        action="break_glass",
        purpose="break_glass_open",
        outcome="denied",
    ).exists()


def test_an_emergency_access_stops_opening_the_file_once_the_list_names_someone_the_reader_holds(
    client, social_worker, other_social_worker, victim, aggressor
):
    _assign(client=aggressor, worker=other_social_worker, by=other_social_worker)
    services.break_glass_open(by=other_social_worker, client=victim, reason=EMERGENCY["reason"])
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{victim.pk}/").status_code == 200
    services.do_not_disclose_add(
        by=social_worker, client=victim, person_name="Bogdan Brzozowy", other_client=aggressor
    )
    assert client.get(f"/clients/{victim.pk}/").status_code == 404


def test_break_glass_still_opens_a_file_whose_list_names_nobody_the_reader_reaches(
    client, other_social_worker, victim, hidden_from_aggressor
):
    client.force_login(other_social_worker)
    assert client.post(f"/clients/{victim.pk}/break-glass/", EMERGENCY).status_code == 302
    assert client.get(f"/clients/{victim.pk}/").status_code == 200


def test_the_search_hides_her_from_a_worker_who_reaches_him_through_a_facility(
    client, other_social_worker, manager, team, facility_a, victim, aggressor,
    hidden_from_aggressor,
):  # fmt: skip
    _reaches_aggressor(
        "facility_staff", worker=other_social_worker, aggressor=aggressor, manager=manager,
        team=team, facility_a=facility_a,
    )  # fmt: skip
    client.force_login(other_social_worker)
    html = client.post(
        "/clients/search/", {"surname": "Brzozowa", "first_name": "Teresa"}
    ).content.decode()
    assert "Nikt nie pasuje" in html


@pytest.fixture
def emergency_reader(other_social_worker, victim):
    services.break_glass_open(by=other_social_worker, client=victim, reason=EMERGENCY["reason"])
    return other_social_worker


def test_an_emergency_reader_sees_no_childrens_names(
    client, social_worker, emergency_reader, victim
):
    services.household_member_add(
        by=social_worker,
        client=victim,
        first_name="Zuzanna",
        surname="Brzozowa",
        birth_date=datetime.date(2019, 4, 2),
        relationship="child",
        sex="female",
    )
    client.force_login(emergency_reader)
    html = client.get(f"/clients/{victim.pk}/household/").content.decode()
    assert "Zuzanna" not in html
    # What the household is stays readable: a child born in 2019.
    assert "Dziecko" in html and "2019" in html
    client.force_login(social_worker)
    assert "Zuzanna" in client.get(f"/clients/{victim.pk}/household/").content.decode()


def test_an_emergency_reader_sees_no_special_category_documents(
    client, social_worker, emergency_reader, victim
):
    kept = {}
    for kind, title in (
        ("identity", "Skan dowodu"),
        ("medical", "Wypis ze szpitala"),
        ("decision", "Orzeczenie o niepełnosprawności"),
        ("other", "Pismo bez opisu"),
    ):
        kept[kind] = services.document_upload(
            by=social_worker, client=victim, kind=kind, title=title, content=PDF
        )
    client.force_login(emergency_reader)
    html = client.get(f"/clients/{victim.pk}/documents/").content.decode()
    assert "Skan dowodu" in html
    for title in ("Wypis ze szpitala", "Orzeczenie", "Pismo bez opisu"):
        assert title not in html
    url = f"/clients/{victim.pk}/documents/"
    assert client.get(f"{url}{kept['identity'].pk}/").status_code == 200
    for kind in ("medical", "decision", "other"):
        assert client.get(f"{url}{kept[kind].pk}/").status_code == 404, kind
    client.force_login(social_worker)
    assert client.get(f"{url}{kept['medical'].pk}/").status_code == 200


def test_an_emergency_reader_sees_no_health_facts_in_the_history_or_the_assessments(
    client, social_worker, emergency_reader, victim
):
    services.client_update(
        by=social_worker,
        client=victim,
        health_note="Cukrzyca, insulina rano",
        addictions=["alcohol"],
        phone="+48 600 100 200",
    )
    services.assessment_record(
        by=social_worker,
        client=victim,
        kind="intake",
        assessed_on=timezone.localdate(),
        scores={"housing": 2, "mental_health": 1},
        notes={"mental_health": "Leczenie psychiatryczne", "housing": "Noclegownia"},
    )
    client.force_login(emergency_reader)
    history = client.get(f"/clients/{victim.pk}/history/").content.decode()
    assert "Cukrzyca" not in history and "alcohol" not in history
    assert "600 100 200" in history
    assessments = client.get(f"/clients/{victim.pk}/assessments/").content.decode()
    assert "Leczenie psychiatryczne" not in assessments and "Zdrowie psychiczne" not in assessments
    assert "Noclegownia" in assessments
    client.force_login(social_worker)
    assert "Cukrzyca" in client.get(f"/clients/{victim.pk}/history/").content.decode()


def test_an_emergency_reader_sees_no_do_not_disclose_warning(
    client, emergency_reader, victim, hidden_from_aggressor
):
    client.force_login(emergency_reader)
    assert "Bogdan" not in client.get(f"/clients/{victim.pk}/").content.decode()
