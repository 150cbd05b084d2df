from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from accounts.roles import Role
from accounts.urlaccess import Reach, admin_site, public
from config.health import healthz

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", include("accounts.urls")),
    path("clients/", include("cases.urls")),
    path("privacy/", include("privacy.urls")),
    path("shelters/", include("shelters.urls")),
    path("activation/", include("activation.urls")),
    path("reports/", include("reports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # For monitors and load balancers (docs/operations.md, "Health check").
    path("healthz", healthz, name="healthz"),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
# An included URLconf without an ACCESS of its own (the admin) is declared here by
# "namespace:name", or by a pattern such as "namespace:*" (the most specific key wins).
ACCESS = {
    "set_language": public(),
    # Check names only, nothing personal (config/health.py).
    "healthz": public(),
    # Django's admin: organisations for administrators (Organisation is its only model of ours).
    "admin:*": admin_site(Role.ADMINISTRATOR),
    # The admin's own sign-in page, and its sign-out (everyone else is sent to its index).
    "admin:login": public(),
    "admin:logout": public(),
    # Its model permissions give no role the groups (roles are set on the staff pages), the
    # lockout records, deleting an organisation, or autocompletion (no admin asks for it).
    "admin:auth_group_*": admin_site(),
    "admin:axes_*": admin_site(),
    "admin:accounts_organisation_delete": admin_site(),
    "admin:autocomplete": admin_site(),
    "admin:view_on_site": admin_site(Role.ADMINISTRATOR, reach=Reach.ON_SITE),
}
