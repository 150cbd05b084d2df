"""The board at a glance: one count everywhere, states told by word and symbol, namesakes told
apart, a check-in that picks a person by typing, and a check-out that records a chosen exit."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessLogEntry
from shelters import selectors, services
from shelters.models import BedOutage, Stay
from tests.factories import make_client, make_facility

H = datetime.timedelta(hours=1)


def numbers(html: str, attribute: str) -> dict[int, int]:
    """{facility id: value} of the data attributes the lists carry for each facility."""
    found = re.findall(r'data-facility="(\d+)" data-free="(\d+)" data-places="(\d+)"', html)
    index = {"free": 1, "places": 2}[attribute]
    return {int(row[0]): int(row[index]) for row in found}


# --- one count --------------------------------------------------------------------------------


def test_the_counts_follow_the_written_definitions(staff_of_a, facility_a, beds, man, evening):
    """Facility A: men's room 1.1-1.3, women's room 2.1-2.2, and one winter mattress M.1."""
    room = beds["1.1"].room
    mattress = facility_a.beds.create(
        room=room, label="M.1", kind="mattress", is_overflow=True, available_from=evening.date()
    )
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    services.hold_place(
        by=staff_of_a, facility=facility_a, bed=beds["1.2"], until=evening + H, referral="MOPS"
    )
    BedOutage.objects.create(bed=beds["2.2"], starts_at=evening - H, reason="Pluskwy")
    # An outage on an occupied bed: the person is in it, so it counts as occupied.
    BedOutage.objects.create(bed=beds["1.1"], starts_at=evening - H, reason="Naprawa")

    counts = selectors.bed_counts([facility_a])[facility_a.pk]
    # Winter mode off: 5 regular places; the mattress is shown as unused, not a place.
    # occupied 1.1; held 1.2; out 2.2; free 1.3 and 2.1 -> 1 + 1 + 1 + 2 = 5 places.
    assert (counts.places, counts.free, counts.occupied, counts.held, counts.out) == (5, 2, 1, 1, 1)
    assert (counts.free_men, counts.free_women, counts.unused) == (1, 1, 1)

    facility_a.is_winter_mode = True
    facility_a.save()
    counts = selectors.bed_counts([facility_a])[facility_a.pk]
    # Winter mode on: the mattress is a place, and free: 6 places, 3 free (1 on the overflow).
    assert (counts.places, counts.overflow_places, counts.free, counts.free_overflow) == (
        6,
        1,
        3,
        1,
    )
    assert counts.free + counts.occupied + counts.held + counts.out + counts.family == 6
    board = selectors.bed_board(facility_a)
    assert board.counts == counts
    assert [row.label for row in board.free_beds] == ["1.3", "2.1", "M.1"]
    assert mattress.pk in {row.id for row in board.free_beds}


@pytest.mark.django_db
def test_the_board_the_facility_list_and_the_city_view_agree_for_every_demo_facility(
    client, settings
):
    from django.core.management import call_command

    from accounts.models import User
    from shelters.models import Facility

    settings.DEMO = True
    call_command("seed_demo")
    staff = User.objects.get(username="schronisko")
    facilities = list(Facility.objects.active())
    counts = selectors.bed_counts(facilities)
    client.force_login(staff)
    listed = numbers(client.get("/shelters/").content.decode(), "free")
    city = client.get("/shelters/city/").content.decode()
    city_free, city_places = numbers(city, "free"), numbers(city, "places")
    # The four of the shelters demo and the facility of the past records the reports demo imports.
    assert len(city_free) == len(facilities) == 5
    for facility in facilities:
        board = selectors.bed_board(facility)
        assert board.counts == counts[facility.pk], facility.name
        assert city_free[facility.pk] == board.counts.free, facility.name
        assert city_places[facility.pk] == board.counts.places, facility.name
        if facility.pk in listed:  # the facilities schronisko works in
            assert listed[facility.pk] == board.counts.free
            page = client.get(f"/shelters/{facility.pk}/").content.decode()
            assert f'data-free="{board.counts.free}"' in page
        c = board.counts
        assert c.free + c.occupied + c.held + c.out + c.family == c.places, facility.name
    assert len(listed) == 3


def test_the_board_s_compiled_statement_gives_the_orm_s_rows(
    staff_of_a, facility_a, beds, man, evening
):
    """selectors.board_beds runs beds_with_state's statement compiled once (issue 14): the same
    rows as the ORM builds for this call's time and facility, every state present."""
    room = beds["1.1"].room
    facility_a.beds.create(
        room=room, label="M.1", kind="mattress", is_overflow=True, available_from=evening.date()
    )
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    services.hold_place(
        by=staff_of_a, facility=facility_a, bed=beds["1.2"], until=evening + H, referral="MOPS"
    )
    BedOutage.objects.create(bed=beds["2.2"], starts_at=evening - H, reason="Pluskwy")
    selectors.board_beds(timezone.now(), facility_a.pk)  # compiled here at the latest
    assert selectors._board_beds_compiled[connection.alias] is not None
    for at in (timezone.now(), evening - 2 * H, evening + 2 * H):
        fast = [
            (*r[:5], bool(r[5]), bool(r[6]), r[7]) for r in selectors.board_beds(at, facility_a.pk)
        ]
        assert fast == list(selectors._board_beds_query(at, facility_a.pk))
    states = {row[7] for row in selectors.board_beds(timezone.now(), facility_a.pk)}
    # 1.1 occupied, 1.2 held, 2.2 out, 1.3 and 2.1 free, the mattress unused (winter mode off).
    assert states == {"occupied", "held", "out", "free", "unused"}


