from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.roles import Role
from accounts.urlaccess import Reach, allow, public, signed_in

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/<slug:role_slug>/", views.landing, name="landing"),
    path("todo/", views.manager_todo, name="todo"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("second-factor/", views.second_factor_verify, name="second-factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second-factor-enrol"),
    path(
        "second-factor/backup-codes/",
        views.second_factor_codes_renew,
        name="second-factor-codes",
    ),
    path(
        "organisation/second-factor/",
        views.organisation_second_factor,
        name="organisation-second-factor",
    ),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/new/", views.staff_create, name="staff-create"),
    path("staff/<int:user_id>/", views.staff_edit, name="staff-edit"),
    path(
        "staff/<int:user_id>/deactivate/",
        views.staff_set_active,
        {"active": False},
        name="staff-deactivate",
    ),
    path(
        "staff/<int:user_id>/reactivate/",
        views.staff_set_active,
        {"active": True},
        name="staff-reactivate",
    ),
    path(
        "staff/<int:user_id>/second-factor/reset/",
        views.staff_second_factor_reset,
        name="staff-second-factor-reset",
    ),
    path("teams/", views.team_list, name="team-list"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path(
        "teams/<int:team_id>/members/<int:user_id>/remove/",
        views.team_member_remove,
        name="team-member-remove",
    ),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
STAFF_MANAGERS = allow(Role.MANAGER, reach=Reach.ORGANISATION) | allow(Role.ADMINISTRATOR)
ACCESS = {
    "home": signed_in(),
    "todo": allow(Role.MANAGER),
    "landing": signed_in(reach=Reach.OWN_ROLE),
    "login": public(),
    "logout": public(),
    "password-change": signed_in(),
    # The second factor's pages answer a signed-in session before its code is given (the
    # middleware lets them through); once given, they send on to the start.
    "second-factor": signed_in(),
    "second-factor-enrol": signed_in(),
    # One's own new backup codes: a session that has given its code (not exempt), with an app.
    "second-factor-codes": signed_in(),
    "organisation-second-factor": allow(Role.MANAGER, Role.ADMINISTRATOR),
    "staff-list": allow(Role.MANAGER, Role.ADMINISTRATOR),
    "staff-create": allow(Role.MANAGER, Role.ADMINISTRATOR),
    "staff-edit": STAFF_MANAGERS,
    "staff-deactivate": STAFF_MANAGERS,
    "staff-reactivate": STAFF_MANAGERS,
    # A lost phone: an administrator of the person's own organisation.
    "staff-second-factor-reset": allow(Role.ADMINISTRATOR, reach=Reach.ORGANISATION),
    "team-list": allow(Role.MANAGER),
    "team-create": allow(Role.MANAGER),
    "team-detail": allow(Role.MANAGER, reach=Reach.ORGANISATION),
    "team-member-remove": allow(Role.MANAGER, reach=Reach.ORGANISATION),
}
