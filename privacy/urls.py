from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import allow
from privacy import dpo_views, views

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
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
ACCESS = {
    "erase": allow(Role.DPO),
    "people": allow(Role.DPO),
    # Any person: the data protection officer acts for every data subject (docs/privacy.md).
    "person": allow(Role.DPO),
    # Any person, any package, any refusal: the DPO acts for every data subject.
    "person-export": allow(Role.DPO),
    "refusal-record": allow(Role.DPO),
    "export-download": allow(Role.DPO),
    "refusals-due": allow(Role.DPO),
    "refusal-review": allow(Role.DPO),
    "access-log": allow(Role.DPO),
    "access-log-export": allow(Role.DPO),
    "person-search": allow(Role.DPO),
    # Any person: the data protection officer reaches persons through erasure only.
    "erase-subject": allow(Role.DPO),
}
