from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", include("accounts.urls")),
    path("clients/", include("cases.urls")),
    path("privacy/", include("privacy.urls")),
    path("shelters/", include("shelters.urls")),
    path("reports/", include("reports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
