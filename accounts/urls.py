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
    "staff-list": allow(Role.MANAGER, Role.ADMINISTRATOR),
    "staff-create": allow(Role.MANAGER, Role.ADMINISTRATOR),
    "staff-edit": STAFF_MANAGERS,
    "staff-deactivate": STAFF_MANAGERS,
    "staff-reactivate": STAFF_MANAGERS,
    "team-list": allow(Role.MANAGER),
    "team-create": allow(Role.MANAGER),
    "team-detail": allow(Role.MANAGER, reach=Reach.ORGANISATION),
    "team-member-remove": allow(Role.MANAGER, reach=Reach.ORGANISATION),
}
