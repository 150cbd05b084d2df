from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("search/", views.client_search, name="client-search"),
    path("new/", views.client_create, name="client-create"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/clients/", views.assignment_list, name="assignment-list"),
    path("assignments/<int:request_id>/", views.handover_decide, name="handover-decide"),
    path(
        "break-glass/<int:grant_id>/reviewed/",
        views.break_glass_reviewed,
        name="break-glass-reviewed",
    ),
    path("<uuid:client_id>/", views.client_detail, name="client-detail"),
    path("<uuid:client_id>/timeline/", views.client_timeline_page, name="client-timeline"),
    path("<uuid:client_id>/edit/", views.client_edit, name="client-edit"),
    path("<uuid:client_id>/history/", views.client_history, name="client-history"),
    path("<uuid:client_id>/notes/<int:note_id>/", views.note_edit, name="note-edit"),
    path("<uuid:client_id>/close/", views.case_close, name="case-close"),
    path("<uuid:client_id>/reopen/", views.case_reopen, name="case-reopen"),
    path("<uuid:client_id>/handover/", views.handover_ask, name="handover-ask"),
    path("<uuid:client_id>/break-glass/", views.break_glass, name="break-glass"),
    path("<uuid:client_id>/assign/", views.assign, name="assign"),
    path("<uuid:client_id>/consents/", views.consents, name="consents"),
    path(
        "<uuid:client_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("<uuid:client_id>/referrals/", views.referrals, name="referrals"),
    path("<uuid:client_id>/assessments/", views.assessments, name="assessments"),
    path("<uuid:client_id>/plans/", views.plans, name="plans"),
    path("<uuid:client_id>/household/", views.household, name="household"),
    path("<uuid:client_id>/plans/<int:plan_id>/", views.plan_detail, name="plan-detail"),
    path("<uuid:client_id>/plans/<int:plan_id>/pdf/", views.plan_pdf, name="plan-pdf"),
    path("plans/<int:plan_id>/pdf/", views.plan_for_approval_pdf, name="plan-approval-pdf"),
    path("plans/<int:plan_id>/approve/", views.plan_approve, name="plan-approve"),
    path("<uuid:client_id>/documents/", views.documents, name="documents"),
    path(
        "<uuid:client_id>/documents/<int:document_id>/",
        views.document_download,
        name="document-download",
    ),
    path("partner/", views.partner_referrals, name="partner-referrals"),
    path("partner/<int:referral_id>/", views.partner_referral, name="partner-referral"),
]
