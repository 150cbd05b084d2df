from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import Reach, allow
from shelters import config_views, views, walkin_views

app_name = "shelters"

urlpatterns = [
    path("", views.facility_list, name="facility-list"),
    path("start/", views.staff_start, name="staff-start"),
    path("city/", views.city, name="city"),
    path("night-count/", views.night_count, name="night-count"),
    path("<int:facility_id>/", views.board, name="board"),
    path("<int:facility_id>/check-in/", views.check_in, name="stay-check-in"),
    path("<int:facility_id>/check-in/search/", views.check_in_search, name="check-in-search"),
    path("<int:facility_id>/walk-in/", walkin_views.walk_in, name="walk-in"),
    path(
        "<int:facility_id>/households/check-in/",
        views.household_check_in,
        name="household-check-in",
    ),
    path("households/<int:allocation_id>/", views.household_detail, name="household-detail"),
    path(
        "households/<int:allocation_id>/check-out/",
        views.household_check_out,
        name="household-check-out",
    ),
    path(
        "households/<int:allocation_id>/transfer/",
        views.household_transfer,
        name="household-transfer",
    ),
    path("<int:facility_id>/roll.pdf", views.roll_pdf, name="roll-pdf"),
    path("<int:facility_id>/night/close/", views.night_close, name="night-close"),
    path("<int:facility_id>/holds/new/", views.hold_create, name="hold-create"),
    path("<int:facility_id>/waitlist/", views.waitlist, name="waitlist"),
    path("<int:facility_id>/waitlist/offer/", views.waitlist_offer, name="waitlist-offer"),
    path("<int:facility_id>/waitlist/add/", views.waitlist_add, name="waitlist-add"),
    path("<int:facility_id>/bans/", views.bans, name="bans"),
    path("stays/<int:stay_id>/", views.stay_detail, name="stay-detail"),
    path("stays/<int:stay_id>/check-out/", views.stay_check_out, name="stay-check-out"),
    path("stays/<int:stay_id>/transfer/", views.stay_transfer, name="stay-transfer"),
    path("stays/<int:stay_id>/notes/", views.stay_notes, name="stay-notes"),
    path("stays/<int:stay_id>/present/", views.stay_present, name="stay-present"),
    path("holds/<int:hold_id>/release/", views.hold_release, name="hold-release"),
    path("waitlist/<int:entry_id>/status/", views.waitlist_status, name="waitlist-status"),
    path("bans/<int:ban_id>/lift/", views.ban_lift, name="ban-lift"),
    # Configuration by managers of the facility's organisation.
    path("manage/", config_views.manage_list, name="manage-list"),
    path("manage/new/", config_views.facility_create, name="facility-create"),
    path("manage/<int:facility_id>/", config_views.facility_setup, name="facility-setup"),
    path("manage/<int:facility_id>/edit/", config_views.facility_edit, name="facility-edit"),
    path("manage/<int:facility_id>/winter/", config_views.winter_mode, name="facility-winter"),
    path("manage/<int:facility_id>/rooms/new/", config_views.room_create, name="room-create"),
    path("manage/rooms/<int:room_id>/", config_views.room_edit, name="room-edit"),
    path("manage/<int:facility_id>/beds/new/", config_views.bed_create, name="bed-create"),
    path("manage/beds/<int:bed_id>/", config_views.bed_edit, name="bed-edit"),
    path("manage/<int:facility_id>/outages/new/", config_views.outage_create, name="outage-create"),
    path("manage/outages/<int:outage_id>/end/", config_views.outage_end, name="outage-end"),
    path("manage/<int:facility_id>/operators/", config_views.operators, name="operators"),
    path(
        "manage/<int:facility_id>/operators/<int:user_id>/revoke/",
        config_views.operator_revoke,
        name="operator-revoke",
    ),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
OPERATOR = allow(Role.SHELTER_STAFF, Role.MANAGER, Role.SOCIAL_WORKER, reach=Reach.OPERATES)
CONFIGURES = allow(Role.MANAGER, reach=Reach.ORGANISATION)
ACCESS = {
    "facility-list": allow(Role.SHELTER_STAFF, Role.MANAGER, Role.SOCIAL_WORKER),
    "city": allow(Role.SOCIAL_WORKER, Role.SHELTER_STAFF, Role.MANAGER),
    "night-count": allow(Role.SHELTER_STAFF, Role.MANAGER),
    "staff-start": allow(Role.SHELTER_STAFF),
    "walk-in": OPERATOR,
    "board": OPERATOR,
    "stay-check-in": OPERATOR,
    "check-in-search": OPERATOR,
    "household-check-in": OPERATOR,
    "household-detail": OPERATOR,
    "household-check-out": OPERATOR,
    "household-transfer": OPERATOR,
    "roll-pdf": OPERATOR,
    "night-close": OPERATOR,
    "hold-create": OPERATOR,
    "waitlist": OPERATOR,
    "waitlist-offer": OPERATOR,
    # A social worker puts a client of their caseload on any active facility's waitlist.
    "waitlist-add": allow(Role.SOCIAL_WORKER),
    "bans": OPERATOR,
    "stay-detail": OPERATOR,
    "stay-check-out": OPERATOR,
    "stay-transfer": OPERATOR,
    "stay-notes": OPERATOR,
    "stay-present": OPERATOR,
    "hold-release": OPERATOR,
    "waitlist-status": OPERATOR,
    # Lifting a ban is a manager's decision, in a facility they work in.
    "ban-lift": allow(Role.MANAGER, reach=Reach.OPERATES),
    "manage-list": allow(Role.MANAGER),
    "facility-create": allow(Role.MANAGER),
    "facility-setup": CONFIGURES,
    "facility-edit": CONFIGURES,
    "facility-winter": CONFIGURES,
    "room-create": CONFIGURES,
    "room-edit": CONFIGURES,
    "bed-create": CONFIGURES,
    "bed-edit": CONFIGURES,
    "outage-create": CONFIGURES,
    "outage-end": CONFIGURES,
    "operators": CONFIGURES,
    "operator-revoke": CONFIGURES,
}
