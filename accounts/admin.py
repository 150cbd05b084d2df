from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    # Set on the organisation's own page by its administrator or manager, with their password
    # and code (accounts.views.organisation_second_factor), not here for any organisation.
    readonly_fields = ["requires_second_factor"]

    def has_delete_permission(self, request, obj=None):
        # Organisations are deactivated, never deleted: staff and records point to them.
        return False


# The second factor's devices are managed on the staff pages (accounts/second_factor.py): a
# reset there is logged and kept in the history; the admin's own pages would do neither.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