def test_the_city_view_counts_in_a_constant_number_of_queries(
    client, social_worker, foundation, django_assert_max_num_queries
):
    for n in range(6):
        make_facility(organisation=foundation, name=f"Placówka {n}")
    client.force_login(social_worker)
    with CaptureQueriesContext(connection) as few:
        client.get("/shelters/city/")
    for n in range(6, 20):
        make_facility(organisation=foundation, name=f"Placówka {n}")
    with django_assert_max_num_queries(len(few)):
        assert client.get("/shelters/city/").status_code == 200


# --- the board at a glance ----------------------------------------------------------------------


def test_each_state_has_a_word_and_a_symbol_and_the_free_beds_come_first(
    client, staff_of_a, facility_a, beds, man, evening
):
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    services.hold_place(
        by=staff_of_a, facility=facility_a, bed=beds["1.2"], until=evening + H, referral="MOPS"
    )
    BedOutage.objects.create(bed=beds["2.2"], starts_at=evening - H, reason="Pluskwy")
    client.force_login(staff_of_a)
    html = client.get(f"/shelters/{facility_a.pk}/").content.decode()
    for state, symbol, word in (
        ("free", "○", "wolne"),
        ("occupied", "●", "zajęte"),
        ("held", "◐", "rezerwacja"),
        ("out", "✕", "wyłączone"),
    ):
        row = re.search(rf'<li class="bed bed-{state}">.*?</li>', html, re.S).group(0)
        assert symbol in row and word in row, state
    # The counts are the legend, in Polish plural forms: 2 wolne, 1 zajęte, 1 zarezerwowane.
    assert "2 wolne" in html and "1 zajęte" in html and "1 zarezerwowane" in html
    assert "z 5 miejsc" in html
    # The free beds are listed before the rooms, each a link to check in there.
    assert html.index('class="free-bed"') < html.index('class="room"')
    assert f"check-in/?bed={beds['1.3'].pk}" in html
    # The waitlist and last night's guests are at the top, one tap away (collapsed).
    assert html.index('id="waiting"') < html.index('class="room"')
    assert html.index('id="returning"') < html.index('class="room"')


