from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import navigation, positions, services, todo
from accounts.access import (
    assignable_roles,
    get_staff_for_user,
    get_team_for_user,
    may_manage_staff,
    role_required,
    staff_visible_to,
    team_members,
    teams_visible_to,
)
from accounts.forms import (
    ConfirmForm,
    DeactivateForm,
    LoginForm,
    PasswordChangeForm,
    StaffCreateForm,
    StaffForm,
    TeamForm,
    TeamMemberForm,
)
from accounts.roles import ROLE_DESCRIPTIONS, STAFF_MANAGERS, Role

ROLE_SLUGS = {role: role.replace("_", "-") for role in Role.values}
SLUG_ROLES = {slug: role for role, slug in ROLE_SLUGS.items()}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password; the old one is limited and logged like every re-confirmation."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")
    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@require_GET
@login_required
def home(request):
    """Send each user to their work: the page their role's app declared, else the role's cards."""
    role = request.user.role
    if role is None:
        return render(request, "accounts/no_role.html", status=403)
    url = navigation.landing_for(request.user)
    if url is not None:
        return redirect(url)
    return redirect("accounts:landing", role_slug=ROLE_SLUGS[role])


@require_GET
@login_required
def landing(request, role_slug: str):
    """A role's landing page: what this role does, and the pages it may use."""
    role = SLUG_ROLES.get(role_slug)
    if role is None:
        raise Http404
    # Another role's landing page is refused like any other role's page.
    if not request.user.has_role(role):
        raise PermissionDenied
    return render(
        request,
        "accounts/landing.html",
        {"role": Role(role), "role_description": ROLE_DESCRIPTIONS[Role(role)]},
    )


@require_GET
@role_required(Role.MANAGER)
def manager_todo(request):
    """A manager's start: what waits for them (counts only, no names), each linked to its page."""
    return render(request, "accounts/todo.html", {"items": todo.items_for(request.user)})


@require_GET
@role_required(*STAFF_MANAGERS)
def staff_list(request):
    show_inactive = request.GET.get("inactive") == "1"
    users = staff_visible_to(request.user)
    if not show_inactive:
        users = users.filter(is_active=True)
    roles = assignable_roles(request.user)
    # Only the accounts the staff page would open are links (the view's own rule).
    rows = [(user, may_manage_staff(request.user, user, roles)) for user in users]
    return render(
        request,
        "accounts/staff_list.html",
        {"rows": rows, "show_inactive": show_inactive},
    )


@role_required(*STAFF_MANAGERS)
def staff_create(request):
    roles = assignable_roles(request.user)
    form = StaffCreateForm(request.POST or None, actor=request.user, request=request, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_password"}
        try:
            services.user_create(actor=request.user, **data)
        except ValidationError as error:
            form.add_error("password" if hasattr(error, "error_list") else None, error)
        else:
            # No name in the message: messages outlive the page (docs/privacy.md).
            messages.success(request, _("The account has been created."))
            return redirect("accounts:staff-list")
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True})


@role_required(*STAFF_MANAGERS)
def staff_edit(request, user_id: int):
    target = get_staff_for_user(request.user, user_id)
    roles = assignable_roles(request.user)
    initial = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "organisation": target.organisation_id,
        "role": target.role,
    }
    form = StaffForm(
        request.POST or None, initial=initial, actor=request.user, request=request, roles=roles
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_password"}
        try:
            services.user_update(actor=request.user, user=target, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The account has been saved."))
            return redirect("accounts:staff-list")
    return render(
        request,
        "accounts/staff_form.html",
        {
            "form": form,
            "creating": False,
            "target": target,
            "confirm_form": _set_active_form(request, target),
            "holdings": positions.holdings(target) if target.is_active else [],
        },
    )


def _set_active_form(request, target, data=None):
    """The confirmation of a (de)activation; a deactivation of someone holding files asks who
    takes them over (services.user_deactivate refuses without)."""
    if not target.is_active:
        return ConfirmForm(data, actor=request.user, request=request)
    holds = bool(positions.holdings(target))
    return DeactivateForm(data, target=target, holds=holds, actor=request.user, request=request)


@require_POST
@role_required(*STAFF_MANAGERS)
def staff_set_active(request, user_id: int, active: bool):
    target = get_staff_for_user(request.user, user_id)
    form = _set_active_form(request, target, request.POST)
    if not form.is_valid():
        if "confirm_password" in form.errors:
            messages.error(request, _("Your password is not correct. Nothing was changed."))
        else:
            messages.error(request, _("Choose from the list. Nothing was changed."))
        return redirect("accounts:staff-edit", user_id=target.pk)
    try:
        if active:
            services.user_reactivate(actor=request.user, user=target)
            messages.success(request, _("The account has been reactivated."))
        else:
            services.user_deactivate(
                actor=request.user,
                user=target,
                successor=form.cleaned_data.get("successor"),
                team=form.cleaned_data.get("team"),
                request=request,
            )
            messages.success(request, _("The account has been deactivated and signed out."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:staff-edit", user_id=target.pk)
    return redirect("accounts:staff-list")


# --- teams -----------------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGER)
def team_list(request):
    """The teams of the manager's organisation, with how many active members each has."""
    teams = teams_visible_to(request.user).annotate(
        member_count=Count("group__user", filter=Q(group__user__is_active=True))
    )
    return render(request, "accounts/team_list.html", {"teams": teams})


@role_required(Role.MANAGER)
def team_create(request):
    form = TeamForm(request.POST or None, organisation_id=request.user.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The team has been created. Now add its members."))
            return redirect("accounts:team-detail", team_id=team.pk)
    return render(request, "accounts/team_form.html", {"form": form})


@role_required(Role.MANAGER)
def team_detail(request, team_id: int):
    """A team's members; a POST adds one (only an active social worker of the organisation)."""
    team = get_team_for_user(request.user, team_id)
    form = TeamMemberForm(request.POST or None, team=team, actor=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_member_add(actor=request.user, team=team, user=form.cleaned_data["user"])
        except ValidationError as error:
            form.add_error("user", error)
        else:
            messages.success(request, _("The member has been added to the team."))
            return redirect("accounts:team-detail", team_id=team.pk)
    return render(
        request,
        "accounts/team_detail.html",
        {"team": team, "members": team_members(team), "form": form},
    )


@require_POST
@role_required(Role.MANAGER)
def team_member_remove(request, team_id: int, user_id: int):
    team = get_team_for_user(request.user, team_id)
    member = team_members(team).filter(pk=user_id).first()
    # Someone who is not in this team (or does not exist) is not found here.
    if member is None:
        raise Http404
    services.team_member_remove(actor=request.user, team=team, user=member)
    messages.success(request, _("The member has left the team."))
    return redirect("accounts:team-detail", team_id=team.pk)
