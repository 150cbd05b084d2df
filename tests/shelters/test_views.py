"""The shelters' pages: happy paths, anonymous visitors, wrong roles, facility B, bad input."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from shelters import services
from shelters.models import Ban, Hold, Stay, WaitlistEntry
from tests.factories import make_client, make_facility


@pytest.fixture
def stay(staff_of_a, facility_a, man):
    return services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, notes="Nocna")


@pytest.fixture
def waiting(staff_of_a, facility_a, woman):
    return services.waitlist_add(by=staff_of_a, facility=facility_a, client=woman, reason="R")


def facility_pages(facility):
    return [
        f"/shelters/{facility.pk}/",
        f"/shelters/{facility.pk}/check-in/",
        f"/shelters/{facility.pk}/roll.pdf",
        f"/shelters/{facility.pk}/holds/new/",
        f"/shelters/{facility.pk}/waitlist/",
        f"/shelters/{facility.pk}/bans/",
    ]


def test_anonymous_visitors_are_sent_to_login(client, facility_a, stay):
    for url in [*facility_pages(facility_a), f"/shelters/stays/{stay.pk}/", "/shelters/city/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/login/"), url


@pytest.mark.parametrize("role", ["job_coach", "dpo", "partner", "administrator"])
def test_other_roles_get_403(client, personas, role, facility_a, stay):
    client.force_login(personas[role])
    for url in [*facility_pages(facility_a), f"/shelters/stays/{stay.pk}/", "/shelters/city/"]:
        assert client.get(url).status_code == 403, url


def test_staff_of_facility_a_get_404_for_everything_of_facility_b(
    client, staff_of_a, facility_b, woman
):
    from guardian.shortcuts import assign_perm

    other_staff = make_staff_of(facility_b)
    assign_perm("shelters.operate_facility", other_staff, facility_b)
    stay_b = services.stay_check_in(by=other_staff, facility=facility_b, client=woman)
    hold_b = services.hold_place(
        by=other_staff,
        facility=facility_b,
        bed=facility_b.beds.exclude(pk=stay_b.bed_id).first(),
        until=timezone.now() + datetime.timedelta(hours=1),
        referral="MOPS",
    )
    ban_b = services.ban_impose(
        by=other_staff,
        facility=facility_b,
        client=woman,
        ends_on=timezone.localdate(),
        reason="x",
    )
    client.force_login(staff_of_a)
    for url in facility_pages(facility_b) + [f"/shelters/stays/{stay_b.pk}/"]:
        assert client.get(url).status_code == 404, url
    posts = [
        (f"/shelters/{facility_b.pk}/check-in/", {"client": woman.pk}),
        (f"/shelters/stays/{stay_b.pk}/check-out/", {"destination": "street"}),
        (f"/shelters/holds/{hold_b.pk}/release/", {}),
        (f"/shelters/{facility_b.pk}/night/close/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    stay_b.refresh_from_db()
    assert stay_b.ended_at is None
    assert Hold.objects.active().filter(pk=hold_b.pk).exists()
    assert Ban.objects.filter(pk=ban_b.pk, lifted_at__isnull=True).exists()


def make_staff_of(facility):
    from accounts.roles import Role
    from tests.factories import UserFactory

    return UserFactory(
        username="staff_b", organisation=facility.organisation, role=Role.SHELTER_STAFF
    )


def test_a_social_worker_sees_the_city_view_but_not_the_board(client, social_worker, facility_a):
    client.force_login(social_worker)
    response = client.get("/shelters/city/")
    assert response.status_code == 200
    assert "Noclegownia A" in response.content.decode()
    assert client.get(f"/shelters/{facility_a.pk}/").status_code == 404


def test_the_board_shows_beds_counts_and_display_names_and_logs_one_row(
    client, staff_of_a, facility_a, stay
):
    client.force_login(staff_of_a)
    before = AccessLogEntry.objects.count()
    response = client.get(f"/shelters/{facility_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zdzisław K." in html
    assert "Kalinowski" not in html
    assert 'hx-trigger="every 30s"' in html
    # The poll is marked as a background refresh: it does not keep an unattended session alive.
    assert '"X-Przystan-Refresh": "true"' in html
    assert response.headers["Cache-Control"].startswith("no-store") or "no-store" in str(
        response.headers["Cache-Control"]
    )
    rows = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert [(r.action, r.purpose, r.subject_id) for r in rows] == [("view", "bed_board", None)]


def test_the_board_partial_for_htmx_is_only_the_board(client, staff_of_a, facility_a, stay):
    client.force_login(staff_of_a)
    response = client.get(f"/shelters/{facility_a.pk}/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html


def test_the_board_filters_free_beds(client, staff_of_a, facility_a, stay):
    client.force_login(staff_of_a)
    html = client.get(f"/shelters/{facility_a.pk}/?state=free").content.decode()
    assert "Zdzisław K." not in html
    assert html.count('class="bed bed-free"') == 4


def test_the_board_needs_the_same_number_of_queries_for_5_or_50_beds(
    client, staff_of_a, foundation, django_assert_max_num_queries
):
    from guardian.shortcuts import assign_perm

    small = make_facility(organisation=foundation, name="Mała", rooms=(("Sala 1", "men", 5),))
    big = make_facility(organisation=foundation, name="Duża", rooms=(("Sala 1", "men", 50),))
    for facility in (small, big):
        assign_perm("shelters.operate_facility", staff_of_a, facility)
        for n in range(4 if facility == small else 40):
            services.stay_check_in(
                by=staff_of_a,
                facility=facility,
                client=make_client(first_name="Jan", surname=f"Próbny{n}", sex="male"),
            )
        services.hold_place(
            by=staff_of_a,
            facility=facility,
            bed=facility.beds.exclude(pk__in=Stay.objects.open().values("bed_id")).first(),
            until=timezone.now() + datetime.timedelta(hours=1),
            client=make_client(first_name="Ewa", surname="Zmyślona", sex="male"),
        )
    client.force_login(staff_of_a)
    client.get(f"/shelters/{small.pk}/", headers={"HX-Request": "true"})
    from privacy import vault

    counts = []
    for facility in (small, big):
        vault.cache.clear()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(f"/shelters/{facility.pk}/", headers={"HX-Request": "true"})
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        client.get(f"/shelters/{big.pk}/", headers={"HX-Request": "true"})


def test_check_in_from_the_board_into_the_suggested_bed(
    client, staff_of_a, facility_a, waiting, woman
):
    client.force_login(staff_of_a)
    response = client.post(f"/shelters/{facility_a.pk}/check-in/", {"client": woman.pk})
    assert response.status_code == 302
    stay = Stay.objects.get(client=woman)
    assert stay.bed.room.sex == "women"
    assert WaitlistEntry.objects.get(pk=waiting.pk).status == "admitted"


def test_a_refused_check_in_gives_the_form_back_and_changes_nothing(
    client, staff_of_a, facility_a, waiting, woman, beds, stay
):
    client.force_login(staff_of_a)
    response = client.post(
        f"/shelters/{facility_a.pk}/check-in/", {"client": woman.pk, "bed": stay.bed_id}
    )
    assert response.status_code == 200
    assert Stay.objects.count() == 1
    assert WaitlistEntry.objects.get(pk=waiting.pk).status == "waiting"


def test_a_client_unknown_to_the_facility_cannot_be_checked_in(client, staff_of_a, facility_a):
    stranger = make_client(first_name="Obcy", surname="Nieznany", sex="male")
    client.force_login(staff_of_a)
    response = client.post(f"/shelters/{facility_a.pk}/check-in/", {"client": stranger.pk})
    assert response.status_code == 200
    assert not Stay.objects.exists()


def test_the_stay_page_shows_notes_bans_and_logs_the_read(
    client, staff_of_a, facility_a, stay, man
):
    client.force_login(staff_of_a)
    response = client.get(f"/shelters/stays/{stay.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nocna" in html
    assert AccessLogEntry.objects.filter(
        subject_id=man.pk, action="view", purpose="stay", actor=staff_of_a
    ).exists()


def test_the_stay_page_shows_no_case_file_data(client, staff_of_a, facility_a):
    person = make_client(
        first_name="Kazimierz",
        surname="Olszyński",
        sex="male",
        phone="+48 600 111 222",
        contact_note="Przy dworcu",
    )
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=person)
    client.force_login(staff_of_a)
    html = client.get(f"/shelters/stays/{stay.pk}/").content.decode()
    for secret in ("Olszyński", "600 111 222", "dworcu"):
        assert secret not in html
    assert client.get(f"/clients/{person.pk}/").status_code == 403


def test_check_out_from_the_stay_page(client, staff_of_a, stay):
    client.force_login(staff_of_a)
    response = client.post(f"/shelters/stays/{stay.pk}/check-out/", {"destination": "family"})
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.exit_destination == "family"


def test_check_out_with_a_bad_destination_changes_nothing(client, staff_of_a, stay):
    client.force_login(staff_of_a)
    client.post(f"/shelters/stays/{stay.pk}/check-out/", {"destination": "transfer"})
    stay.refresh_from_db()
    assert stay.ended_at is None


def test_transfer_and_notes_from_the_stay_page(client, staff_of_a, stay, beds):
    client.force_login(staff_of_a)
    client.post(f"/shelters/stays/{stay.pk}/notes/", {"notes": "Nowa notatka"})
    stay.refresh_from_db()
    assert stay.notes == "Nowa notatka"
    target = beds["1.3"] if stay.bed != beds["1.3"] else beds["1.2"]
    response = client.post(f"/shelters/stays/{stay.pk}/transfer/", {"bed": target.pk})
    assert response.status_code == 302
    assert Stay.objects.get(ended_at__isnull=True).bed == target


def test_staff_move_a_man_only_to_beds_he_may_take_and_see_no_override_field(
    client, staff_of_a, manager_of_a, stay, beds
):
    def transfer_form(user):
        client.force_login(user)
        page = client.get(f"/shelters/stays/{stay.pk}/").content.decode()
        return page.split(f'action="/shelters/stays/{stay.pk}/transfer/"')[1].split("</form>")[0]

    staff_form = transfer_form(staff_of_a)
    assert 'name="override_reason"' not in staff_form
    assert f'value="{beds["2.1"].pk}"' not in staff_form
    assert f'value="{beds["1.3"].pk}"' in staff_form
    # A posted women's-room bed is refused as any bed not offered.
    client.post(f"/shelters/stays/{stay.pk}/transfer/", {"bed": beds["2.1"].pk})
    assert Stay.objects.get(ended_at__isnull=True).bed == stay.bed
    manager_form = transfer_form(manager_of_a)
    assert 'name="override_reason"' in manager_form
    assert f'value="{beds["2.1"].pk}"' in manager_form


def test_a_hold_from_the_board_and_its_release(client, staff_of_a, facility_a, beds):
    client.force_login(staff_of_a)
    response = client.post(
        f"/shelters/{facility_a.pk}/holds/new/",
        {"bed": beds["1.1"].pk, "referral": "MOPS 12/2026", "hours": 2},
    )
    assert response.status_code == 302
    hold = Hold.objects.get()
    client.post(f"/shelters/holds/{hold.pk}/release/")
    assert not Hold.objects.active().exists()


def test_a_hold_without_anyone_named_is_refused(client, staff_of_a, facility_a, beds):
    client.force_login(staff_of_a)
    response = client.post(
        f"/shelters/{facility_a.pk}/holds/new/", {"bed": beds["1.1"].pk, "hours": 2}
    )
    assert response.status_code == 200
    assert not Hold.objects.exists()


def test_the_waitlist_offers_a_bed_in_one_click(client, staff_of_a, facility_a, waiting):
    client.force_login(staff_of_a)
    html = client.get(f"/shelters/{facility_a.pk}/waitlist/").content.decode()
    assert "Halina W." in html
    client.post(f"/shelters/{facility_a.pk}/waitlist/offer/")
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    assert waiting.offered_hold.bed.room.sex == "women"


def test_a_social_worker_puts_a_caseload_client_on_a_waitlist(client, social_worker, facility_a):
    from guardian.shortcuts import assign_perm

    person = make_client(first_name="Teresa", surname="Brzozowa", sex="female")
    assign_perm("cases.view_client", social_worker, person)
    stranger = make_client(first_name="Łucja", surname="Cisowska", sex="female")
    client.force_login(social_worker)
    url = f"/shelters/{facility_a.pk}/waitlist/add/"
    assert client.post(url, {"client": stranger.pk, "priority": 1}).status_code == 200
    assert not WaitlistEntry.objects.exists()
    assert client.post(url, {"client": person.pk, "priority": 1}).status_code == 302
    assert WaitlistEntry.objects.get().client == person


def test_bans_are_recorded_by_staff_and_lifted_by_a_manager_only(
    client, staff_of_a, manager_of_a, facility_a, stay, man
):
    client.force_login(staff_of_a)
    ends = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(
        f"/shelters/{facility_a.pk}/bans/", {"client": man.pk, "ends_on": ends, "reason": "Bójka"}
    )
    assert response.status_code == 302
    ban = Ban.objects.get()
    assert client.post(f"/shelters/bans/{ban.pk}/lift/", {"reason": "x"}).status_code == 403
    client.force_login(manager_of_a)
    assert "Bójka" in client.get(f"/shelters/{facility_a.pk}/bans/").content.decode()
    client.post(f"/shelters/bans/{ban.pk}/lift/", {"reason": "Przeprosił"})
    ban.refresh_from_db()
    assert ban.lifted_by == manager_of_a


def test_a_ban_without_a_reason_is_refused(client, staff_of_a, facility_a, stay, man):
    client.force_login(staff_of_a)
    response = client.post(
        f"/shelters/{facility_a.pk}/bans/",
        {"client": man.pk, "ends_on": "2030-01-01", "reason": ""},
    )
    assert response.status_code == 200
    assert not Ban.objects.exists()


def test_the_roll_is_a_pdf_with_polish_letters_and_no_names_in_its_metadata(
    client, staff_of_a, facility_a
):
    person = make_client(first_name="Łukasz", surname="Żurawiecki", sex="male")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=person)
    client.force_login(staff_of_a)
    response = client.get(f"/shelters/{facility_a.pk}/roll.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    body = response.content
    assert body.startswith(b"%PDF")
    assert b"DejaVuSans" in body
    assert b"\xc5\x81ukasz" not in body  # the name is in the text, never in clear metadata
    assert AccessLogEntry.objects.filter(action="print", purpose="roll").exists()


def test_the_night_count_as_csv(client, staff_of_a, facility_a, stay):
    client.force_login(staff_of_a)
    night = stay.night_of.isoformat()
    response = client.get(f"/shelters/night-count/?night={night}&format=csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[1].endswith(",0,1,0,1")
    pdf = client.get(f"/shelters/night-count/?night={night}&format=pdf")
    assert pdf.content.startswith(b"%PDF")


def test_the_night_count_refuses_a_future_night(client, staff_of_a, facility_a):
    client.force_login(staff_of_a)
    response = client.get("/shelters/night-count/?night=2999-01-01&format=csv")
    assert response["Content-Type"].startswith("text/html")
