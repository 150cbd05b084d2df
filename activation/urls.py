"""The activation pages, under /activation/. Route names `<entity>-<action>`."""

from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import Reach, allow
from activation.urls_pathway import ACCESS as PATHWAY_ACCESS
from activation.urls_pathway import urlpatterns as pathway
from activation.views import allowances, attendance, programmes

app_name = "activation"

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
COACH = Role.JOB_COACH
MANAGER = Role.MANAGER
ACCESS = {
    "attendance-cohorts": allow(COACH),
    "attendance-day": allow(COACH, reach=Reach.COACHES),
    "attendance-sheet": allow(COACH, reach=Reach.COACHES)
    | allow(MANAGER, reach=Reach.ORGANISATION),
    "attendance-sheet-pdf": allow(COACH, reach=Reach.COACHES)
    | allow(MANAGER, reach=Reach.ORGANISATION),
    "programme-list": allow(MANAGER),
    "programme-create": allow(MANAGER),
    "programme-detail": allow(MANAGER, reach=Reach.ORGANISATION),
    "programme-edit": allow(MANAGER, reach=Reach.ORGANISATION),
    "programme-rule-set": allow(MANAGER, reach=Reach.ORGANISATION),
    "cohort-create": allow(MANAGER, reach=Reach.ORGANISATION),
    "cohort-edit": allow(MANAGER, reach=Reach.ORGANISATION),
    "trade-list": allow(MANAGER),
    "allowance-index": allow(MANAGER),
    "allowance-rules": allow(MANAGER),
    # A CIS of the manager's organisation (any other programme answers 404).
    "allowance-month": allow(MANAGER, reach=Reach.ORGANISATION),
    "allowance-csv": allow(MANAGER, reach=Reach.ORGANISATION),
    "allowance-pdf": allow(MANAGER, reach=Reach.ORGANISATION),
    "allowance-bonus": allow(MANAGER, reach=Reach.ORGANISATION),
    "allowance-close": allow(MANAGER, reach=Reach.ORGANISATION),
    "allowance-correction": allow(MANAGER, reach=Reach.ORGANISATION),
}

urlpatterns = [
    # A job coach's attendance (activation/views/attendance.py).
    path("attendance/", attendance.cohort_list, name="attendance-cohorts"),
    path("cohorts/<int:cohort_id>/attendance/", attendance.day, name="attendance-day"),
    path("cohorts/<int:cohort_id>/sheet/", attendance.sheet, name="attendance-sheet"),
    path("cohorts/<int:cohort_id>/sheet.pdf", attendance.sheet_pdf, name="attendance-sheet-pdf"),
    # The manager's programmes and cohorts (activation/views/programmes.py).
    path("programmes/", programmes.programme_list, name="programme-list"),
    path("programmes/new/", programmes.programme_create, name="programme-create"),
    path("programmes/<int:programme_id>/", programmes.programme_detail, name="programme-detail"),
    path("programmes/<int:programme_id>/edit/", programmes.programme_edit, name="programme-edit"),
    path(
        "programmes/<int:programme_id>/rules/",
        programmes.programme_rule_set,
        name="programme-rule-set",
    ),
    path(
        "programmes/<int:programme_id>/cohorts/new/",
        programmes.cohort_create,
        name="cohort-create",
    ),
    path("cohorts/<int:cohort_id>/edit/", programmes.cohort_edit, name="cohort-edit"),
    path("trades/", programmes.trade_list, name="trade-list"),
    # The manager's allowance pages (activation/views/allowances.py).
    path("allowances/", allowances.allowance_index, name="allowance-index"),
    path("allowances/rules/", allowances.allowance_rules, name="allowance-rules"),
    path(
        "programmes/<int:programme_id>/allowance/",
        allowances.allowance_month,
        name="allowance-month",
    ),
    path(
        "programmes/<int:programme_id>/allowance.csv",
        allowances.allowance_csv,
        name="allowance-csv",
    ),
    path(
        "programmes/<int:programme_id>/allowance.pdf",
        allowances.allowance_pdf,
        name="allowance-pdf",
    ),
    path(
        "programmes/<int:programme_id>/allowance/bonus/",
        allowances.allowance_bonus,
        name="allowance-bonus",
    ),
    path(
        "programmes/<int:programme_id>/allowance/close/",
        allowances.allowance_close,
        name="allowance-close",
    ),
    path(
        "programmes/<int:programme_id>/allowance/correction/",
        allowances.allowance_correction,
        name="allowance-correction",
    ),
]

# The pathway pages (activation/urls_pathway.py): the coach's start, enrolment, placements,
# follow-ups, the ladder.
urlpatterns += pathway
ACCESS.update(PATHWAY_ACCESS)
