"""Erasure of a person with one record of every kind, through the DPO's page, as a browser does.

On ae1736f the DPO's page answered 500 for anyone with a document (the document's PROTECT link
to its EncryptedFile stopped the deletion of the file rows, and the whole erasure rolled back),
and a mother's erasure left her children readable. Here one person, Halina (a mother), has a
document, a consent with its signed form, a plan with a goal, a step and a review, a referral, a
note, an assessment, stays, a ban, a hold, a waitlist entry, a household (a child of 6 and an
adult son) placed in a house for single mothers, an emergency access, do-not-disclose entries on
both sides and a handover request. The DPO erases her with the child (the default for a minor)
and keeps the adult son (the default for an adult); every page that showed her then shows a
neutral marker, never her names, never a crash, never ciphertext.
"""

import datetime
import os
import zoneinfo

import pytest
import time_machine
from django.db import connection
from guardian.shortcuts import assign_perm

from audit.models import AccessLogEntry
from audit.verify import access_log_verify
from cases import plans as plan_services
from cases import services as case_services
from cases.models import DoNotDisclose
from cases.pesel import synthesize
from privacy import files, vault
from privacy.fields import ERASED
from privacy.models import DataKey, EncryptedFile, ErasureRecord, Subject
from shelters import services as shelter_services
from shelters.models import Stay
from tests.factories import make_client, make_facility
from tests.second_factor import confirmation_of

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# A winter week: she sleeps at the night shelter on the 10th, is banned from it on the 11th, is
# held a bed and waitlisted at the shelter, and moves with her children into the house on the
# 12th; the DPO erases her on the evening of the 15th.
START = datetime.datetime(2026, 1, 10, 20, 0, tzinfo=WARSAW)
ERASED_AT = datetime.datetime(2026, 1, 15, 21, 0, tzinfo=WARSAW)
HER_NAMES = ("Halina", "Wierzbowa")
CHILD = "Jagódka"
ADULT_SON = "Bolesław"
MARKER = "[usunięto]"
PDF = b"%PDF-1.4\n% a scanned identity card (synthetic)\n"


