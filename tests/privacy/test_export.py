"""A person's data package (GDPR art. 15 and 20) made and downloaded from the DPO's page.

Halina has one record of every kind, made through the services: she came to a facility's door
(a walk-in), a social worker took her file, corrected her phone (a rectification), wrote a
note and a sensitive note, an assessment, a plan (IPWzB) with a goal, a step and a review, a
document, a consent and a referral, and added her daughter; the shelters gave her a night, a
ban, a hold and a waitlist place; she recorded a step on the pathway, joined the CIS (with its
IPZS), attended, got a month's allowance and a job with its follow-ups. Another Halina
Wierzbowa, born the same day, with her own note, stay and son, is a namesake: nothing of hers
may reach the package.
"""

import datetime
import io
import json
import logging
import zoneinfo

import pypdf
import pytest
import pyzipper
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from guardian.shortcuts import assign_perm

from activation import services as activation_services
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from cases import plans as plan_services
from cases import services as case_services
from cases.pathway import pathway_step_record
from privacy import exports
from privacy.export import kinds
from privacy.models import SubjectExport
from shelters import services as shelter_services
from tests.activation.conftest import (  # noqa: F401
    cis,
    cis_rules,
    cohort,
    enrol_active,
    record_working_days,
)
from tests.factories import make_client
from tests.second_factor import confirmation

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
D = datetime.date
# The records are made from January to April 2026; the DPO exports on 20 April at 10:00.
EXPORT_AT = datetime.datetime(2026, 4, 20, 10, 0, tzinfo=WARSAW)
SCAN = b"%PDF-1.4\n% a scanned identity card (synthetic)\n"
NAMESAKE_NOTE = "Sąsiadka spod trójki przyniosła zupę."
NAMESAKE_SON = "Bolesław"
BAN_REASON = "Krzyczała w nocy na korytarzu."


def _at(day: datetime.date, hour: int = 12):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=WARSAW), tick=False
    )