def test_polish_counts_take_the_right_plural_form(client, staff_of_a, foundation):
    from guardian.shortcuts import assign_perm

    big = make_facility(organisation=foundation, name="Duża", rooms=(("Sala 1", "men", 22),))
    assign_perm("shelters.operate_facility", staff_of_a, big)
    client.force_login(staff_of_a)
    html = client.get(f"/shelters/{big.pk}/").content.decode()
    # 22 free (few: "wolne"), of 22 places ("miejsc"); 0 occupied (many: "zajętych").
    assert "22 wolne" in html and "z 22 miejsc" in html and "0 zajętych" in html


def test_the_htmx_refresh_brings_the_counts_along(client, staff_of_a, facility_a, man):
    client.force_login(staff_of_a)
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    html = client.get(f"/shelters/{facility_a.pk}/", headers={"HX-Request": "true"}).content
    html = html.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert 'id="board-summary"' in html and 'hx-swap-oob="true"' in html
    assert 'data-free="4"' in html


# --- namesakes ----------------------------------------------------------------------------------


@pytest.fixture
def namesakes(db):
    """Two men who both show as "Ryszard D.": born 1971 and 1985."""
    return (
        make_client(
            first_name="Ryszard",
            surname="Dębowiak",
            sex="male",
            birth_date=datetime.date(1971, 5, 2),
        ),
        make_client(
            first_name="Ryszard",
            surname="Dąbrowski",
            sex="male",
            birth_date=datetime.date(1985, 9, 9),
        ),
    )


def test_namesakes_are_told_apart_by_year_of_birth_and_short_id_never_the_pesel(
    client, staff_of_a, facility_a, namesakes
):
    banned, waiting = namesakes
    services.ban_impose(
        by=staff_of_a,
        facility=facility_a,
        client=banned,
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
        reason="Bójka",
    )
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=waiting)
    client.force_login(staff_of_a)
    marks = {p: f"{p.birth_year} · #{str(p.pk).replace('-', '')[:4]}" for p in namesakes}
    bans = client.get(f"/shelters/{facility_a.pk}/bans/").content.decode()
    board = client.get(f"/shelters/{facility_a.pk}/").content.decode()
    waitlist = client.get(f"/shelters/{facility_a.pk}/waitlist/").content.decode()
    assert marks[banned] in bans and marks[waiting] in bans  # the list, and the form's choices
    assert marks[waiting] in board and marks[waiting] in waitlist
    assert "Dębowiak" not in board + bans + waitlist


def test_check_in_refuses_the_banned_namesake_by_identity_and_admits_the_other(
    client, staff_of_a, facility_a, namesakes
):
    banned, waiting = namesakes
    services.ban_impose(
        by=staff_of_a,
        facility=facility_a,
        client=banned,
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
        reason="Bójka",
    )
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=waiting)
    client.force_login(staff_of_a)
    url = f"/shelters/{facility_a.pk}/check-in/search/"
    html = client.post(url, {"q": "ryszard d"}, headers={"HX-Request": "true"}).content.decode()
    # Both are found; the banned one says so and cannot be picked.
    assert html.count('name="client"') == 2
    banned_row = re.search(r'<li class="candidate candidate-banned">.*?</li>', html, re.S)[0]
    assert (
        str(banned.pk) in banned_row and "disabled" in banned_row and "zakaz pobytu" in banned_row
    )
    response = client.post(f"/shelters/{facility_a.pk}/check-in/", {"client": banned.pk})
    assert response.status_code == 200
    assert "zakaz" in response.content.decode()
    assert not Stay.objects.exists()
    response = client.post(f"/shelters/{facility_a.pk}/check-in/", {"client": waiting.pk})
    assert response.status_code == 302
    assert Stay.objects.get().client == waiting


# --- check-in by typing ------------------------------------------------------------------------


