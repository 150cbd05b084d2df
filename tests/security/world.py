"""The world of the authorization matrix: one user per role, and objects in every relation to them.

Built once per test module (tests/security/test_authorization_matrix.py). Each `Thing` fills
the URL kwargs it `owns` (and may lend others: a facility lends its operator as `user_id`), and
says, for each role's persona, which `Reach` relations (accounts/urlaccess.py) hold between that
persona and it. A URL is asked about every thing that owns one of its kwargs and fills them all.

A new kind of URL kwarg (e.g. activation's `session_id`): add it to the thing that owns it, or
a new thing, with the relations each persona has to it. Synthetic people only.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts import services as account_services
from accounts.models import Organisation
from accounts.roles import Role
from accounts.urlaccess import Reach
from reports.measures import outcome_report
from reports.models import ImportJob, SavedReport
from reports.suppression import suppress_report
from tests.factories import OrganisationFactory, UserFactory, make_client, make_facility

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
R = Reach
SW, STAFF, COACH, MANAGER, DPO, PARTNER, ADMIN = (
    Role.SOCIAL_WORKER,
    Role.SHELTER_STAFF,
    Role.JOB_COACH,
    Role.MANAGER,
    Role.DPO,
    Role.PARTNER,
    Role.ADMINISTRATOR,
)
CLUSTER_DPO = Role.CLUSTER_DPO


@dataclass
class Thing:
    """An object (or a few that go together) the URLs name, and how each persona relates to it."""

    name: str
    owns: frozenset[str]
    # URL kwargs, or a function of the persona (None for anonymous) giving them.
    kwargs: dict | Callable
    # Role → the relations its persona has to this thing (none if absent).
    reach: dict = field(default_factory=dict)

    def kwargs_for(self, user) -> dict:
        return self.kwargs(user) if callable(self.kwargs) else self.kwargs

    @property
    def fills(self) -> frozenset[str]:
        sample = self.kwargs_for(None)
        return frozenset(sample)

    def relations(self, role) -> frozenset:
        return frozenset(self.reach.get(role, ()))


@dataclass
class World:
    personas: dict  # role code → user
    things: list[Thing]
    # The clients' surnames: no refusal may show one.
    names: tuple[str, ...] = ()

    def things_for(self, names: frozenset[str]) -> list[Thing]:
        """The things a URL with these kwargs is asked about."""
        return [t for t in self.things if t.owns & names and names <= t.fills]


ROLE_SLUGS = {role: role.replace("_", "-") for role in Role.values}


def _own_role(user) -> dict:
    role = user.role if user is not None else SW
    return {"role_slug": ROLE_SLUGS[role]}


def _another_role(user) -> dict:
    role = user.role if user is not None else SW
    other = DPO if role != DPO else SW
    return {"role_slug": ROLE_SLUGS[other]}


def _case_file(client, *, by, partner, document=True):
    """A note, a plan waiting for approval (a goal, a step), a consent to share with `partner`
    and a document (not special-category) in the client's file, written by its holder."""
    from cases import services

    note = services.note_add(
        by=by, client=client, kind="conversation", noted_on=timezone.localdate(), text="Rozmowa."
    )
    plan = services.plan_create(
        by=by, client=client, kind="ipwzb", starts_on=timezone.localdate(), requires_approval=True
    )
    goal = services.goal_add(by=by, plan=plan, text="Mieszkanie")
    step = services.step_add(by=by, goal=goal, party="client", text="Wniosek")
    services.plan_submit(by=by, plan=plan)
    consent = services.consent_record(
        by=by,
        client=client,
        purpose="referral",
        legal_basis="consent",
        given_on=timezone.localdate(),
        partner=partner,
    )
    doc = services.document_upload(
        by=by, client=client, kind="identity", title="Dowód", content=PNG
    )
    return (
        {
            "client_id": client.pk,
            "note_id": note.pk,
            "plan_id": plan.pk,
            "goal_id": goal.pk,
            "step_id": step.pk,
            "consent_id": consent.pk,
            "document_id": doc.pk,
        },
        plan,
        consent,
    )


