"""The DPO's erasure pages: finding a person, one person's erasure with the related people to
decide on, and the paste-an-identifier fallback. Children are subjects of their own: the DPO
decides for each one, and nothing of an erased person is shown anywhere."""

import datetime
import re
import uuid
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from guardian.shortcuts import assign_perm

from accounts.roles import Role
from audit.models import AccessLogEntry
from cases import services as case_services
from cases.models import HouseholdMember
from cases.pesel import synthesize
from privacy.models import DataKey, ErasureRecord, Subject
from privacy.related import AgeBand, age_band
from privacy.services import subject_erase
from tests.factories import make_client
from tests.second_factor import confirmation_of

# 30 November 2026, noon in Warsaw: the ages below are computed on this day.
TODAY = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))
MOTHER = ("Marianna", "Jarzębina")
CHILDREN = ("Jagódka", "Bolesław")
MARKER = "[usunięto]"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def mother(social_worker):
    """A mother in the worker's caseload with two children: Jagódka (7) and Bolesław (unknown
    age: no date or year of birth recorded)."""
    born = datetime.date(1994, 5, 6)
    mother = make_client(
        first_name=MOTHER[0],
        surname=MOTHER[1],
        sex="female",
        birth_date=born,
        pesel=synthesize(born, female=True, serial=118),
        holder=social_worker,
    )
    case_services.household_member_add(
        by=social_worker,
        client=mother,
        first_name=CHILDREN[0],
        surname=MOTHER[1],
        birth_date=datetime.date(2019, 3, 1),
        relationship="child",
        sex="female",
    )
    case_services.household_member_add(
        by=social_worker, client=mother, first_name=CHILDREN[1], relationship="child", sex="male"
    )
    return mother


def members(mother) -> dict[str, HouseholdMember]:
    return {str(m.first_name): m for m in HouseholdMember.objects.filter(household__head=mother)}


def checked(page: str, subject_id: uuid.UUID) -> str | None:
    """The value of the checked radio button of a related person's choice, if any."""
    for tag in re.findall(rf'<input type="radio" name="related_{subject_id.hex}"[^>]*>', page):
        if " checked" in tag:
            return re.search(r'value="([a-z]+)"', tag).group(1)
    return None


def post_erasure(client, dpo, password, subject_id, related=None):
    """The DPO's POST, as the browser sends it: {related subject id: "erase" or "keep"}."""
    client.force_login(dpo)
    return client.post(
        f"/privacy/erase/{subject_id}/",
        {
            "reason": "request",
            "reference": "IOD.7.2026",
            **confirmation_of(client, password),
            **{f"related_{k.hex}": v for k, v in (related or {}).items()},
        },
    )


def test_erasing_a_mother_with_her_children_leaves_no_name_of_theirs_on_the_household_page(
    client, mother, dpo, password, social_worker
):
    kids = members(mother)
    response = post_erasure(
        client,
        dpo,
        password,
        mother.pk,
        {kids["Jagódka"].pk: "erase", kids["Bolesław"].pk: "erase"},
    )
    assert response.status_code == 302
    client.force_login(social_worker)
    page = client.get(f"/clients/{mother.pk}/household/").content.decode()
    for name in (*MOTHER, *CHILDREN):
        assert name not in page
    assert MARKER in page
    assert Subject.objects.filter(erased_at__isnull=False).count() == 3


def test_the_service_erases_the_children_the_dpo_chose_and_keeps_the_others(mother, dpo):
    kids = members(mother)
    subject_erase(
        subject=mother.subject,
        by=dpo,
        reason="request",
        decisions={kids["Jagódka"].pk: True, kids["Bolesław"].pk: False},
    )
    keys = dict(DataKey.objects.values_list("subject_id", "destroyed_at"))
    assert keys[kids["Jagódka"].pk] is not None
    assert keys[kids["Bolesław"].pk] is None
    assert ErasureRecord.objects.get(subject_id=kids["Jagódka"].pk).erased_with == mother.pk
    assert (
        AccessLogEntry.objects.get(subject_id=kids["Jagódka"].pk, action="erase").purpose
        == "erasure_related"
    )


