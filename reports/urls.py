from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import Reach, allow
from reports import access, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("save/", views.save, name="save"),
    path("saved/", views.saved_list, name="saved-list"),
    path("saved/<int:report_id>/", views.saved_detail, name="saved-detail"),
    path("import/", views.import_upload, name="import-upload"),
    path("import/<uuid:job_id>/", views.import_job, name="import-job"),
    path("people/", views.people, name="people"),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
ACCESS = {
    "dashboard": allow(Role.MANAGER),
    "save": allow(Role.MANAGER),
    "saved-list": allow(Role.MANAGER),
    # The organisation's saved reports; the cluster's coordinator reaches every organisation's.
    "saved-detail": allow(Role.MANAGER, reach=Reach.ORGANISATION),
    # Uploads of past records into the administrator's organisation, and each upload's page.
    "import-upload": allow(Role.ADMINISTRATOR),
    "import-job": allow(Role.ADMINISTRATOR, reach=Reach.ORGANISATION),
    # The people behind a figure: those who open case files, and only the files they open
    # (reports.access.people_visible_to); a manager sees no names.
    "people": allow(*access.DRILL_DOWN_ROLES),
}