@pytest.fixture
def halina(
    foundation,
    cooperative,
    social_worker,
    other_social_worker,
    shelter_staff,
    job_coach,
    manager,
    facility_a,
    facility_b,
    cohort,  # noqa: F811
    cis,  # noqa: F811
    cis_rules,  # noqa: F811
):
    for facility in (facility_a, facility_b):
        assign_perm("shelters.operate_facility", shelter_staff, facility)
    born = D(1990, 4, 12)
    with _at(D(2026, 1, 10), 21):
        client = case_services.walk_in_register(
            by=shelter_staff,
            organisation=foundation,
            first_name="Halina",
            surname="Wierzbowa",
            sex="female",
            birth_year=1990,
            note="Przyszła w nocy, zmarznięta.",
            legal_basis="vital_interest",
        )
    with _at(D(2026, 1, 11)):
        client = case_services.walk_in_take(by=social_worker, client_id=client.pk)
        client = case_services.client_update(
            by=social_worker, client=client, birth_date=born, phone="+48 600 100 200"
        )
    with _at(D(2026, 1, 12)):
        # The phone number was wrong: corrected the next day (a rectification).
        client = case_services.client_update(
            by=social_worker, client=client, phone="+48 600 100 201", health_note="astma"
        )
        case_services.note_add(
            by=social_worker,
            client=client,
            kind="conversation",
            noted_on=D(2026, 1, 12),
            text="Halina opowiada o eksmisji.",
        )
        case_services.note_add(
            by=social_worker,
            client=client,
            kind="conversation",
            noted_on=D(2026, 1, 12),
            text="Halina mówi o przemocy w domu.",
            is_sensitive=True,
        )
        case_services.assessment_record(
            by=social_worker,
            client=client,
            kind="intake",
            assessed_on=D(2026, 1, 12),
            scores={"housing": 1},
            notes={"housing": "Śpi na dworcu."},
        )
        plan = plan_services.plan_create(
            by=social_worker,
            client=client,
            kind="ipwzb",
            starts_on=D(2026, 1, 12),
            situation="Bez mieszkania od jesieni.",
            requires_approval=False,
        )
        goal = plan_services.goal_add(by=social_worker, plan=plan, text="Mieszkanie treningowe")
        plan_services.step_add(by=social_worker, goal=goal, party="client", text="Złożyć wniosek")
        plan_services.plan_submit(by=social_worker, plan=plan)
        plan_services.plan_review(by=social_worker, plan=plan, note="Wniosek złożony.")
        document = case_services.document_upload(
            by=social_worker, client=client, kind="identity", title="Dowód", content=SCAN
        )
        case_services.consent_record(
            by=social_worker,
            client=client,
            purpose="referral",
            legal_basis="consent",
            given_on=D(2026, 1, 12),
            partner=cooperative,
            signed_form=document,
        )
        case_services.referral_send(
            by=social_worker,
            client=client,
            partner=cooperative,
            service="warsztat szwalni",
            summary="Szyje od lat.",
        )
        case_services.household_member_add(
            by=social_worker,
            client=client,
            first_name="Jagódka",
            surname="Wierzbowa",
            birth_date=D(2019, 6, 1),
            relationship="child",
            sex="female",
        )
        pathway_step_record(by=social_worker, client=client, stage="street", on=D(2026, 1, 10))
    with _at(D(2026, 1, 12), 20) as clock:
        stay = shelter_services.stay_check_in(
            by=shelter_staff, facility=facility_a, client=client, notes="Prosi o koc."
        )
        clock.shift(datetime.timedelta(hours=12))
        shelter_services.stay_check_out(by=shelter_staff, stay=stay, destination="other_facility")
        shelter_services.ban_impose(
            by=shelter_staff,
            facility=facility_a,
            client=client,
            ends_on=D(2026, 3, 1),
            reason=BAN_REASON,
        )
        shelter_services.hold_place(
            by=shelter_staff,
            facility=facility_b,
            bed=facility_b.beds.first(),
            until=clock.time() if False else datetime.datetime(2026, 1, 15, 12, tzinfo=WARSAW),
            client=client,
        )
        shelter_services.waitlist_add(
            by=shelter_staff, facility=facility_b, client=client, reason="Czeka z córką."
        )
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=client,
        cohort=cohort,
        started_on=D(2026, 3, 2),
    )
    with _at(D(2026, 3, 31)):
        activation_services.enrolment_ipzs_start(by=social_worker, enrolment=enrolment)
        activation_services.attendance_save_day(
            by=job_coach,
            cohort=cohort,
            day=D(2026, 3, 3),
            statuses={enrolment.pk: "present"},
            notes={},
            seen=None,
        )
        placement = activation_services.placement_start(
            by=social_worker,
            client=client,
            kind="open_market",
            started_on=D(2026, 3, 20),
            contract_type="employment_contract",
            wage_band="up_to_150",
            employer_name="Hotel Pod Lipami",
        )
    # Every working day of her March recorded (a month with days nobody recorded is not closed).
    record_working_days(coach=job_coach, cohort=cohort, first=D(2026, 3, 2), last=D(2026, 3, 31))
    with _at(D(2026, 4, 2)):
        activation_services.allowance_month_close(by=manager, programme=cis, month=D(2026, 3, 1))

    # The namesake: same names, same birth date, another worker's file, her own records.
    with _at(D(2026, 2, 1), 20):
        namesake = make_client(
            first_name="Halina",
            surname="Wierzbowa",
            birth_date=born,
            sex="female",
            holder=other_social_worker,
        )
        case_services.note_add(
            by=other_social_worker,
            client=namesake,
            kind="conversation",
            noted_on=D(2026, 2, 1),
            text=NAMESAKE_NOTE,
        )
        case_services.household_member_add(
            by=other_social_worker,
            client=namesake,
            first_name=NAMESAKE_SON,
            surname="Wierzbowy",
            birth_date=D(2012, 2, 1),
            relationship="child",
            sex="male",
        )
        shelter_services.stay_check_in(by=shelter_staff, facility=facility_b, client=namesake)
    return {"client": client, "namesake": namesake, "document": document, "placement": placement}