@pytest.mark.parametrize("missing", ["Jagódka", "Bolesław"])
def test_nobody_is_erased_or_kept_silently_a_decision_for_each_related_person_is_required(
    client, mother, dpo, password, missing
):
    kids = members(mother)
    decisions = {kid.pk: "erase" for name, kid in kids.items() if name != missing}
    response = post_erasure(client, dpo, password, mother.pk, decisions)
    assert response.status_code == 200
    assert "To pole jest wymagane." in response.content.decode()
    assert not Subject.objects.filter(erased_at__isnull=False).exists()
    # The service refuses an incomplete answer too, whoever calls it.
    with pytest.raises(ValidationError):
        subject_erase(
            subject=mother.subject,
            by=dpo,
            reason="request",
            decisions={kid.pk: True for name, kid in kids.items() if name != missing},
        )
    assert not Subject.objects.filter(erased_at__isnull=False).exists()


def test_a_minor_is_proposed_for_erasure_and_a_person_of_unknown_age_has_no_default(
    client, mother, dpo
):
    kids = members(mother)
    client.force_login(dpo)
    page = client.get(f"/privacy/erase/{mother.pk}/").content.decode()
    # Jagódka is 7 on 30 November 2026; Bolesław's age is not recorded.
    assert "Dziecko, od 6 do 12 lat" in page
    assert "Dziecko, wiek nieznany" in page
    assert checked(page, kids["Jagódka"].pk) == "erase"
    assert checked(page, kids["Bolesław"].pk) is None
    # The DPO reads no names, no contents: relationship and age band only.
    for name in (*MOTHER, *CHILDREN):
        assert name not in page


def test_erasing_a_child_alone_leaves_the_mother_and_shows_the_marker_in_the_child_s_place(
    client, mother, dpo, password, social_worker
):
    child = members(mother)["Jagódka"]
    client.force_login(dpo)
    page = client.get(f"/privacy/erase/{child.pk}/").content.decode()
    assert "Członek gospodarstwa domowego" in page
    assert 'name="related_' not in page
    assert post_erasure(client, dpo, password, child.pk).status_code == 302
    client.force_login(social_worker)
    household = client.get(f"/clients/{mother.pk}/household/").content.decode()
    assert "Jagódka" not in household
    assert MARKER in household
    assert "Bolesław" in household
    assert "Marianna" in household


def test_a_wrong_password_erases_nobody(client, mother, dpo):
    kids = members(mother)
    response = post_erasure(
        client, dpo, "not-my-password", mother.pk, {k.pk: "erase" for k in kids.values()}
    )
    assert response.status_code == 200
    assert not Subject.objects.filter(erased_at__isnull=False).exists()


def test_bad_input_gives_the_form_back_with_an_error_and_erases_nobody(
    client, mother, dpo, password
):
    kids = members(mother)
    client.force_login(dpo)
    response = client.post(
        f"/privacy/erase/{mother.pk}/",
        {
            "reason": "other",
            "reference": "",
            **confirmation_of(client, password),
            **{f"related_{k.pk.hex}": "erase" for k in kids.values()},
        },
    )
    assert response.status_code == 200
    assert "Przy innej podstawie podaj sygnaturę" in response.content.decode()
    assert not Subject.objects.filter(erased_at__isnull=False).exists()


def test_the_pages_are_the_dpo_s_alone(client, personas, mother):
    paths = ["/privacy/erase/", f"/privacy/erase/{mother.pk}/"]
    for role, user in personas.items():
        client.force_login(user)
        for path in paths:
            # Both DPOs: the organisation's (the mother is nobody's yet) and the cluster's.
            expected = 200 if role in (Role.DPO, Role.CLUSTER_DPO) else 403
            assert client.get(path).status_code == expected, (role, path)
        response = client.post("/privacy/erase/find/", {"pesel": mother.pesel})
        assert response.status_code == (200 if role in (Role.DPO, Role.CLUSTER_DPO) else 403), role
    client.logout()
    for path in paths:
        assert client.get(path)["Location"].startswith("/login/")


def test_an_unknown_identifier_answers_404_and_the_fallback_form_says_so(client, dpo):
    client.force_login(dpo)
    assert client.get(f"/privacy/erase/{uuid.uuid4()}/").status_code == 404
    response = client.post("/privacy/erase/", {"subject_id": str(uuid.uuid4())})
    assert response.status_code == 200
    assert "Nie ma akt o tym identyfikatorze." in response.content.decode()


