from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import allow
from privacy import dpo_views, retention_views, views

app_name = "privacy"

urlpatterns = [
    path("people/", dpo_views.people, name="people"),
    path("people/<uuid:subject_id>/", dpo_views.person, name="person"),
    path("access-log/", dpo_views.access_log, name="access-log"),
    path("access-log/export.csv", dpo_views.access_log_export, name="access-log-export"),
    path("erase/", views.erase, name="erase"),
    path("erase/find/", views.person_search, name="person-search"),
    path("erase/<uuid:subject_id>/", views.erase_subject, name="erase-subject"),
    path("retention/", retention_views.retention_page, name="retention"),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
ACCESS = {
    "erase": allow(Role.DPO),
    "people": allow(Role.DPO),
    # Any person: the data protection officer acts for every data subject (docs/privacy.md).
    "person": allow(Role.DPO),
    "access-log": allow(Role.DPO),
    "access-log-export": allow(Role.DPO),
    "person-search": allow(Role.DPO),
    # Any person: the data protection officer reaches persons through erasure only.
    "erase-subject": allow(Role.DPO),
    # The retention periods and what today's run would erase (ids, no names).
    "retention": allow(Role.DPO),
}
