from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import allow
from privacy import views

app_name = "privacy"

urlpatterns = [
    path("erase/", views.erase, name="erase"),
    path("erase/find/", views.person_search, name="person-search"),
    path("erase/<uuid:subject_id>/", views.erase_subject, name="erase-subject"),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
ACCESS = {
    "erase": allow(Role.DPO),
    "person-search": allow(Role.DPO),
    # Any person: the data protection officer reaches persons through erasure only.
    "erase-subject": allow(Role.DPO),
}