def test_the_check_in_search_finds_known_people_by_the_start_of_a_name_sorted(
    client, staff_of_a, facility_a, woman, django_assert_max_num_queries
):
    """Known to facility A: Halina Wierzbowa (waiting); three Bogdans who stayed before
    (Żurawiecki, Cisowski, Brzozowy) and Bogdan Kalinowski, in a bed now. Bogdan Obcy is
    known to nobody here."""
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=woman)
    earlier = {}
    now = timezone.now()
    for n, surname in enumerate(("Żurawiecki", "Cisowski", "Brzozowy", "Kalinowski")):
        person = make_client(first_name="Bogdan", surname=surname, sex="male")
        stay = services.stay_check_in(
            by=staff_of_a, facility=facility_a, client=person, started_at=now - (40 - 2 * n) * H
        )
        if surname != "Kalinowski":
            services.stay_check_out(
                by=staff_of_a, stay=stay, destination="street", ended_at=now - (39 - 2 * n) * H
            )
        earlier[surname] = str(person.pk)
    make_client(first_name="Bogdan", surname="Obcy", sex="male")
    client.force_login(staff_of_a)
    url = f"/shelters/{facility_a.pk}/check-in/search/"

    def found(text):
        html = client.post(url, {"q": text}, headers={"HX-Request": "true"}).content.decode()
        return re.findall(r'value="([0-9a-f-]{36})"', html)

    # Sorted by surname; never Kalinowski (in a bed now), never Obcy (unknown here).
    assert found("bog") == [earlier["Brzozowy"], earlier["Cisowski"], earlier["Żurawiecki"]]
    # Case and Polish letters do not matter; every word must begin a name.
    assert found("ZURAW") == [earlier["Żurawiecki"]]
    assert found("bogdan c") == [earlier["Cisowski"]]
    assert found("ogdan") == []
    # Nothing typed: the people expected tonight (waiting or holding a bed).
    assert found("") == [str(woman.pk)]
    # One access-log row per search, no subject.
    rows = AccessLogEntry.objects.filter(action="search", purpose="check_in_form")
    assert rows.count() == 5 and not rows.exclude(subject_id=None).exists()
    # The query count does not grow with the number of names found.
    with CaptureQueriesContext(connection) as one:
        found("bogdan c")
    with django_assert_max_num_queries(len(one)):
        found("bog")


def test_the_search_is_a_post_and_works_without_javascript(client, staff_of_a, facility_a, woman):
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=woman)
    client.force_login(staff_of_a)
    url = f"/shelters/{facility_a.pk}/check-in/search/"
    # A name never travels in a URL.
    assert client.get(url, {"q": "Halina"}).status_code == 405
    page = client.post(url, {"q": "hal"}).content.decode()
    assert "<html" in page and str(woman.pk) in page and 'value="hal"' in page
    response = client.post(f"/shelters/{facility_a.pk}/check-in/", {"client": woman.pk})
    assert response.status_code == 302


def test_a_check_in_without_a_person_gives_a_clear_error(client, staff_of_a, facility_a):
    client.force_login(staff_of_a)
    response = client.post(f"/shelters/{facility_a.pk}/check-in/", {"client": ""})
    assert response.status_code == 200
    assert "Wybierz osobę do przyjęcia" in response.content.decode()


def test_the_check_in_message_names_the_bed_not_the_person(client, staff_of_a, facility_a, woman):
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=woman)
    client.force_login(staff_of_a)
    response = client.post(
        f"/shelters/{facility_a.pk}/check-in/", {"client": woman.pk}, follow=True
    )
    text = [str(m) for m in response.context["messages"]]
    assert text == ["Przyjęto na miejsce: Sala 2 / 2.1."]
    assert "Halina" not in " ".join(text)


def test_other_facilities_staff_cannot_search_here(client, staff_of_a, facility_b):
    client.force_login(staff_of_a)
    assert client.post(f"/shelters/{facility_b.pk}/check-in/search/", {"q": "a"}).status_code == 404


# --- check-out ----------------------------------------------------------------------------------


@pytest.fixture
def stay(staff_of_a, facility_a, man):
    return services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)


def test_the_check_out_has_no_preselected_destination(client, staff_of_a, stay):
    client.force_login(staff_of_a)
    html = client.get(f"/shelters/stays/{stay.pk}/").content.decode()
    select = re.search(r'<select name="destination".*?</select>', html, re.S)[0]
    assert "selected" not in select.replace('value="" selected', "")
    assert '<option value="" selected>— wybierz —</option>' in select
    assert '<option value="unknown">Nieznane</option>' in select


