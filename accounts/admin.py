from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Organisations are deactivated, never deleted: staff and records point to them.
        return False