def _facility_world(*, organisation, name, operators, manager):
    """A house for single mothers (so every shelter page exists there) with a stay, an active
    hold, a ban, a household in a room, a waitlist entry and a bed out of use."""
    from cases.models import Household
    from shelters import configuration, services
    from shelters.models import BedOutage, Room

    facility = make_facility(
        organisation=organisation,
        name=name,
        kind="mother_house",
        admits="mothers",
        rooms=(("Pokój 1", "women", 2), ("Pokój 2", "women", 2), ("Pokój 3", "women", 3)),
    )
    for user in operators:
        assign_perm("shelters.operate_facility", user, facility)
    by = operators[0]
    room1, room2, room3 = (facility.rooms.get(name=f"Pokój {n}") for n in (1, 2, 3))
    guest = make_client(first_name="Halina", surname="Wierzbowa", sex="female")
    stay = services.stay_check_in(by=by, facility=facility, client=guest, bed=room1.beds.first())
    banned = make_client(first_name="Bożena", surname="Dębowiak", sex="female")
    ban = services.ban_impose(
        by=by,
        facility=facility,
        client=banned,
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
        reason="Regulamin",
    )
    waiting = make_client(first_name="Jadwiga", surname="Sosnówka", sex="female")
    entry = services.waitlist_add(by=by, facility=facility, client=waiting, reason="Zima")
    mother = make_client(first_name="Marianna", surname="Jarzębina", sex="female")
    household = Household.objects.create(head=mother)
    services.waitlist_add(by=by, facility=facility, client=mother)
    allocation = services.household_check_in(by=by, household=household, room=room2)
    beds = list(room3.beds.order_by("pk"))
    hold = services.hold_place(
        by=by,
        facility=facility,
        bed=beds[0],
        until=timezone.now() + datetime.timedelta(hours=2),
        referral="MOPS",
    )
    outage = configuration.outage_create(
        by=manager, bed=beds[1], starts_at=timezone.now(), reason="Naprawa"
    )
    assert isinstance(outage, BedOutage) and isinstance(room3, Room)
    return facility, {
        "facility_id": facility.pk,
        "stay_id": stay.pk,
        "hold_id": hold.pk,
        "ban_id": ban.pk,
        "allocation_id": allocation.pk,
        "entry_id": entry.pk,
        "room_id": room3.pk,
        "bed_id": beds[2].pk,
        "outage_id": outage.pk,
        "user_id": by.pk,
    }


FACILITY_KWARGS = frozenset(
    {
        "facility_id",
        "stay_id",
        "hold_id",
        "ban_id",
        "allocation_id",
        "entry_id",
        "room_id",
        "bed_id",
        "outage_id",
    }
)
CLIENT_KWARGS = frozenset(
    {"client_id", "note_id", "plan_id", "goal_id", "step_id", "consent_id", "document_id"}
)
ACTIVATION_KWARGS = frozenset({"programme_id", "cohort_id", "enrolment_id"})
PLACEMENT_KWARGS = frozenset({"placement_id", "follow_up_id"})