def _make(client, dpo, password, subject, **choices):
    client.force_login(dpo)
    data = {"children": "names", "staff_naming": "role", **confirmation(dpo, password), **choices}
    response = client.post(f"/privacy/people/{subject.pk}/export/", data)
    assert response.status_code == 200, response.content[:500]
    return response


def _download(client, package):
    return client.post(f"/privacy/exports/{package.pk}/download/")


def _open(content: bytes, password: str) -> dict:
    archive = pyzipper.AESZipFile(io.BytesIO(content))
    archive.setpassword(password.encode())
    return {name: archive.read(name) for name in archive.namelist()}


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_package_holds_every_record_of_the_person_and_nothing_of_a_namesake(
    client, halina, dpo, password, social_worker
):
    her, namesake = halina["client"], halina["namesake"]
    with time_machine.travel(EXPORT_AT, tick=False):
        made = _make(client, dpo, password, her.subject)
        package, secret = made.context["package"], made.context["password"]
        assert "no-store" in made["Cache-Control"]
        response = _download(client, package)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="przystan-dane-20260420-1000.zip"'
    assert "Wierzb" not in disposition and str(her.pk) not in disposition

    # Without the password the ZIP does not open.
    with pytest.raises(RuntimeError):
        _open(response.content, "wrong-password")
    files = _open(response.content, secret)
    assert set(files) == {
        "export.json",
        "dane-osobowe.pdf",
        f"documents/{halina['document'].pk}.pdf",
    }
    assert files[f"documents/{halina['document'].pk}.pdf"] == SCAN
    text = files["export.json"].decode()
    data = json.loads(text)

    assert data["schema_version"] == 1
    assert data["person"]["subject_id"] == str(her.pk)
    sections = data["sections"]
    assert list(sections) == [kind.key for kind in kinds()]
    # One record of each kind; three notes (the door's note carried into the file, and two
    # written), two plans (the IPWzB and the CIS's IPZS), two consents (the door's legal basis
    # and the referral's), the follow-ups at 3, 6 and 12 months that come with the placement.
    expected = {
        "identity": 1,
        "household": 1,
        "plans": 2,
        "plan_goals": 1,
        "plan_steps": 1,
        "plan_reviews": 1,
        "notes": 3,
        "assessments": 1,
        "consents": 2,
        "referrals": 1,
        "documents": 1,
        "walk_ins": 1,
        "stays": 1,
        "household_stays": 0,
        "bans": 1,
        "waitlist": 1,
        "holds": 1,
        "enrolments": 1,
        # The working days of 2–31 March 2026: 5 + 5 + 5 + 5 + 2 (30, 31 March) = 22.
        "attendance": 22,
        "allowance_lines": 1,
        "placements": 1,
        "follow_ups": 3,
    }
    for key, count in expected.items():
        assert len(sections[key]) == count, key
    assert sections["pathway_steps"], "the street step and the ladder's own steps"
    identity = sections["identity"][0]["values"]
    assert identity["first_name"] == "Halina" and identity["birth_date"] == "1990-04-12"
    assert identity["phone"] == "+48 600 100 201"
    # The phone was corrected on 12 January; the birth date was added (not a correction).
    assert sections["identity"][0]["rectified"] == {"phone": "2026-01-12"}
    assert "health_note" in sections["identity"][0]["sensitive_fields"]
    assert sections["bans"][0]["values"]["reason"] == BAN_REASON
    assert [n["sensitive"] for n in sections["notes"]] == [False, False, True]
    assert sections["documents"][0]["file"] == f"documents/{halina['document'].pk}.pdf"
    ipzs = next(p for p in sections["plans"] if p["values"]["kind"] == "ipzs")
    assert sections["enrolments"][0]["values"]["ipzs_id"] == ipzs["id"]
    # The daughter: her name and birth date only, as the DPO chose.
    assert sections["household"][0]["values"] == {
        "first_name": "Jagódka",
        "surname": "Wierzbowa",
        "birth_date": "2019-06-01",
        "relationship": "child",
    }
    # Who changed and who read: by role and organisation, never by name.
    assert any(c["section"] == "identity" and c["change"] == "changed" for c in data["changes"])
    assert data["accesses"] and all(a["person"] == "self" for a in data["accesses"])
    assert {"role": "social_worker", "organisation": social_worker.organisation.name} in [
        a["by"] for a in data["accesses"]
    ]
    assert social_worker.get_full_name() not in text

    # Nothing of the namesake: not her id, her note, her son, her stay.
    assert str(namesake.pk) not in text
    assert NAMESAKE_NOTE not in text and NAMESAKE_SON not in text
    assert len(sections["stays"]) == 1

    pdf = _pdf_text(files["dane-osobowe.pdf"])
    for shown in ("Wierzbowa", "Jagódka", BAN_REASON, "sprostowano 12.01.2026", "Hotel Pod Lipami"):
        assert shown in " ".join(pdf.split()), shown
    assert NAMESAKE_NOTE not in pdf and NAMESAKE_SON not in pdf
    assert social_worker.get_full_name() not in pdf

    # Both the making and the download are rows of the log; the file is gone from the server.
    rows = AccessLogEntry.objects.filter(subject_id=her.pk, purpose__startswith="dpo_export")
    assert sorted(rows.values_list("purpose", flat=True)) == [
        Purpose.DPO_EXPORT,
        Purpose.DPO_EXPORT_DOWNLOAD,
    ]
    package.refresh_from_db()
    assert package.downloaded_at and package.deleted_at
    assert not (settings.PRZYSTAN_EXPORT_DIR / package.storage_name).exists()
    # A second download finds nothing and says so on the person's page.
    client.force_login(dpo)
    again = _download(client, package)
    assert again.status_code == 302 and again["Location"] == f"/privacy/people/{her.pk}/"


