"""The shelters' pages in Polish: counts in their plural forms, participles that agree with the
person's known sex (a neutral form when it is not known), no names in messages, dates as
27.11.2026."""

import datetime
import re

from shelters import services
from tests.factories import make_client, make_facility


def counts_text(client, facility) -> str:
    page = client.get(f"/shelters/{facility.pk}/").content.decode()
    summary = page.split('id="board-summary"')[1].split("</ul>")[0]
    return re.sub(r"<[^>]+>|\s+", " ", summary)


def test_counts_take_their_polish_plural_forms(client, staff_of_a, facility_a, beds, evening):
    client.force_login(staff_of_a)
    # Five beds, all free: "5 wolnych".
    text = counts_text(client, facility_a)
    assert "5 wolnych" in text and "z 5 miejsc" in text
    # A hold and a guest: "3 wolne", "1 zarezerwowane", "1 zajęte".
    services.hold_place(
        by=staff_of_a,
        facility=facility_a,
        bed=beds["1.1"],
        until=evening + datetime.timedelta(hours=2),
        referral="MOPS",
    )
    man = make_client(first_name="Jan", surname="Próbny", sex="male")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.2"])
    text = counts_text(client, facility_a)
    assert "3 wolne" in text and "1 zarezerwowane" in text and "1 zajęte" in text
    other = make_client(first_name="Jan", surname="Inny", sex="male")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=other, bed=beds["1.3"])
    text = counts_text(client, facility_a)
    assert "2 wolne" in text and "2 zajęte" in text


def test_a_single_free_place_reads_one_free(client, staff_of_a, foundation):
    from guardian.shortcuts import assign_perm

    small = make_facility(organisation=foundation, name="Mała", rooms=(("Sala 1", "any", 1),))
    assign_perm("shelters.operate_facility", staff_of_a, small)
    client.force_login(staff_of_a)
    assert "1 wolne" in counts_text(client, small)
    assert "z 1 miejsca" in counts_text(client, small)


def test_the_check_in_message_is_one_neutral_sentence_for_everyone(
    client, staff_of_a, facility_a, beds, evening
):
    client.force_login(staff_of_a)
    people = [
        ("female", "Halina", beds["2.1"], "Przyjęto na miejsce: Sala 2 / 2.1."),
        ("male", "Zdzisław", beds["1.1"], "Przyjęto na miejsce: Sala 1 / 1.1."),
        ("not_known", "Alex", beds["1.2"], "Przyjęto na miejsce: Sala 1 / 1.2."),
    ]
    for sex, first_name, bed, expected in people:
        person = make_client(first_name=first_name, surname="Testowy", sex=sex)
        services.waitlist_add(by=staff_of_a, facility=facility_a, client=person)
        response = client.post(
            f"/shelters/{facility_a.pk}/check-in/",
            {"client": person.pk, "bed": bed.pk},
            follow=True,
        )
        text = [str(m) for m in response.context["messages"]]
        assert text == [expected]
        assert first_name not in text[0]


def test_the_stay_page_agrees_with_the_person_and_writes_dates_the_polish_way(
    client, staff_of_a, facility_a, woman, evening
):
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=woman)
    client.force_login(staff_of_a)
    page = client.get(f"/shelters/stays/{stay.pk}/").content.decode()
    assert "Przyjęta" in page
    assert "Ostatnio widziana" in page and "Ostatnio widziany" not in page
    assert "15.01.2026 21:00" in page
    assert "2026-01-15" not in page.split("<main")[1]


def test_ending_last_nights_stays_counts_them_in_polish(
    client, staff_of_a, facility_a, beds, evening
):
    night_before = evening - datetime.timedelta(days=1)
    for n, label in enumerate(("1.1", "1.2")):
        person = make_client(first_name="Jan", surname=f"Nocny{n}", sex="male")
        services.stay_check_in(
            by=staff_of_a,
            facility=facility_a,
            client=person,
            bed=beds[label],
            started_at=night_before,
        )
    client.force_login(staff_of_a)
    response = client.post(f"/shelters/{facility_a.pk}/night/close/", follow=True)
    text = [str(m) for m in response.context["messages"]]
    assert text == ["Zakończono 2 pobyty z ostatniej nocy."]
