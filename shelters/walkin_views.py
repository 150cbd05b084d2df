"""The walk-in at the door: search first, then check in the person found or register a new one.

One page, three POSTs (step = search, admit, register), each a plain form that works without
JavaScript; names travel in POST bodies only, never in a URL or a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import role_required
from privacy.restriction import processing_allowed
from shelters import access, services, walkins
from shelters.people import admitted_message
from shelters.views import FACILITY_ROLES, _beds_for_choice, check_in_restricted_message
from shelters.walkin_forms import DoorSearchForm, KnownCheckInForm, WalkInForm


def _page(request, facility, *, search, matches=None, register=None, searched=False):
    beds = _beds_for_choice(facility)
    if register is None:
        initial = {}
        if search.is_bound:
            initial = {
                "first_name": search.data.get("first_name", "")[:100],
                "surname": search.data.get("surname", "")[:100],
            }
        register = WalkInForm(prefix="new", initial=initial, beds=beds)
    context = {
        "facility": facility,
        "search": search,
        "matches": matches,
        "register": register,
        "searched": searched,
        "beds": beds,
    }
    return render(request, "shelters/walk_in.html", context)


def _matches(request, facility, form):
    found = access.found_at_the_door(request.user, facility, terms=form.terms(), request=request)
    return walkins.door_matches(facility, found)


@role_required(*FACILITY_ROLES)
def walk_in(request, facility_id):
    """Someone at the door: find them among the known people, else register and check in."""
    facility = access.get_facility_for_user(request.user, facility_id)
    if request.method != "POST":
        return _page(request, facility, search=DoorSearchForm())
    step = request.POST.get("step")
    if step == "register":
        return _register(request, facility)
    if step == "admit":
        return _admit(request, facility)
    search = DoorSearchForm(request.POST)
    matches = _matches(request, facility, search) if search.is_valid() else None
    return _page(request, facility, search=search, matches=matches, searched=True)


def _register(request, facility):
    form = WalkInForm(request.POST, prefix="new", beds=_beds_for_choice(facility))
    if form.is_valid():
        try:
            stay = walkins.walk_in_admit(
                by=request.user, facility=facility, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, admitted_message(stay.bed))
            messages.info(request, _("The social workers will find the person among new walk-ins."))
            return redirect("shelters:board", facility_id=facility.pk)
    search = DoorSearchForm(
        initial={"first_name": form.data.get("new-first_name", ""), "surname": ""}
    )
    return _page(request, facility, search=search, register=form, searched=True)


def _admit(request, facility):
    form = KnownCheckInForm(request.POST, beds=_beds_for_choice(facility))
    if not form.is_valid():
        return _page(request, facility, search=form, searched=True)
    client = access.get_found_at_the_door(
        request.user,
        facility,
        form.cleaned_data["client"],
        terms=form.terms(),
        request=request,
    )
    try:
        stay = services.stay_check_in(
            by=request.user,
            facility=facility,
            client=client,
            bed=form.cleaned_data["bed"],
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        matches = _matches(request, facility, form)
        return _page(request, facility, search=form, matches=matches, searched=True)
    messages.success(request, admitted_message(stay.bed))
    # Restricted processing (art. 18 GDPR) does not refuse a bed; the staff are warned.
    if not processing_allowed(stay.client_id):
        messages.warning(request, check_in_restricted_message())
    return redirect("shelters:board", facility_id=facility.pk)