def _made_package(halina, dpo, **choices):
    options = {"children": "names", "staff_naming": "role", **choices}
    return exports.subject_export_create(subject=halina["client"].subject, by=dpo, **options)


def _json(package, secret) -> dict:
    content = (settings.PRZYSTAN_EXPORT_DIR / package.storage_name).read_bytes()
    return json.loads(_open(content, secret)["export.json"])


def test_the_dpo_decides_what_of_the_children_goes_and_how_staff_are_named(
    halina, dpo, social_worker
):
    with time_machine.travel(EXPORT_AT, tick=False):
        none = _json(*_made_package(halina, dpo, children="none"))
        everything = _json(*_made_package(halina, dpo, children="everything", staff_naming="name"))
    assert none["sections"]["household"] == []
    assert "Jagódka" not in json.dumps(none, ensure_ascii=False)
    child = everything["sections"]["household"][0]["values"]
    assert child["sex"] == "female" and child["is_active"] is True
    # By name: the social worker who wrote the notes is named, with role and organisation.
    author = everything["sections"]["notes"][1]["values"]["author"]
    assert author == {
        "role": "social_worker",
        "organisation": social_worker.organisation.name,
        "name": social_worker.get_full_name(),
    }


def test_the_file_is_deleted_after_24_hours_by_the_timer_and_on_the_next_export(
    client, halina, dpo
):
    with time_machine.travel(EXPORT_AT, tick=False):
        first, _secret = _made_package(halina, dpo)
        second, _secret = _made_package(halina, dpo)
    stored = settings.PRZYSTAN_EXPORT_DIR / first.storage_name
    assert stored.exists()
    # 23 hours 59 minutes on, both are still there.
    with time_machine.travel(EXPORT_AT + datetime.timedelta(hours=23, minutes=59), tick=False):
        call_command("purge_exports")
        assert stored.exists()
    with time_machine.travel(EXPORT_AT + datetime.timedelta(hours=24), tick=False):
        out = io.StringIO()
        call_command("purge_exports", stdout=out)
        assert out.getvalue() == "purge_exports: 2 file(s) deleted\n"
    assert not stored.exists()
    first.refresh_from_db()
    assert first.deleted_at is not None and first.downloaded_at is None
    # Purge on access: a package expired in the meantime is gone when another is made.
    with time_machine.travel(EXPORT_AT + datetime.timedelta(days=3), tick=False):
        third, _secret = _made_package(halina, dpo)
    with time_machine.travel(EXPORT_AT + datetime.timedelta(days=4), tick=False):
        _made_package(halina, dpo)
        third.refresh_from_db()
        assert third.deleted_at is not None
        assert not (settings.PRZYSTAN_EXPORT_DIR / third.storage_name).exists()
        client.force_login(dpo)
        assert _download(client, third).status_code == 302


