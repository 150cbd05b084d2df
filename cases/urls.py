from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import Reach, allow
from cases.views import (
    assessments,
    caseload,
    file,
    handover,
    household,
    partner,
    plans,
    sharing,
    walkins,
    who_saw,
)

app_name = "cases"

urlpatterns = [
    path("<uuid:client_id>/who-saw/", who_saw.who_saw, name="who-saw"),
    path("", caseload.caseload, name="caseload"),
    path("search/", caseload.client_search, name="client-search"),
    path("new/", caseload.client_create, name="client-create"),
    path("walk-ins/", walkins.walk_ins, name="walk-ins"),
    path("walk-ins/<uuid:client_id>/take/", walkins.walk_in_take, name="walk-in-take"),
    path("handovers/", handover.handover_requests, name="handover-requests"),
    path("assignments/", handover.assignments, name="assignments"),
    path("assignments/clients/", handover.assignment_list, name="assignment-list"),
    path("assignments/<int:request_id>/accept/", handover.handover_accept, name="handover-accept"),
    path("assignments/<int:request_id>/refuse/", handover.handover_refuse, name="handover-refuse"),
    path(
        "break-glass/<int:grant_id>/reviewed/",
        handover.break_glass_reviewed,
        name="break-glass-reviewed",
    ),
    path("<uuid:client_id>/", file.client_detail, name="client-detail"),
    path("<uuid:client_id>/timeline/", file.client_timeline_page, name="client-timeline"),
    path("<uuid:client_id>/edit/", file.client_edit, name="client-edit"),
    path("<uuid:client_id>/history/", file.client_history, name="client-history"),
    path("<uuid:client_id>/notes/<int:note_id>/", file.note_edit, name="note-edit"),
    path("<uuid:client_id>/close/", file.case_close, name="case-close"),
    path("<uuid:client_id>/reopen/", file.case_reopen, name="case-reopen"),
    path("<uuid:client_id>/handover/", handover.handover_ask, name="handover-ask"),
    path("<uuid:client_id>/break-glass/", handover.break_glass, name="break-glass"),
    path("<uuid:client_id>/assign/", handover.assign, name="assign"),
    path("<uuid:client_id>/consents/", sharing.consents, name="consents"),
    path(
        "<uuid:client_id>/consents/<int:consent_id>/withdraw/",
        sharing.consent_withdraw,
        name="consent-withdraw",
    ),
    path("<uuid:client_id>/referrals/", sharing.referrals, name="referrals"),
    path("<uuid:client_id>/assessments/", assessments.assessments, name="assessments"),
    path("<uuid:client_id>/household/", household.household, name="household"),
    path(
        "<uuid:client_id>/household/members/",
        household.household_member_add,
        name="household-member-add",
    ),
    path(
        "<uuid:client_id>/household/do-not-disclose/",
        household.do_not_disclose_add,
        name="do-not-disclose-add",
    ),
    path("<uuid:client_id>/plans/", plans.plans, name="plans"),
    path("<uuid:client_id>/plans/<int:plan_id>/", plans.plan_detail, name="plan-detail"),
    path("<uuid:client_id>/plans/<int:plan_id>/goals/", plans.plan_goal_add, name="plan-goal-add"),
    path(
        "<uuid:client_id>/plans/<int:plan_id>/goals/<int:goal_id>/status/",
        plans.plan_goal_update,
        name="plan-goal-update",
    ),
    path("<uuid:client_id>/plans/<int:plan_id>/steps/", plans.plan_step_add, name="plan-step-add"),
    path(
        "<uuid:client_id>/plans/<int:plan_id>/steps/<int:step_id>/status/",
        plans.plan_step_update,
        name="plan-step-update",
    ),
    path("<uuid:client_id>/plans/<int:plan_id>/reviews/", plans.plan_review, name="plan-review"),
    path("<uuid:client_id>/plans/<int:plan_id>/submit/", plans.plan_submit, name="plan-submit"),
    path(
        "<uuid:client_id>/plans/<int:plan_id>/new-version/",
        plans.plan_new_version,
        name="plan-new-version",
    ),
    path("<uuid:client_id>/plans/<int:plan_id>/pdf/", plans.plan_pdf, name="plan-pdf"),
    path("plans/<int:plan_id>/pdf/", plans.plan_for_approval_pdf, name="plan-approval-pdf"),
    path("plans/<int:plan_id>/approve/", plans.plan_approve, name="plan-approve"),
    path("<uuid:client_id>/documents/", sharing.documents, name="documents"),
    path(
        "<uuid:client_id>/documents/<int:document_id>/",
        sharing.document_download,
        name="document-download",
    ),
    path("partner/", partner.partner_referrals, name="partner-referrals"),
    path("partner/<int:referral_id>/", partner.partner_referral, name="partner-referral"),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
WORKER = allow(Role.SOCIAL_WORKER)
READS = allow(Role.SOCIAL_WORKER, reach=Reach.FILE)
# Read on GET (break-glass too), written on POST (the holder and their team only).
READS_WRITES = allow(Role.SOCIAL_WORKER, reach=Reach.FILE, post=Reach.FILE_CHANGE)
CHANGES = allow(Role.SOCIAL_WORKER, reach=Reach.FILE_CHANGE)
MANAGER = allow(Role.MANAGER)
DECIDES = allow(Role.MANAGER, reach=Reach.ORGANISATION)
ACCESS = {
    "caseload": WORKER,
    "walk-ins": WORKER,
    # POST: only a walk-in of one's organisation nobody has taken (tests/cases/test_walk_ins.py).
    "walk-in-take": allow(Role.SOCIAL_WORKER, reach=Reach.WALK_IN),
    "client-search": WORKER,
    "client-create": WORKER,
    "handover-requests": WORKER,
    "assignments": MANAGER,
    "assignment-list": MANAGER,
    "handover-accept": DECIDES,
    "handover-refuse": DECIDES,
    "break-glass-reviewed": DECIDES,
    "client-detail": READS_WRITES,
    "client-timeline": READS,
    "client-edit": CHANGES,
    "client-history": READS,
    # The holders and their team (an emergency reader: 403; tests/cases/test_who_saw.py).
    "who-saw": CHANGES,
    "note-edit": CHANGES,
    "case-close": CHANGES,
    "case-reopen": CHANGES,
    # Any person the search shows (not one hiding from someone the worker reaches).
    "handover-ask": WORKER,
    "break-glass": WORKER,
    "assign": DECIDES,
    "consents": READS_WRITES,
    "consent-withdraw": CHANGES,
    "referrals": READS_WRITES,
    "assessments": READS_WRITES,
    "household": READS,
    "household-member-add": CHANGES,
    "do-not-disclose-add": CHANGES,
    "plans": READS_WRITES,
    "plan-detail": READS,
    "plan-goal-add": CHANGES,
    "plan-goal-update": CHANGES,
    "plan-step-add": CHANGES,
    "plan-step-update": CHANGES,
    "plan-review": CHANGES,
    "plan-submit": CHANGES,
    "plan-new-version": CHANGES,
    "plan-pdf": READS,
    "plan-approval-pdf": DECIDES,
    "plan-approve": DECIDES,
    "documents": READS_WRITES,
    "document-download": READS,
    "partner-referrals": allow(Role.PARTNER),
    "partner-referral": allow(Role.PARTNER, reach=Reach.REFERRED),
}
