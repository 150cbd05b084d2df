from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import services
from accounts.access import assignable_roles, get_staff_for_user, role_required, staff_visible_to
from accounts.forms import ConfirmForm, LoginForm, StaffCreateForm, StaffForm
from accounts.roles import ROLE_DESCRIPTIONS, STAFF_MANAGERS, Role

ROLE_SLUGS = {role: role.replace("_", "-") for role in Role.values}
SLUG_ROLES = {slug: role for role, slug in ROLE_SLUGS.items()}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@require_GET
@login_required
def home(request):
    """Send each user to their role's landing page."""
    role = request.user.role
    if role is None:
        return render(request, "accounts/no_role.html", status=403)
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
@role_required(*STAFF_MANAGERS)
def staff_list(request):
    show_inactive = request.GET.get("inactive") == "1"
    users = staff_visible_to(request.user)
    if not show_inactive:
        users = users.filter(is_active=True)
    return render(
        request,
        "accounts/staff_list.html",
        {"users": users, "show_inactive": show_inactive},
    )


@role_required(*STAFF_MANAGERS)
def staff_create(request):
    roles = assignable_roles(request.user)
    form = StaffCreateForm(request.POST or None, actor=request.user, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_password"}
        try:
            user = services.user_create(actor=request.user, **data)
        except ValidationError as error:
            form.add_error("password" if hasattr(error, "error_list") else None, error)
        else:
            messages.success(
                request,
                _("The account %(username)s has been created.") % {"username": user.username},
            )
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
    form = StaffForm(request.POST or None, initial=initial, actor=request.user, roles=roles)
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
            "confirm_form": ConfirmForm(actor=request.user),
        },
    )


@require_POST
@role_required(*STAFF_MANAGERS)
def staff_set_active(request, user_id: int, active: bool):
    target = get_staff_for_user(request.user, user_id)
    form = ConfirmForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, _("Your password is not correct. Nothing was changed."))
        return redirect("accounts:staff-edit", user_id=target.pk)
    try:
        if active:
            services.user_reactivate(actor=request.user, user=target)
            messages.success(request, _("The account has been reactivated."))
        else:
            services.user_deactivate(actor=request.user, user=target)
            messages.success(request, _("The account has been deactivated and signed out."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:staff-list")
