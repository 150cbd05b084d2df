from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts import navigation, positions, second_factor, services, todo
from accounts.access import (
    assignable_roles,
    get_staff_for_second_factor_reset,
    get_staff_for_user,
    get_team_for_user,
    may_manage_staff,
    role_required,
    staff_visible_to,
    team_members,
    teams_visible_to,
)
from accounts.forms import (
    CONFIRMATION,
    ConfirmForm,
    DeactivateForm,
    LoginForm,
    OrganisationSecondFactorForm,
    PasswordChangeForm,
    SecondFactorCodeForm,
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

    def get_context_data(self, **kwargs):
        # The backup codes are renewed from here (a link for whoever has an app).
        has_app = second_factor.has_device(self.request.user)
        return {**super().get_context_data(**kwargs), "has_second_factor": has_app}


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
        data = {k: v for k, v in form.cleaned_data.items() if k not in CONFIRMATION}
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
        data = {k: v for k, v in form.cleaned_data.items() if k not in CONFIRMATION}
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
            "has_second_factor": second_factor.has_device(target),
            "may_reset_second_factor": second_factor.may_reset(request.user, target),
            "reset_form": ConfirmForm(actor=request.user, request=request, prefix="reset"),
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


# --- the second factor (accounts/second_factor.py) -------------------------------------------


def _next_or_home(request) -> str:
    """Where to go after the code: the page asked for, if it is one of ours, else the start."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else resolve_url("accounts:home")


@login_required
def second_factor_verify(request):
    """After the password: the code from the app, or a backup code (each works once)."""
    user = request.user
    if not second_factor.needs_verification(user):
        return redirect(_next_or_home(request))
    if not second_factor.has_device(user):
        # Required, but nothing to ask a code of yet: set it up first.
        return redirect(f"{resolve_url('accounts:second-factor-enrol')}?{_next_query(request)}")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = second_factor.verify(user=user, code=form.cleaned_data["code"], request=request)
        if result.ok:
            left = second_factor.backup_codes_left(user)
            if result.backup_code_used:
                messages.warning(
                    request,
                    ngettext(
                        "Backup code used: %(count)d left.",
                        "Backup code used: %(count)d left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_next_or_home(request))
        if result.answer == second_factor.Answer.WAIT:
            form.add_error("code", _("Too many wrong codes: wait a few seconds and try again."))
        else:
            form.add_error("code", _("This code is not correct."))
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": _next_or_home(request)},
    )


def _next_query(request) -> str:
    return urlencode({"next": _next_or_home(request)})


@login_required
def second_factor_enrol(request):
    """Set up the authenticator app: a QR code (and the secret as text), then one code from it;
    the backup codes are shown once, on the page that answers the right code."""
    user = request.user
    if second_factor.has_device(user):
        return redirect(_next_or_home(request))
    device = second_factor.enrolment_device(user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result, codes = second_factor.enrolment_confirm(
            user=user, device=device, code=form.cleaned_data["code"], request=request
        )
        if result.ok:
            return render(
                request,
                "accounts/second_factor_codes.html",
                {"codes": codes, "next": _next_or_home(request)},
            )
        if result.answer == second_factor.Answer.WAIT:
            form.add_error("code", _("Too many wrong codes: wait a few seconds and try again."))
        else:
            form.add_error("code", _("This code is not correct. Check the time on your phone."))
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "qr": second_factor.qr_svg(device),
            "secret": second_factor.secret_text(device),
            "required": second_factor.is_required(user),
            "next": _next_or_home(request),
        },
    )


@login_required
def second_factor_codes_renew(request):
    """New backup codes for someone with an app (the old ones stop working), shown once, after
    the password and a code (accounts.reconfirm); logged. Without an app: set one up first."""
    user = request.user
    if not second_factor.has_device(user):
        return redirect("accounts:second-factor-enrol")
    form = ConfirmForm(request.POST or None, actor=user, request=request)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.backup_codes_renew(user=user, request=request)
        return render(
            request,
            "accounts/second_factor_codes.html",
            {"codes": codes, "renewed": True, "next": resolve_url("accounts:home")},
        )
    return render(
        request,
        "accounts/second_factor_codes_renew.html",
        {"form": form, "left": second_factor.backup_codes_left(user)},
    )


@role_required(Role.MANAGER, Role.ADMINISTRATOR)
def organisation_second_factor(request):
    """Whether all staff of one's organisation sign in with a second factor."""
    organisation = request.user.organisation
    if organisation is None:
        raise Http404
    form = OrganisationSecondFactorForm(
        request.POST or None,
        initial={"requires_second_factor": organisation.requires_second_factor},
        actor=request.user,
        request=request,
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_second_factor_set(
            actor=request.user, required=form.cleaned_data["requires_second_factor"]
        )
        messages.success(request, _("The organisation's sign-in rule has been saved."))
        return redirect("accounts:organisation-second-factor")
    return render(
        request,
        "accounts/organisation_second_factor.html",
        {"form": form, "organisation": organisation},
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def staff_second_factor_reset(request, user_id: int):
    """The phone was lost: remove the person's app and backup codes (logged, in the history)."""
    target = get_staff_for_second_factor_reset(request.user, user_id)
    form = ConfirmForm(request.POST, actor=request.user, request=request, prefix="reset")
    if not form.is_valid():
        messages.error(request, _("Your password or code is not correct. Nothing was changed."))
        return redirect("accounts:staff-edit", user_id=target.pk)
    second_factor.second_factor_reset(actor=request.user, target=target, request=request)
    messages.success(
        request,
        _("The second factor has been removed: at the next sign-in the person sets it up again."),
    )
    return redirect("accounts:staff-edit", user_id=target.pk)