def test_a_pasted_identifier_leads_to_the_person_s_erasure_page(client, dpo, mother):
    client.force_login(dpo)
    response = client.post("/privacy/erase/", {"subject_id": str(mother.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"/privacy/erase/{mother.pk}/"


def test_the_erasure_page_writes_dates_short_and_offers_a_way_back(client, dpo, mother):
    client.force_login(dpo)
    page = client.get(f"/privacy/erase/{mother.pk}/").content.decode()
    assert "30.11.2026" in page and "listopada" not in page
    assert f'<a href="/privacy/people/{mother.pk}/">Anuluj</a>' in page


def test_an_erased_person_s_page_shows_the_erasure_and_no_form(client, dpo, password, mother):
    kids = members(mother)
    post_erasure(client, dpo, password, mother.pk, {k.pk: "keep" for k in kids.values()})
    page = client.get(f"/privacy/erase/{mother.pk}/").content.decode()
    assert "Dane tej osoby zostały już usunięte." in page
    assert "confirm_password" not in page
    assert "Żądanie osoby" in page


def test_the_dpo_finds_a_person_and_sees_only_the_registration_date_and_the_holder(
    client, dpo, mother
):
    client.force_login(dpo)
    response = client.post(
        "/privacy/erase/find/", {"pesel": mother.pesel, "surname": "", "first_name": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Osoba zarejestrowana 30.11.2026; akta prowadzi Fundacja Testowa." in page
    assert f'href="/privacy/erase/{mother.pk}/"' in page
    # The results name nobody (the PESEL stays only in the search field the DPO filled in).
    results = page.split('aria-live="polite"')[1].split("</section>")[0]
    for shown in (*MOTHER, mother.pesel):
        assert shown not in results
    row = AccessLogEntry.objects.get(actor=dpo, action="search")
    assert (row.subject_id, row.purpose) == (mother.pk, "erasure")


def test_a_search_that_finds_nobody_is_logged_too_and_bad_terms_get_an_error(client, dpo, mother):
    client.force_login(dpo)
    page = client.post(
        "/privacy/erase/find/", {"surname": "Nieznana", "first_name": "Osoba"}
    ).content.decode()
    assert "Nikt nie pasuje." in page
    row = AccessLogEntry.objects.get(actor=dpo, action="search")
    assert (row.subject_id, row.purpose) == (None, "erasure")
    page = client.post("/privacy/erase/find/", {"surname": "Jarzębina"}).content.decode()
    assert "Podaj PESEL albo nazwisko i imię." in page
    assert AccessLogEntry.objects.filter(actor=dpo, action="search").count() == 1
    assert client.get("/privacy/erase/find/").status_code == 405


def test_the_search_never_finds_an_erased_person(client, dpo, mother):
    kids = members(mother)
    subject_erase(
        subject=mother.subject,
        by=dpo,
        reason="request",
        decisions={k.pk: True for k in kids.values()},
    )
    client.force_login(dpo)
    page = client.post("/privacy/erase/find/", {"pesel": "94050611187"}).content.decode()
    assert "Nikt nie pasuje." in page


@pytest.mark.parametrize(
    ("birth_date", "birth_year", "band"),
    [
        (datetime.date(2021, 12, 1), None, AgeBand.UNDER_6),  # 4, a day before 5
        (datetime.date(2020, 11, 30), None, AgeBand.FROM_6_TO_12),  # 6 today
        (datetime.date(2008, 12, 1), None, AgeBand.FROM_13_TO_17),  # 17, 18 tomorrow
        (datetime.date(2008, 11, 30), None, AgeBand.ADULT),  # 18 today
        (None, 2010, AgeBand.FROM_13_TO_17),  # 15 or 16
        (None, 2008, AgeBand.UNKNOWN),  # 17 or 18: a minor or not, the DPO decides
        (None, 2007, AgeBand.ADULT),  # 18 or 19
        (None, None, AgeBand.UNKNOWN),
        (None, 2030, AgeBand.UNKNOWN),  # a year in the future is no age
    ],
)
def test_age_bands_on_30_november_2026(birth_date, birth_year, band):
    on = datetime.date(2026, 11, 30)
    assert age_band(birth_date=birth_date, birth_year=birth_year, on=on) == band


def test_another_organisations_worker_and_shelter_staff_lose_nothing_of_their_own(
    mother, dpo, staff_of_a, facility_a
):
    # The erasure touches the erased subjects' keys only; a client of the facility stays whole.
    other = make_client(first_name="Zdzisław", surname="Kalinowski")
    assign_perm("shelters.operate_facility", staff_of_a, facility_a)
    kids = members(mother)
    subject_erase(
        subject=mother.subject,
        by=dpo,
        reason="request",
        decisions={k.pk: True for k in kids.values()},
    )
    assert DataKey.objects.get(subject_id=other.pk).destroyed_at is None