def _raw(sql: str, *params):
    """One row of the raw database (no model, no decryption)."""
    params = [p.hex if connection.vendor == "sqlite" else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@pytest.fixture
def house(foundation):
    """The foundation's house for single mothers: two family rooms of two beds."""
    return make_facility(
        organisation=foundation,
        name="Dom C",
        kind="mother_house",
        admits="mothers",
        rooms=(("Pokój 1", "women", 2), ("Pokój 2", "women", 2)),
    )


@pytest.fixture
def staff(shelter_staff, facility_a, facility_b, house):
    """The shelter worker operates the night shelter A, the shelter B and the house."""
    for facility in (facility_a, facility_b, house):
        assign_perm("shelters.operate_facility", shelter_staff, facility)
    return shelter_staff


@pytest.fixture
def world(
    social_worker,
    other_social_worker,
    outside_worker,
    staff,
    cooperative,
    facility_a,
    facility_b,
    house,
):
    """Halina with one record of every kind, made through the services; and Ryszard, another
    client of the same worker, on whose do-not-disclose list she is (and he on hers)."""
    with time_machine.travel(START, tick=False) as clock:
        born = datetime.date(1990, 4, 12)
        halina = case_services.client_register(
            by=social_worker,
            first_name="Halina",
            surname="Wierzbowa",
            pesel=synthesize(born, female=True, serial=432),
            birth_date=born,
            sex="female",
            phone="+48 600 100 200",
            health_note="astma",
        )
        ryszard = make_client(first_name="Ryszard", surname="Kalinowski", holder=social_worker)
        case_services.note_add(
            by=social_worker,
            client=halina,
            kind="conversation",
            noted_on=START.date(),
            text="Halina opowiada o eksmisji.",
        )
        case_services.assessment_record(
            by=social_worker,
            client=halina,
            kind="intake",
            assessed_on=START.date(),
            scores={"housing": 1, "income": 2},
            notes={"housing": "Halina śpi na dworcu."},
        )
        plan = plan_services.plan_create(
            by=social_worker,
            client=halina,
            kind="ipwzb",
            starts_on=START.date(),
            situation="Halina Wierzbowa bez mieszkania.",
            requires_approval=False,
        )
        goal = plan_services.goal_add(by=social_worker, plan=plan, text="Mieszkanie treningowe")
        plan_services.step_add(by=social_worker, goal=goal, party="client", text="Złożyć wniosek")
        plan_services.plan_submit(by=social_worker, plan=plan)
        plan_services.plan_review(by=social_worker, plan=plan, note="Halina złożyła wniosek.")
        document = case_services.document_upload(
            by=social_worker, client=halina, kind="identity", title="Dowód Haliny", content=PDF
        )
        case_services.consent_record(
            by=social_worker,
            client=halina,
            purpose="referral",
            legal_basis="consent",
            given_on=START.date(),
            partner=cooperative,
            signed_form=document,
        )
        referral = case_services.referral_send(
            by=social_worker,
            client=halina,
            partner=cooperative,
            service="warsztat szwalni",
            summary="Halina szyje.",
        )
        child = case_services.household_member_add(
            by=social_worker,
            client=halina,
            first_name=CHILD,
            surname="Wierzbowa",
            birth_date=datetime.date(2019, 6, 1),
            relationship="child",
            sex="female",
        )
        son = case_services.household_member_add(
            by=social_worker,
            client=halina,
            first_name=ADULT_SON,
            surname="Wierzbowy",
            birth_date=datetime.date(2005, 2, 1),
            relationship="child",
            sex="male",
        )
        case_services.do_not_disclose_add(
            by=social_worker, client=halina, person_name="Ryszard K.", other_client=ryszard
        )
        case_services.do_not_disclose_add(
            by=social_worker, client=ryszard, person_name="Halina W.", other_client=halina
        )
        case_services.handover_request(
            by=outside_worker, client=halina, reason="Zgłosiła się do MOPS po pomoc."
        )
        # The shelters: a night at A, then a ban there; a hold and a waitlist entry at B.
        shelter_stay = shelter_services.stay_check_in(
            by=staff, facility=facility_a, client=halina, notes="Halina prosi o koc."
        )
        clock.shift(datetime.timedelta(hours=12))
        shelter_services.stay_check_out(by=staff, stay=shelter_stay, destination="other_facility")
        ban = shelter_services.ban_impose(
            by=staff,
            facility=facility_a,
            client=halina,
            ends_on=START.date() + datetime.timedelta(days=60),
            reason="Halina krzyczała w nocy.",
        )
        hold = shelter_services.hold_place(
            by=staff,
            facility=facility_b,
            bed=facility_b.beds.first(),
            until=ERASED_AT + datetime.timedelta(days=2),
            client=halina,
        )
        entry = shelter_services.waitlist_add(
            by=staff, facility=facility_b, client=halina, reason="Halina czeka z dziećmi."
        )
        # The house: she and both children in a room of their own.
        clock.shift(datetime.timedelta(days=1))
        allocation = shelter_services.household_check_in(
            by=staff,
            household=halina.household,
            room=house.rooms.get(name="Pokój 1"),
            notes="Halina z dziećmi.",
        )
    # An hour before the erasure a colleague opens her file in an emergency (for 12 hours).
    with time_machine.travel(ERASED_AT - datetime.timedelta(hours=1), tick=False):
        case_services.break_glass_open(
            by=other_social_worker, client=halina, reason="Nocna interwencja, pilny kontakt."
        )
    house_stay = Stay.objects.get(client=halina, facility=house, ended_at__isnull=True)
    return {
        "halina": halina,
        "ryszard": ryszard,
        "child": child,
        "son": son,
        "document": document,
        "plan": plan,
        "referral": referral,
        "ban": ban,
        "hold": hold,
        "entry": entry,
        "allocation": allocation,
        "house_stay": house_stay,
        "shelter_stay": shelter_stay,
    }


def _erase_through_the_page(client, dpo, password, subject, decisions, *, reason="request"):
    client.force_login(dpo)
    data = {
        "reason": reason,
        "reference": "IOD.0042.1.2026",
        **confirmation_of(client, password),
        **{f"related_{member.pk.hex}": choice for member, choice in decisions.items()},
    }
    return client.post(f"/privacy/erase/{subject.pk}/", data)


def _page(client, user, path) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def _shows_none_of(page: str, *names: str) -> None:
    for name in names:
        assert name not in page


def test_a_person_with_every_kind_of_record_is_erased_from_the_dpo_page(
    client,
    world,
    dpo,
    password,
    social_worker,
    other_social_worker,
    staff,
    manager,
    partner_user,
    facility_a,
    facility_b,
    house,
    django_capture_on_commit_callbacks,
):
    halina, child, son = world["halina"], world["child"], world["son"]
    stored = world["document"].file
    on_disk = files.vault_storage().path(stored.storage_name)
    assert os.path.exists(on_disk)

    with time_machine.travel(ERASED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = _erase_through_the_page(
                client, dpo, password, halina.subject, {child: "erase", son: "keep"}
            )
        # A redirect to the DPO's start page, not a server error.
        assert response.status_code == 302
        assert response["Location"] == "/privacy/erase/"

        # Her key and the child's are destroyed; the adult son's is not.
        keys = {
            k.subject_id: k
            for k in DataKey.objects.filter(subject_id__in=[halina.pk, child.pk, son.pk])
        }
        assert bytes(keys[halina.pk].wrapped) == b"" and keys[halina.pk].destroyed_at
        assert bytes(keys[child.pk].wrapped) == b"" and keys[child.pk].destroyed_at
        assert keys[son.pk].destroyed_at is None
        assert Subject.objects.get(pk=son.pk).erased_at is None

        # The file's bytes are gone from disk; its row stays, marked, for the document to point at.
        assert not os.path.exists(on_disk)
        assert EncryptedFile.objects.get(pk=stored.pk).shredded_at is not None

        # The ledger has both, with the reason code; the log has the purposes, no free text.
        records = {r.subject_id: r for r in ErasureRecord.objects.all()}
        assert records[halina.pk].reason == "request" and records[halina.pk].erased_with is None
        assert records[child.pk].erased_with == halina.pk
        assert son.pk not in records
        purposes = dict(
            AccessLogEntry.objects.filter(action="erase").values_list("subject_id", "purpose")
        )
        assert purposes == {halina.pk: "erasure", child.pk: "erasure_related"}
        assert access_log_verify().is_intact

        # The raw database: ciphertext only, and it no longer opens for anyone.
        vault.cache.clear()
        sealed = [
            ("client.surname", halina.pk, "SELECT surname FROM cases_client WHERE subject_id = %s"),
            (
                "client.surname",
                halina.pk,
                "SELECT surname FROM cases_historicalclient WHERE subject_id = %s",
            ),
            ("note.text", halina.pk, "SELECT text FROM cases_casenote WHERE client_id = %s"),
            ("plan.situation", halina.pk, "SELECT situation FROM cases_plan WHERE client_id = %s"),
            ("review.note", halina.pk, "SELECT note FROM cases_planreview WHERE client_id = %s"),
            ("document.title", halina.pk, "SELECT title FROM cases_document WHERE client_id = %s"),
            (
                "referral.summary",
                halina.pk,
                "SELECT summary FROM cases_referral WHERE client_id = %s",
            ),
            ("stay.notes", halina.pk, "SELECT notes FROM shelters_stay WHERE client_id = %s"),
            ("ban.reason", halina.pk, "SELECT reason FROM shelters_ban WHERE client_id = %s"),
            (
                "waitlist.reason",
                halina.pk,
                "SELECT reason FROM shelters_waitlistentry WHERE client_id = %s",
            ),
            (
                "dnd.person_name",
                halina.pk,
                "SELECT person_name FROM cases_donotdisclose WHERE client_id = %s",
            ),
            (
                "member.first_name",
                child.pk,
                "SELECT first_name FROM cases_householdmember WHERE subject_id = %s",
            ),
        ]
        for label, subject_id, sql in sealed:
            (value,) = _raw(sql, subject_id)
            value = bytes(value)
            for name in (*HER_NAMES, CHILD):
                assert name.encode() not in value, label
            assert (
                vault.decrypt_value(value, label=label, subject_id=subject_id) is vault.ERASED_KEY
            )

        # Every page that showed her shows the marker, never her names or the child's.
        holder_pages = [
            f"/clients/{halina.pk}/",
            f"/clients/{halina.pk}/timeline/",
            f"/clients/{halina.pk}/history/",
            f"/clients/{halina.pk}/household/",
            f"/clients/{halina.pk}/documents/",
            f"/clients/{halina.pk}/consents/",
            f"/clients/{halina.pk}/referrals/",
            f"/clients/{halina.pk}/assessments/",
            f"/clients/{halina.pk}/plans/",
            f"/clients/{halina.pk}/plans/{world['plan'].pk}/",
            "/clients/",
        ]
        for path in holder_pages:
            page = _page(client, social_worker, path)
            _shows_none_of(page, *HER_NAMES, CHILD)
        household = _page(client, social_worker, f"/clients/{halina.pk}/household/")
        assert MARKER in household
        # The adult son was kept, by the DPO's decision: his name stays on the household page.
        assert ADULT_SON in household
        # The worker's other client keeps his file, and the entry that protects him.
        assert "Ryszard" in _page(client, social_worker, f"/clients/{world['ryszard'].pk}/")
        assert DoNotDisclose.objects.filter(client=world["ryszard"], other_client=halina).exists()

        # Her document's bytes are gone: its page answers "not found", not a server error.
        client.force_login(social_worker)
        download = client.get(f"/clients/{halina.pk}/documents/{world['document'].pk}/")
        assert download.status_code == 404

        # The emergency reader, the manager, the partner and the shelter staff.
        _shows_none_of(
            _page(client, other_social_worker, f"/clients/{halina.pk}/"), *HER_NAMES, CHILD
        )
        managers_list = _page(client, manager, "/clients/assignments/clients/")
        _shows_none_of(managers_list, *HER_NAMES)
        assert MARKER in managers_list
        _shows_none_of(_page(client, manager, "/clients/assignments/"), *HER_NAMES)
        partners_list = _page(client, partner_user, "/clients/partner/")
        _shows_none_of(partners_list, *HER_NAMES)
        assert MARKER in partners_list
        _shows_none_of(
            _page(client, partner_user, f"/clients/partner/{world['referral'].pk}/"), *HER_NAMES
        )
        house_board = _page(client, staff, f"/shelters/{house.pk}/")
        _shows_none_of(house_board, *HER_NAMES, CHILD)
        assert MARKER in house_board
        assert ADULT_SON in house_board
        shelter_pages = [
            f"/shelters/stays/{world['house_stay'].pk}/",
            f"/shelters/stays/{world['shelter_stay'].pk}/",
            f"/shelters/{facility_a.pk}/",
            f"/shelters/{facility_a.pk}/bans/",
            f"/shelters/{facility_b.pk}/",
            f"/shelters/{facility_b.pk}/waitlist/",
        ]
        for path in shelter_pages:
            _shows_none_of(_page(client, staff, path), *HER_NAMES, CHILD)
        assert MARKER in _page(client, staff, f"/shelters/{facility_a.pk}/bans/")
        assert MARKER in _page(client, staff, f"/shelters/{facility_b.pk}/waitlist/")

        # The printed documents: the house's roll and her plan.
        client.force_login(staff)
        roll = _pdf_text(client.get(f"/shelters/{house.pk}/roll.pdf"))
        client.force_login(social_worker)
        plan_pdf = _pdf_text(client.get(f"/clients/{halina.pk}/plans/{world['plan'].pk}/pdf/"))
        for text in (roll, plan_pdf):
            _shows_none_of(text, *HER_NAMES, CHILD)
        assert MARKER in roll


def _pdf_text(response) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    assert response.status_code == 200
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def test_the_staff_can_still_check_an_erased_household_out_and_free_the_room(
    client, world, dpo, password, staff, house
):
    # The bed was taken by a real person: erasure leaves it taken, and the staff must be able to
    # end the stay (its history row keeps the unreadable ciphertext, nothing new is sealed).
    halina, child, son = world["halina"], world["child"], world["son"]
    with time_machine.travel(ERASED_AT, tick=False) as clock:
        _erase_through_the_page(
            client, dpo, password, halina.subject, {child: "erase", son: "erase"}
        )
        vault.cache.clear()
        clock.shift(datetime.timedelta(hours=14))
        client.force_login(staff)
        response = client.post(
            f"/shelters/households/{world['allocation'].pk}/check-out/",
            {"destination": "rented_room"},
        )
        assert response.status_code == 302
    stay = Stay.objects.get(pk=world["house_stay"].pk)
    assert stay.ended_at is not None
    assert stay.history.count() == 2
    # The newest history row holds her unreadable notes, as the live row does.
    assert stay.history.first().notes is ERASED
    assert not house.rooms.get(name="Pokój 1").allocations.filter(ended_at__isnull=True).exists()


def test_the_dpo_sees_the_household_by_relationship_and_age_band_without_names(client, world, dpo):
    halina, child, son = world["halina"], world["child"], world["son"]
    client.force_login(dpo)
    with time_machine.travel(ERASED_AT, tick=False):
        response = client.get(f"/privacy/erase/{halina.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    _shows_none_of(page, *HER_NAMES, CHILD, ADULT_SON, "Ryszard", "astma")
    # On 15 January 2026 the child (born 1 June 2019) is 6 and proposed for erasure with her
    # mother; the son (born 1 February 2005) is 20 and proposed to keep.
    assert "Dziecko, od 6 do 12 lat" in page
    assert "Dziecko, 18 lat lub więcej" in page
    assert _checked(page, child.pk.hex) == "erase"
    assert _checked(page, son.pk.hex) == "keep"
    # Who holds the file, and that another person's do-not-disclose entry points at her.
    assert "Fundacja Testowa" in page
    assert "„nie ujawniać” 1 innej osoby" in page
    # Each person shown is a row of the access log with the purpose "erasure".
    shown = set(
        AccessLogEntry.objects.filter(actor=dpo, action="view", purpose="erasure").values_list(
            "subject_id", flat=True
        )
    )
    assert shown == {halina.pk, child.pk, son.pk}


def _checked(page: str, hex_id: str) -> str | None:
    """The value of the checked radio button of a related person's choice, if any."""
    import re

    for tag in re.findall(rf'<input type="radio" name="related_{hex_id}"[^>]*>', page):
        if " checked" in tag:
            return re.search(r'value="([a-z]+)"', tag).group(1)
    return None
