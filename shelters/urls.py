from django.urls import path

from shelters import views

app_name = "shelters"

urlpatterns = [
    path("", views.facility_list, name="facility-list"),
    path("city/", views.city, name="city"),
    path("night-count/", views.night_count, name="night-count"),
    path("<int:facility_id>/", views.board, name="board"),
    path("<int:facility_id>/check-in/", views.check_in, name="stay-check-in"),
    path(
        "<int:facility_id>/households/check-in/",
        views.household_check_in,
        name="household-check-in",
    ),
    path(
        "households/<int:allocation_id>/check-out/",
        views.household_check_out,
        name="household-check-out",
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
]