def test_a_check_out_without_a_destination_is_a_form_error_and_changes_nothing(
    client, staff_of_a, stay
):
    client.force_login(staff_of_a)
    response = client.post(f"/shelters/stays/{stay.pk}/check-out/", {})
    assert response.status_code == 200
    assert "Wybierz, dokąd osoba odeszła" in response.content.decode()
    stay.refresh_from_db()
    assert stay.ended_at is None and stay.exit_destination == ""


def test_the_check_out_confirms_what_was_recorded_without_a_name(client, staff_of_a, stay):
    client.force_login(staff_of_a)
    response = client.post(
        f"/shelters/stays/{stay.pk}/check-out/", {"destination": "rented_room"}, follow=True
    )
    stay.refresh_from_db()
    assert stay.exit_destination == "rented_room"
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Wynajęty pokój" in text and str(stay.bed) in text
    assert "Zdzisław" not in text


def test_same_bed_as_last_night_is_offered_only_where_that_bed_is_free(
    client, staff_of_a, facility_a, beds, man, woman, evening
):
    import time_machine

    other = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=other, bed=beds["1.2"])
    with time_machine.travel(evening + 24 * H, tick=False):
        services.night_rollover(facility=facility_a)
        # Someone new took 1.2 tonight; 1.1 is free again.
        stranger = make_client(first_name="Mirosław", surname="Grabiński", sex="male")
        services.waitlist_add(by=staff_of_a, facility=facility_a, client=stranger)
        services.stay_check_in(by=staff_of_a, facility=facility_a, client=stranger, bed=beds["1.2"])
        client.force_login(staff_of_a)
        html = client.get(f"/shelters/{facility_a.pk}/").content.decode()
    returning = re.search(r'<details id="returning">.*?</details>', html, re.S)[0]
    rows = re.findall(r"<li>.*?</li>", returning, re.S)
    by_bed = {("1.1" if "1.1" in row else "1.2"): row for row in rows}
    assert "To samo łóżko" in by_bed["1.1"]
    assert f'name="bed" value="{beds["1.1"].pk}"' in by_bed["1.1"]
    assert "to łóżko jest zajęte" in by_bed["1.2"] and 'name="bed"' not in by_bed["1.2"]


def test_markup_in_names_notes_and_reasons_is_escaped_on_the_board(
    client, staff_of_a, facility_a, beds, evening
):
    """The board's rows are built as strings (shelters/rows.py): every value must be escaped."""
    person = make_client(first_name="<script>x</script>", surname="<b>Zły</b>", sex="male")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=person, bed=beds["1.1"])
    services.hold_place(
        by=staff_of_a,
        facility=facility_a,
        bed=beds["1.2"],
        until=evening + H,
        referral='MOPS <img src=x onerror="alert(1)">',
    )
    BedOutage.objects.create(bed=beds["2.2"], starts_at=evening - H, reason="<i>Pluskwy</i>")
    client.force_login(staff_of_a)
    html = client.get(f"/shelters/{facility_a.pk}/").content.decode()
    for raw in ("<script>x", "<b>", "<img", "<i>Pluskwy"):
        assert raw not in html, raw
    assert "&lt;script&gt;x&lt;/script&gt; &lt;." in html
    assert "&lt;img src=x" in html and "&lt;i&gt;Pluskwy" in html


def test_markup_in_a_name_is_printed_as_text_on_the_roll(client, staff_of_a, facility_a, beds):
    import io

    from pypdf import PdfReader

    person = make_client(first_name='<a href="javascript:x">Jan</a>', surname="Zły", sex="male")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=person, bed=beds["1.1"])
    client.force_login(staff_of_a)
    response = client.get(f"/shelters/{facility_a.pk}/roll.pdf")
    pdf = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert '<a href="javascript:x">Jan</a> Zły' in text
    assert not any("/Annots" in page for page in pdf.pages)