def _admin_objects(pk: int) -> None:
    """An object of every model in the admin under the one id its URLs are asked with (the
    admin answers a missing object with a redirect before it checks permissions)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.core.management.color import no_style
    from django.db import connection

    seen = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "m-nobody"}
    seen |= {"http_accept": "*/*", "path_info": "/login/"}
    for model, fields in [
        (Group, {"name": f"matrix-{pk}"}),
        (AccessAttempt, {"get_data": "", "post_data": "", "failures_since_start": 1, **seen}),
        (AccessFailureLog, {"locked_out": False, **seen}),
        (AccessLog, seen),
    ]:
        # A role's group may hold the id already: it does as well.
        model.objects.get_or_create(pk=pk, defaults=fields)
    # Rows given their id leave PostgreSQL's sequences behind (the next sign-in's access log
    # would take the same id): put them past the rows, as loaddata does.
    models = [Group, AccessAttempt, AccessFailureLog, AccessLog]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def build_world() -> World:
    """Everything the matrix asks about; see the module's docstring."""
    from activation import services as activation_services
    from activation.models import Cohort
    from cases import services
    from cases.models import Referral
    from privacy.models import Subject

    foundation = OrganisationFactory(name="Fundacja Macierzy", kind="foundation")
    mops = OrganisationFactory(name="MOPS Macierzy", kind="welfare_centre")
    cooperative = OrganisationFactory(name="Spółdzielnia Macierzy", kind="social_cooperative")
    other_partner = OrganisationFactory(name="Stowarzyszenie Macierzy", kind="ngo")

    def user(username, organisation, role):
        return UserFactory(username=username, organisation=organisation, role=role)

    # The personas: one per role, the acting users of the matrix.
    personas = {
        SW: user("m-sw", foundation, SW),
        STAFF: user("m-staff", foundation, STAFF),
        COACH: user("m-coach", cooperative, COACH),
        MANAGER: user("m-boss", foundation, MANAGER),
        DPO: user("m-dpo", foundation, DPO),
        # Of the welfare centre, yet the cluster's: every organisation's persons.
        CLUSTER_DPO: user("m-dpo-cluster", mops, CLUSTER_DPO),
        PARTNER: user("m-partner", cooperative, PARTNER),
        ADMIN: user("m-root", foundation, ADMIN),
    }
    sw, manager = personas[SW], personas[MANAGER]
    # As accounts.services.user_create makes them: administrators are Django staff (the admin).
    personas[ADMIN].is_staff = True
    personas[ADMIN].save()
    # Everyone else: a colleague of the social worker, the welfare centre's worker and manager,
    # staff of the other facilities, another coach.
    colleague = user("m-sw2", foundation, SW)
    outsider = user("m-sw-mops", mops, SW)
    outside_manager = user("m-boss-mops", mops, MANAGER)
    staff_b = user("m-staff-b", foundation, STAFF)
    staff_mops = user("m-staff-mops", mops, STAFF)
    other_coach = user("m-coach2", cooperative, COACH)

    team = account_services.team_create(actor=manager, name="Zespół macierzy")
    account_services.team_member_add(actor=manager, team=team, user=sw)
    account_services.team_member_add(actor=manager, team=team, user=colleague)
    outside_team = account_services.team_create(actor=outside_manager, name="Zespół MOPS")
    account_services.team_member_add(actor=outside_manager, team=outside_team, user=outsider)

    # --- clients: one of one's own, one of one's team, a colleague's, one opened by
    # break-glass, one of another organisation.
    own = make_client(first_name="Zdzisław", surname="Kalinowski", holder=sw)
    team_client = make_client(first_name="Ryszard", surname="Grabiński", holder=colleague)
    services.client_handover(by=manager, client=team_client, to_worker=colleague, team=team)
    colleagues = make_client(first_name="Bogdan", surname="Żurawiecki", holder=colleague)
    glass = make_client(first_name="Kazimierz", surname="Dębowiak", holder=colleague)
    other = make_client(first_name="Mirosław", surname="Sosnówka", holder=outsider)

    own_kw, _own_plan, _c = _case_file(own, by=sw, partner=cooperative)
    team_kw, _p, team_consent = _case_file(team_client, by=colleague, partner=cooperative)
    colleague_kw, colleague_plan, _c = _case_file(colleagues, by=colleague, partner=other_partner)
    glass_kw, _p, _c = _case_file(glass, by=colleague, partner=other_partner)
    other_kw, other_plan, _c = _case_file(other, by=outsider, partner=cooperative)
    reason = "Nagły wypadek: szpital pyta o leki."
    grant = services.break_glass_open(by=sw, client=glass, reason=reason)
    outside_grant = services.break_glass_open(by=outsider, client=colleagues, reason=reason)
    handover_in = services.handover_request(by=outsider, client=colleagues, reason=reason)
    handover_out = services.handover_request(by=sw, client=other, reason=reason)

    # --- referrals: with consent, after withdrawal, never consented, to another partner.
    referral_ok = services.referral_send(
        by=sw, client=own, partner=cooperative, service="Pralnia", summary="Rano."
    )
    referral_withdrawn = services.referral_send(
        by=colleague, client=team_client, partner=cooperative, service="Pralnia", summary="."
    )
    services.consent_withdraw(by=colleague, consent=team_consent)
    # Sent before consent was asked for (an imported record): the partner must not see it.
    referral_unconsented = Referral(
        client=glass,
        partner=cooperative,
        service="Kuchnia",
        summary="Bez zgody.",
        sent_on=timezone.localdate(),
        created_by=colleague,
    )
    referral_unconsented.save()
    referral_elsewhere = services.referral_send(
        by=colleague, client=colleagues, partner=other_partner, service="Kuchnia", summary="."
    )

    # --- facilities: one the shelter staff (and the manager, and the social worker) work in,
    # one of the same organisation they do not, one of another organisation.
    _a, facility_a = _facility_world(
        organisation=foundation,
        name="Dom A",
        operators=[personas[STAFF], manager, sw],
        manager=manager,
    )
    _b, facility_b = _facility_world(
        organisation=foundation, name="Dom B", operators=[staff_b], manager=manager
    )
    _m, facility_m = _facility_world(
        organisation=mops, name="Dom MOPS", operators=[staff_mops], manager=outside_manager
    )

    # --- activation: a cohort the coach leads, one they do not (both the foundation's).
    def programme(name, coach, participant, holder):
        prog = activation_services.programme_create(by=manager, name=name, kind="cis")
        cohort = activation_services.cohort_create(
            by=manager,
            programme=prog,
            name=f"{name}, grupa",
            starts_on=datetime.date(2020, 1, 1),
            capacity=10,
            lead_coach=coach,
        )
        enrolment = activation_services.enrolment_create(
            by=holder, client=participant, cohort=cohort
        )
        return {"programme_id": prog.pk, "cohort_id": cohort.pk, "enrolment_id": enrolment.pk}

    coached = programme("CIS macierzy", personas[COACH], own, sw)
    not_coached = programme("CIS drugi", other_coach, colleagues, colleague)
    # The coach's participant in another coach's group too: their activation is the person's
    # (activation/ways.py), so the coach reaches this enrolment through them.
    elsewhere = activation_services.enrolment_create(
        by=sw, client=own, cohort=Cohort.objects.get(pk=not_coached["cohort_id"])
    )

    # --- placements with the cooperative, each with its first follow-up (3 months): of the
    # coach's participant (one's own client, consent to share with the cooperative holds), of
    # the team's client (consent withdrawn), of the client opened by break-glass (which shows
    # no activation), of another organisation's client.
    def placement(client, by):
        placed = activation_services.placement_start(
            by=by,
            client=client,
            kind="cooperative",
            started_on=timezone.localdate() - datetime.timedelta(days=45),
            contract_type="cooperative_membership",
            wage_band="minimum",
            employer_organisation=cooperative,
        )
        first = placed.follow_ups.order_by("months", "pk").first()
        return {"placement_id": placed.pk, "follow_up_id": first.pk}

    own_placement = placement(own, sw)
    team_placement = placement(team_client, colleague)
    glass_placement = placement(glass, colleague)
    other_placement = placement(other, outsider)

    org_ct = ContentType.objects.get_for_model(Organisation)
    _admin_objects(foundation.pk)
    history_id = foundation.history.order_by("pk").values_list("history_id", flat=True).first()

    # --- saved reports: the foundation's and the MOPS's. The foundation's manager is the
    # cluster's coordinator (reports/access.py), who reaches every organisation's reports.
    day = datetime.date(2025, 1, 1)
    figures = suppress_report(outcome_report(start=day, end=day))

    def saved_report(organisation, by):
        return SavedReport.objects.create(
            organisation=organisation,
            period_from=day,
            period_to=day,
            figures=figures,
            created_by=by,
            created_at=timezone.now(),
        ).pk

    report_here = saved_report(foundation, manager)
    report_mops = saved_report(mops, outside_manager)

    # --- uploaded imports: one into the foundation (the administrator's), one into the MOPS.
    def import_job(organisation):
        return ImportJob.objects.create(
            organisation=organisation,
            created_by=personas[ADMIN],
            created_at=timezone.now(),
            language="pl",
            status=ImportJob.Status.DONE,
        ).pk

    job_here = import_job(foundation)
    job_mops = import_job(mops)
    subject = Subject.objects.get(pk=other.subject_id)
    own_subject = Subject.objects.get(pk=own.subject_id)
    # The DPO's work on that person: a data package waiting for download, a refused erasure.
    from privacy import exports as privacy_exports
    from privacy import services as privacy_services

    package, _password = privacy_exports.subject_export_create(
        subject=subject, by=personas[CLUSTER_DPO], children="none", staff_naming="role"
    )
    refusal = privacy_services.request_refuse(
        subject=subject,
        by=personas[CLUSTER_DPO],
        request_kind="erasure",
        ground="legal_obligation",
        review_on=timezone.localdate() + datetime.timedelta(days=30),
    )

    def thing(name, owns, kwargs, **reach):
        return Thing(name=name, owns=frozenset(owns), kwargs=kwargs, reach=reach)

    # The relations, persona by persona (roles not named have none).
    things = [
        # One's own client takes part in the cohort the coach leads.
        thing("own client", CLIENT_KWARGS, own_kw,
              social_worker={R.FILE, R.FILE_CHANGE, R.ACTIVATION}, job_coach={R.ACTIVATION},
              manager={R.ORGANISATION}),
        thing("team's client", CLIENT_KWARGS, team_kw,
              social_worker={R.FILE, R.FILE_CHANGE, R.ACTIVATION}, manager={R.ORGANISATION}),
        thing("colleague's client", CLIENT_KWARGS, colleague_kw, manager={R.ORGANISATION}),
        thing("client opened by break-glass", CLIENT_KWARGS, glass_kw,
              social_worker={R.FILE}, manager={R.ORGANISATION}),
        thing("another organisation's client", CLIENT_KWARGS, other_kw),
        # Plans to approve: written in one's organisation, or in another.
        thing("plan to approve", {"plan_id"}, {"plan_id": colleague_plan.pk},
              manager={R.ORGANISATION}),
        thing("another organisation's plan to approve", {"plan_id"}, {"plan_id": other_plan.pk}),
        thing("handover request for a file held here", {"request_id"},
              {"request_id": handover_in.pk}, manager={R.ORGANISATION}),
        thing("handover request for a file held elsewhere", {"request_id"},
              {"request_id": handover_out.pk}),
        thing("emergency access by one's worker", {"grant_id"}, {"grant_id": grant.pk},
              manager={R.ORGANISATION}),
        thing("emergency access by another's worker", {"grant_id"},
              {"grant_id": outside_grant.pk}),
        thing("referral with consent", {"referral_id"}, {"referral_id": referral_ok.pk},
              partner={R.REFERRED}),
        thing("referral after withdrawal", {"referral_id"},
              {"referral_id": referral_withdrawn.pk}),
        thing("referral without consent", {"referral_id"},
              {"referral_id": referral_unconsented.pk}),
        thing("referral to another partner", {"referral_id"},
              {"referral_id": referral_elsewhere.pk}),
        thing("facility one operates", FACILITY_KWARGS, facility_a,
              shelter_staff={R.OPERATES}, social_worker={R.OPERATES},
              manager={R.OPERATES, R.ORGANISATION}),
        thing("facility one does not operate", FACILITY_KWARGS, facility_b,
              manager={R.ORGANISATION}),
        thing("another organisation's facility", FACILITY_KWARGS, facility_m),
        # An administrator resets the second factor of their own organisation's staff only.
        thing("staff account of one's organisation", {"user_id"}, {"user_id": colleague.pk},
              manager={R.ORGANISATION}, administrator={R.ORGANISATION}),
        thing("staff account of another organisation", {"user_id"}, {"user_id": outsider.pk}),
        thing("team of one's organisation", {"team_id"},
              {"team_id": team.pk, "user_id": colleague.pk}, manager={R.ORGANISATION}),
        thing("team of another organisation", {"team_id"},
              {"team_id": outside_team.pk, "user_id": outsider.pk}),
        # Its enrolment is one's own client's (the social worker's caseload).
        thing("programme one coaches", ACTIVATION_KWARGS, coached,
              job_coach={R.COACHES, R.ACTIVATION}, social_worker={R.ACTIVATION},
              manager={R.ORGANISATION}),
        thing("programme one does not coach", ACTIVATION_KWARGS, not_coached,
              manager={R.ORGANISATION}),
        thing("the coach's participant's enrolment in a group they do not coach", {"enrolment_id"},
              {"enrolment_id": elsewhere.pk}, job_coach={R.ACTIVATION},
              social_worker={R.ACTIVATION}),
        thing("placement of the coach's participant, one's own client", PLACEMENT_KWARGS,
              own_placement, social_worker={R.ACTIVATION}, job_coach={R.ACTIVATION}),
        thing("placement of the team's client", PLACEMENT_KWARGS, team_placement,
              social_worker={R.ACTIVATION}),
        thing("placement of a client opened by break-glass", PLACEMENT_KWARGS, glass_placement),
        thing("placement of another organisation's client", PLACEMENT_KWARGS, other_placement),
        thing("a saved report of one's organisation", {"report_id"}, {"report_id": report_here},
              manager={R.ORGANISATION}),
        thing("another organisation's saved report (the coordinator's)", {"report_id"},
              {"report_id": report_mops}, manager={R.ORGANISATION}),
        thing("an import into one's organisation", {"job_id"}, {"job_id": job_here},
              administrator={R.ORGANISATION}),
        thing("an import into another organisation", {"job_id"}, {"job_id": job_mops}),
        # The DPO (of the foundation) acts for the foundation's data subjects only.
        thing("a person of another organisation", {"subject_id"}, {"subject_id": subject.pk}),
        thing("a person of one's organisation", {"subject_id"}, {"subject_id": own_subject.pk},
              dpo={R.ORGANISATION}),
        # The other organisation's person's package and refusal: its DPO's, and the cluster's.
        thing("a person's data package", {"export_id"}, {"export_id": package.pk}),
        thing("a refused request of a person", {"refusal_id"}, {"refusal_id": refusal.pk}),
        thing("one's own role", {"role_slug"}, _own_role,
              **{role: {R.OWN_ROLE} for role in Role.values}),
        thing("another role", {"role_slug"}, _another_role),
        thing("an object of each model in the admin", {"object_id", "app_label", "content_type_id"},
              {"object_id": str(foundation.pk), "app_label": "accounts",
               "content_type_id": str(org_ct.pk)}),
        thing("an organisation's history in the admin", {"*"},
              {"*": (str(foundation.pk), str(history_id))}),
    ]  # fmt: skip
    names = ("Wierzbowa", "Dębowiak", "Sosnówka", "Jarzębina", "Kalinowski", "Grabiński")
    return World(personas=personas, things=things, names=(*names, "Żurawiecki"))
