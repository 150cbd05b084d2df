from django.urls import path

from accounts.roles import DPO_ROLES, Role
from accounts.urlaccess import Reach, allow
from privacy import dpo_views, retention_views, views, watch_views

app_name = "privacy"

urlpatterns = [
    path("people/", dpo_views.people, name="people"),
    path("people/<uuid:subject_id>/", dpo_views.person, name="person"),
    path("people/<uuid:subject_id>/export/", dpo_views.person_export, name="person-export"),
    path("people/<uuid:subject_id>/refusal/", dpo_views.refusal_record, name="refusal-record"),
    path("exports/<uuid:export_id>/download/", dpo_views.export_download, name="export-download"),
    path("refusals/", dpo_views.refusals_due, name="refusals-due"),
    path("refusals/<int:refusal_id>/review/", dpo_views.refusal_review, name="refusal-review"),
    path("access-log/", dpo_views.access_log, name="access-log"),
    path("access-log/export.csv", dpo_views.access_log_export, name="access-log-export"),
    path("erase/", views.erase, name="erase"),
    path("erase/find/", views.person_search, name="person-search"),
    path("erase/<uuid:subject_id>/", views.erase_subject, name="erase-subject"),
    path("retention/", retention_views.retention_page, name="retention"),
    path("people/<uuid:subject_id>/restriction/", watch_views.restrict, name="restrict"),
    path(
        "people/<uuid:subject_id>/restriction/lift/",
        watch_views.restriction_lift,
        name="restriction-lift",
    ),
    path("people/<uuid:subject_id>/who-saw/", watch_views.who_saw, name="who-saw"),
    path("unusual-access/", watch_views.unusual_access, name="unusual-access"),
    path("unusual-access/thresholds/", watch_views.access_watch_edit, name="access-watch"),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
# A person's pages: an organisation's DPO for its own data subjects (privacy/scope.py, the
# "organisation" reach of a person), the cluster's DPO for everyone.
PERSON = allow(Role.DPO, reach=Reach.ORGANISATION) | allow(Role.CLUSTER_DPO)

ACCESS = {
    "erase": allow(*DPO_ROLES),
    "people": allow(*DPO_ROLES),
    "person": PERSON,
    "access-log": allow(*DPO_ROLES),
    "access-log-export": allow(*DPO_ROLES),
    "person-search": allow(*DPO_ROLES),
    "erase-subject": PERSON,
    "restrict": PERSON,
    "restriction-lift": PERSON,
    "who-saw": PERSON,
    "unusual-access": allow(*DPO_ROLES),
    "access-watch": allow(*DPO_ROLES),
    # The retention periods and what today's run would erase (ids, no names).
    "retention": allow(*DPO_ROLES),
    # A person's package and refused requests: the same reach as the person's page.
    "person-export": PERSON,
    "refusal-record": PERSON,
    "export-download": PERSON,
    "refusal-review": PERSON,
    "refusals-due": allow(*DPO_ROLES),
}
