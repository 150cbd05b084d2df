"""The household: its members (children's names are the sensitive part) and the people the
client must never be disclosed to."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.purposes import Purpose
from cases import services
from cases.access import get_client_access
from cases.forms import DoNotDiscloseForm, HouseholdMemberForm
from cases.models import HouseholdMember
from cases.views.common import file_context


def _page(request, access, *, member_form=None, dnd_form=None):
    members = HouseholdMember.objects.filter(household__head=access.client)
    return render(
        request,
        "cases/household.html",
        file_context(
            access,
            # Names only for the sensitive part's readers: others see relationship and year.
            members=members.with_keys() if access.sees_sensitive else members,
            member_form=member_form or HouseholdMemberForm(prefix="member"),
            dnd_form=dnd_form or DoNotDiscloseForm(prefix="dnd"),
        ),
    )


def _load(request, client_id, *, write: bool):
    # The page is the file's; adding a member or a person to hide from also changes the
    # sensitive part, which the service checks.
    return get_client_access(
        request.user, client_id, write=write, request=request, purpose=Purpose.HOUSEHOLD
    )


@require_GET
@role_required(Role.SOCIAL_WORKER)
def household(request, client_id):
    return _page(request, _load(request, client_id, write=False))


@require_POST
@role_required(Role.SOCIAL_WORKER)
def household_member_add(request, client_id):
    access = _load(request, client_id, write=True)
    form = HouseholdMemberForm(request.POST, prefix="member")
    if not form.is_valid():
        return _page(request, access, member_form=form)
    services.household_member_add(
        by=request.user, client=access.client, request=request, **form.cleaned_data
    )
    messages.success(request, _("The household member has been added."))
    return redirect("cases:household", client_id=access.client.pk)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def do_not_disclose_add(request, client_id):
    access = _load(request, client_id, write=True)
    form = DoNotDiscloseForm(request.POST, prefix="dnd")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.do_not_disclose_add(
                by=request.user,
                client=access.client,
                request=request,
                person_name=data["person_name"],
                other_client=data["other_file"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error("other_file", error)
        else:
            messages.success(request, _("Saved: this client's presence will not be disclosed."))
            return redirect("cases:household", client_id=access.client.pk)
    return _page(request, access, dnd_form=form)