@pytest.mark.parametrize("role", ["job_coach", "dpo", "partner", "administrator"])
def test_other_roles_cannot_search_or_open_a_household(client, personas, role, facility_a):
    client.force_login(personas[role])
    assert client.post(f"/shelters/{facility_a.pk}/check-in/search/", {"q": "a"}).status_code == 403
    assert client.get(f"/shelters/{facility_a.pk}/check-in/").status_code == 403
    assert client.get("/shelters/households/1/").status_code == 403


def test_bed_choices_offer_the_regular_beds_first_and_the_overflow_last(facility_a, evening):
    facility_a.is_winter_mode = True
    facility_a.save()
    hallway = facility_a.rooms.create(name="Korytarz", sex="men")
    facility_a.beds.create(
        room=hallway, label="M1", kind="mattress", is_overflow=True, available_from=evening.date()
    )
    from shelters.views import _beds_for_choice
    from shelters.walkin_forms import WalkInForm

    # The one list the walk-in form, the check-in and the transfer offer.
    form = WalkInForm(prefix="new", beds=_beds_for_choice(facility_a))
    offered = [str(label) for value, label in form.fields["bed"].choices if value]
    assert offered[0].startswith("Sala") and offered[-1].startswith("Korytarz"), offered


# --- the refresh's fixed cost (issue 14) --------------------------------------------------------


def test_the_board_s_refresh_renders_the_board_alone_in_a_fixed_number_of_statements(
    client, staff_of_a, facility_a, beds, man, evening
):
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    client.force_login(staff_of_a)
    url = f"/shelters/{facility_a.pk}/"
    client.get(url, headers={"HX-Request": "true"})  # statements compiled, keys cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    # The board and its counts (swapped out of band), nothing of the page around them.
    assert [t.name for t in response.templates] == [
        "shelters/_board.html",
        "shelters/_board_summary.html",
    ]
    for key in ("waiting", "returning", "absent", "filters", "checkout_form"):
        assert key not in response.context
    assert "<nav" not in html and "<html" not in html
    assert "Zdzisław K." in html and 'hx-swap-oob="true"' in html
    # Each free bed links to the check-in with that bed (the address built once).
    check_in = f"/shelters/{facility_a.pk}/check-in/?bed="
    assert {f"{check_in}{beds[label].pk}" for label in ("1.2", "1.3", "2.1", "2.2")} <= set(
        re.findall(r'href="([^"]+\?bed=\d+)"', html)
    )
    # The session with the erasure epoch (the people's keys were cached by the request before:
    # privacy/sessions.py, vault.py); the user with their roles and the second factor's
    # condition; the facility check; the beds; the open stays; then the access-log row in its
    # own transaction (a savepoint inside the test's): the head read and locked, the row and
    # the head's move (two statements on SQLite, one on PostgreSQL), the savepoint released:
    # 5 + 5 or 5 + 4. (Outside a test's transaction, on PostgreSQL, the row is two round trips:
    # audit.services._append_alone, tests/audit/test_append_alone.py.)
    row_and_head = 2 if connection.vendor == "sqlite" else 1
    assert len(queries) == 5 + 3 + row_and_head, [q["sql"][:60] for q in queries]
    # The row of the read is written, with the request's own user.
    assert AccessLogEntry.objects.filter(purpose="bed_board", actor=staff_of_a).count() == 2


def test_the_full_board_still_shows_the_filters_and_a_filtered_refresh_keeps_its_filter(
    client, staff_of_a, facility_a, beds, man, evening
):
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    client.force_login(staff_of_a)
    url = f"/shelters/{facility_a.pk}/"
    page = client.get(url)
    assert 'class="board-filters"' in page.content.decode()
    assert not page.context["filters"].is_bound
    refresh = client.get(f"{url}?state=occupied", headers={"HX-Request": "true"})
    html = refresh.content.decode()
    assert "?state=occupied" in html and "Zdzisław K." in html
    # Only the occupied bed is drawn; the other four are filtered out.
    assert re.findall(r'class="bed (bed-[a-z]+)"', html) == ["bed-occupied"]