def test_the_password_is_shown_once_and_kept_nowhere(client, halina, dpo, password, caplog):
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(EXPORT_AT, tick=False):
        made = _make(client, dpo, password, halina["client"].subject)
        secret, package = made.context["password"], made.context["package"]
        assert secret in made.content.decode()
        page = client.get(f"/privacy/people/{halina['client'].pk}/").content.decode()
        response = _download(client, package)
    assert secret not in page
    assert len(secret) == 35 and secret.count("-") == 5
    # Not in any column of the package's rows, their history or the access log; not in a log.
    with connection.cursor() as cursor:
        for table in (
            "privacy_subjectexport",
            "privacy_historicalsubjectexport",
            "audit_accesslogentry",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            assert secret not in repr(cursor.fetchall())
    assert secret not in caplog.text and "Wierzbowa" not in caplog.text
    assert secret not in response["Content-Disposition"]


@pytest.mark.parametrize(
    "role", ["social_worker", "shelter_staff", "job_coach", "manager", "partner", "administrator"]
)
def test_no_other_role_makes_or_downloads_a_package(client, halina, dpo, personas, role, password):
    with time_machine.travel(EXPORT_AT, tick=False):
        package, _secret = _made_package(halina, dpo)
        client.force_login(personas[role])
        subject = halina["client"].pk
        made = client.post(
            f"/privacy/people/{subject}/export/",
            {"children": "none", "staff_naming": "role", **confirmation(personas[role], password)},
        )
        assert made.status_code == 403
        assert _download(client, package).status_code == 403
    assert SubjectExport.objects.count() == 1
    assert (settings.PRZYSTAN_EXPORT_DIR / package.storage_name).exists()


def test_a_wrong_password_makes_no_package(client, halina, dpo):
    client.force_login(dpo)
    response = client.post(
        f"/privacy/people/{halina['client'].pk}/export/",
        {"children": "none", "staff_naming": "role", **confirmation(dpo, "nope")},
    )
    assert response.status_code == 400
    assert not SubjectExport.objects.exists()
    assert not AccessLogEntry.objects.filter(purpose=Purpose.DPO_EXPORT).exists()


def test_nothing_is_preselected_in_the_export_form(client, halina, dpo, password):
    client.force_login(dpo)
    page = client.get(f"/privacy/people/{halina['client'].pk}/").content.decode()
    assert 'name="children"' in page and "checked" not in page
    response = client.post(
        f"/privacy/people/{halina['client'].pk}/export/", confirmation(dpo, password)
    )
    assert response.status_code == 400
    assert not SubjectExport.objects.exists()


def test_the_documented_schema_lists_every_section_and_field():
    text = (settings.BASE_DIR / "docs" / "privacy.md").read_text(encoding="utf-8")
    lines = {
        line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `")
    }
    for kind in kinds():
        assert kind.key in lines, kind.key
        for name in kind.fields:
            assert f"`{name}`" in lines[kind.key], (kind.key, name)
    for key in (
        "schema_version",
        "generated_at",
        "sections",
        "files",
        "changes",
        "accesses",
        "rectified",
        "sensitive_fields",
    ):
        assert f'"{key}"' in text


def test_erasing_the_person_deletes_a_package_waiting_for_download(
    halina, dpo, django_capture_on_commit_callbacks
):
    from privacy.services import subject_erase

    with time_machine.travel(EXPORT_AT, tick=False):
        package, _secret = _made_package(halina, dpo)
        stored = settings.PRZYSTAN_EXPORT_DIR / package.storage_name
        assert stored.exists()
        child = halina["client"].household.members.get()
        with django_capture_on_commit_callbacks(execute=True):
            subject_erase(
                subject=halina["client"].subject,
                by=dpo,
                reason="request",
                decisions={child.pk: True},
            )
    assert not stored.exists()
    package.refresh_from_db()
    assert package.deleted_at is not None
