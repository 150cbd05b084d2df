"""Pages of the shelters: thin; load through access.py, validate a form, call a service."""

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.services import access_log_write
from privacy.restriction import processing_allowed
from shelters import access, documents, forms, reports, selectors, services
from shelters.models import Ban, ExitDestination, Facility, FacilityKind, Hold
from shelters.people import admitted_message, person
from shelters.rows import board_rooms_html

# Facility pages need one of these roles, then the facility's object permission (else 404).
FACILITY_ROLES = (Role.SHELTER_STAFF, Role.MANAGER, Role.SOCIAL_WORKER)
CITY_ROLES = (Role.SOCIAL_WORKER, Role.SHELTER_STAFF, Role.MANAGER)
COUNT_ROLES = (Role.SHELTER_STAFF, Role.MANAGER)


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _beds_for_choice(facility: Facility):
    """Free beds only (a taken or held one would be refused anyway), room by room, the overflow
    places last."""
    return (
        selectors.free_beds(facility, timezone.now())
        .select_related("room")
        .order_by(*selectors.BED_CHOICE_ORDER)
    )


@require_GET
@role_required(*FACILITY_ROLES)
def facility_list(request):
    facilities = list(access.facilities_for_user(request.user))
    counts = selectors.bed_counts(facilities)
    rows = [{"facility": f, "counts": counts[f.pk]} for f in facilities]
    return render(request, "shelters/facility_list.html", {"rows": rows})


@require_GET
@role_required(Role.SHELTER_STAFF)
def staff_start(request):
    """Shelter staff's first page: the board of the one facility they operate, else the list
    (several facilities to choose from, or none yet, which the list explains)."""
    facility_ids = list(access.facilities_for_user(request.user).values_list("pk", flat=True)[:2])
    if len(facility_ids) == 1:
        return redirect("shelters:board", facility_id=facility_ids[0])
    return facility_list(request)


@require_GET
@role_required(*FACILITY_ROLES)
def board(request, facility_id):
    """The bed board; htmx asks for the inner part every 30 s. One access-log row per render."""
    facility = access.get_facility_for_user(request.user, facility_id)
    # The refresh of an unfiltered board has nothing to validate (a form costs its fields' copy).
    filters = forms.BoardFilterForm(request.GET) if request.GET else None
    chosen = filters.cleaned_data if filters is not None and filters.is_valid() else {}
    data = selectors.bed_board(facility)
    rows = selectors.board_filter(
        data,
        state=chosen.get("state", ""),
        sex=chosen.get("sex", ""),
        accessible=chosen.get("accessible", False),
    )
    # The board shows many occupants' names: one row for the render, not one per person.
    access_log_write(actor=request.user, action="view", purpose="bed_board", request=request)
    rooms = selectors.board_rooms(rows)
    context = {
        "facility": facility,
        "board": data,
        "rooms": rooms,
        "rooms_html": board_rooms_html(rooms, facility),
        "filtered": any(chosen.values()),
        "query": request.GET.urlencode(),
    }
    if request.htmx:
        return render(request, "shelters/_board.html", context)
    context["filters"] = filters or forms.BoardFilterForm()
    context["waiting"] = list(selectors.waitlist(facility))
    context["returning"] = (
        selectors.last_night_guests(facility, data.at) if facility.is_night_only else []
    )
    context["absent"] = list(selectors.absent_stays(facility, timezone.localdate())[:20])
    return render(request, "shelters/board.html", context)


def _check_in_page(request, facility, form, *, text=""):
    """The check-in page: the search box, the candidates found, the bed and the notes."""
    chosen = form["client"].value() if form.is_bound else form.initial.get("client")
    candidates, found = selectors.check_in_candidates(facility, text, include=chosen)
    context = {
        "facility": facility,
        "form": form,
        "q": text,
        "candidates": candidates,
        "found": found,
        "chosen": str(chosen or ""),
        "restricted_warning": _chosen_is_restricted(chosen),
    }
    # The candidates are names of people: one row for the search, as for the board.
    access_log_write(
        actor=request.user,
        action="search" if text else "view",
        purpose="check_in_form",
        request=request,
    )
    return render(request, "shelters/check_in.html", context)


def check_in_restricted_message() -> str:
    return _(
        "Processing of this person's data is restricted (GDPR art. 18). The check-in is "
        "allowed, as a bed for the night protects their vital interests (art. 18(2)); record "
        "nothing else about them and tell their social worker."
    )


def _chosen_is_restricted(chosen) -> str:
    """The warning to show when the person chosen for check-in is restricted, else ""."""
    try:
        person = uuid.UUID(str(chosen)) if chosen else None
    except ValueError:
        return ""
    if person is None or processing_allowed(person):
        return ""
    return check_in_restricted_message()


def _check_in_form(facility, data=None, initial=None):
    return forms.CheckInForm(
        data,
        initial=initial,
        clients=selectors.check_in_clients(facility),
        beds=_beds_for_choice(facility),
    )


@role_required(*FACILITY_ROLES)
def check_in(request, facility_id):
    """Check a person in: picked from a search among those this facility may admit."""
    facility = access.get_facility_for_user(request.user, facility_id)
    if request.method != "POST":
        initial = {"bed": request.GET.get("bed"), "client": request.GET.get("client")}
        return _check_in_page(request, facility, _check_in_form(facility, initial=initial))
    form = _check_in_form(facility, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            stay = services.stay_check_in(
                by=request.user,
                facility=facility,
                client=data["client"],
                bed=data["bed"],
                notes=data["notes"],
                override_reason=data["override_reason"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # No name in the message: messages travel outside the page (issue 9, hole 9); the
            # participle agrees with the person ("Przyjęta" / "Przyjęty" / "Przyjęto").
            messages.success(request, admitted_message(stay.bed))
            # Restricted processing (art. 18 GDPR) does not refuse a bed: the staff are told,
            # and the check-in's log row names the legal basis (art. 18(2), vital interests).
            if not processing_allowed(stay.client_id):
                messages.warning(request, check_in_restricted_message())
            return redirect("shelters:board", facility_id=facility.pk)
    return _check_in_page(request, facility, form, text=request.POST.get("q", ""))


@require_POST
@role_required(*FACILITY_ROLES)
def check_in_search(request, facility_id):
    """The candidates whose names start with what was typed (POST: names stay out of URLs).

    htmx asks for the list alone as the user types; without JavaScript the search button
    posts here and gets the whole check-in page back with the list filled in.
    """
    facility = access.get_facility_for_user(request.user, facility_id)
    text = request.POST.get("q", "")[:100]
    if not request.htmx:
        form = _check_in_form(facility, initial={"client": request.POST.get("client")})
        return _check_in_page(request, facility, form, text=text)
    chosen = request.POST.get("client", "")
    candidates, found = selectors.check_in_candidates(facility, text, include=chosen)
    access_log_write(actor=request.user, action="search", purpose="check_in_form", request=request)
    context = {"candidates": candidates, "found": found, "q": text, "chosen": chosen}
    return render(request, "shelters/_candidates.html", context)


@role_required(*FACILITY_ROLES)
def household_check_in(request, facility_id):
    """A house for single mothers: a room for a mother and her children, all checked in at once."""
    facility = access.get_facility_for_user(request.user, facility_id)
    # Other kinds of facility have no household rooms: the page does not exist there.
    if facility.kind != FacilityKind.SINGLE_MOTHER_HOUSE:
        raise Http404
    form = forms.HouseholdCheckInForm(
        request.POST or None,
        initial={"room": request.GET.get("room"), "household": request.GET.get("household")},
        households=selectors.household_check_in_households(facility),
        rooms=selectors.rooms_without_household(facility),
    )
    if request.method == "POST" and form.is_valid():
        try:
            allocation = services.household_check_in(
                by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The household is checked in: %(room)s.") % {"room": allocation.room},
            )
            return redirect("shelters:board", facility_id=facility.pk)
    access_log_write(
        actor=request.user, action="view", purpose="household_check_in_form", request=request
    )
    return render(request, "shelters/household_check_in.html", {"facility": facility, "form": form})


def _household_page(request, allocation, *, checkout=None, transfer=None):
    """A household's room: check the whole household out, or move it to another room."""
    rooms = selectors.rooms_without_household(allocation.facility).exclude(pk=allocation.room_id)
    household = selectors.board_household(allocation)
    access_log_write(
        actor=request.user,
        action="view",
        subject_id=allocation.household.head_id,
        purpose="household",
        request=request,
    )
    context = {
        "allocation": allocation,
        "facility": allocation.facility,
        "household": household,
        "checkout_form": checkout or forms.CheckOutForm(),
        "transfer_form": transfer or forms.HouseholdTransferForm(rooms=rooms),
    }
    return render(request, "shelters/household_detail.html", context)


@require_GET
@role_required(*FACILITY_ROLES)
def household_detail(request, allocation_id):
    allocation = access.get_allocation_for_user(request.user, allocation_id)
    if allocation.ended_at is not None:
        raise Http404
    return _household_page(request, allocation)


@require_POST
@role_required(*FACILITY_ROLES)
def household_check_out(request, allocation_id):
    allocation = access.get_allocation_for_user(request.user, allocation_id)
    form = forms.CheckOutForm(request.POST)
    if form.is_valid():
        destination = form.cleaned_data["destination"]
        try:
            services.household_check_out(
                by=request.user, allocation=allocation, destination=destination, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The household has left %(room)s. Recorded destination: %(destination)s.")
                % {"room": allocation.room, "destination": _destination_label(destination)},
            )
            return redirect("shelters:board", facility_id=allocation.facility_id)
    return _household_page(request, allocation, checkout=form)


@require_POST
@role_required(*FACILITY_ROLES)
def household_transfer(request, allocation_id):
    """Move a whole household (the mother and every child) to another room of the house."""
    allocation = access.get_allocation_for_user(request.user, allocation_id)
    rooms = selectors.rooms_without_household(allocation.facility).exclude(pk=allocation.room_id)
    form = forms.HouseholdTransferForm(request.POST, rooms=rooms)
    if form.is_valid():
        try:
            moved = services.household_transfer(
                by=request.user,
                allocation=allocation,
                room=form.cleaned_data["room"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The household has moved to %(room)s.") % {"room": moved.room}
            )
            return redirect("shelters:board", facility_id=allocation.facility_id)
    return _household_page(request, allocation, transfer=form)


def _destination_label(code: str) -> str:
    return str(dict(ExitDestination.choices).get(code, code))


def _transfer_form(user, stay, data=None):
    """The move to another free bed. Staff are offered only the beds of rooms the person may be
    placed in without an override (the check-in's rule, selectors.sex_allowed); a manager sees
    every free bed and the field for the override's reason."""
    may_override = user.has_role(Role.MANAGER)
    beds = _beds_for_choice(stay.facility).exclude(pk=stay.bed_id)
    if not may_override:
        beds = beds.filter(room__sex__in=selectors.sex_allowed(stay.client.sex))
    return forms.TransferForm(data, beds=beds, may_override=may_override)


def _stay_page(request, stay, *, checkout=None):
    bans = Ban.objects.filter(client_id=stay.client_id, facility=stay.facility).order_by("-ends_on")
    holds = Hold.objects.active().filter(client_id=stay.client_id, facility=stay.facility)
    context = {
        "stay": stay,
        "person": person(stay.client),
        "bans": bans,
        "holds": holds,
        "checkout_form": checkout or forms.CheckOutForm(),
        "transfer_form": _transfer_form(request.user, stay),
        "notes_form": forms.NotesForm(initial={"notes": stay.notes}),
        "timeline": _timeline(stay),
    }
    return render(request, "shelters/stay_detail.html", context)


@require_GET
@role_required(*FACILITY_ROLES)
def stay_detail(request, stay_id):
    stay = access.get_stay_for_user(request.user, stay_id, request=request)
    return _stay_page(request, stay)


def _timeline(stay):
    """The stay's earlier parts in other beds (transfers), newest first."""
    parts, current = [], stay.transferred_from
    while current is not None and len(parts) < 50:
        parts.append(current)
        current = current.transferred_from
    return parts


@require_POST
@role_required(*FACILITY_ROLES)
def stay_check_out(request, stay_id):
    """Check out with a destination chosen by staff (no default); the board says what was kept."""
    stay = access.get_stay_for_user(request.user, stay_id, request=request, purpose="check_out")
    form = forms.CheckOutForm(request.POST)
    if form.is_valid():
        destination = form.cleaned_data["destination"]
        try:
            services.stay_check_out(
                by=request.user, stay=stay, destination=destination, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Check-out recorded: %(bed)s is free. Destination: %(destination)s.")
                % {"bed": stay.bed, "destination": _destination_label(destination)},
            )
            return redirect("shelters:board", facility_id=stay.facility_id)
    return _stay_page(request, stay, checkout=form)


@require_POST
@role_required(*FACILITY_ROLES)
def stay_transfer(request, stay_id):
    stay = access.get_stay_for_user(request.user, stay_id, request=request, purpose="transfer")
    form = _transfer_form(request.user, stay, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a bed."))
        return redirect("shelters:stay-detail", stay_id=stay.pk)
    try:
        new = services.stay_transfer(
            by=request.user, stay=stay, request=request, **form.cleaned_data
        )
    except ValidationError as error:
        _refused(request, error)
        return redirect("shelters:stay-detail", stay_id=stay.pk)
    messages.success(request, _("Moved to %(bed)s.") % {"bed": new.bed})
    return redirect("shelters:stay-detail", stay_id=new.pk)


@require_POST
@role_required(*FACILITY_ROLES)
def stay_notes(request, stay_id):
    stay = access.get_stay_for_user(request.user, stay_id, request=request, purpose="stay_notes")
    form = forms.NotesForm(request.POST)
    if form.is_valid():
        services.stay_update_notes(
            by=request.user, stay=stay, notes=form.cleaned_data["notes"], request=request
        )
        messages.success(request, _("The notes have been saved."))
    else:
        messages.error(request, _("The notes are too long."))
    return redirect("shelters:stay-detail", stay_id=stay.pk)


@require_POST
@role_required(*FACILITY_ROLES)
def stay_present(request, stay_id):
    stay = access.get_stay_for_user(request.user, stay_id, request=request, purpose="presence")
    try:
        services.stay_mark_present(by=request.user, stay=stay)
    except ValidationError as error:
        _refused(request, error)
    return redirect("shelters:board", facility_id=stay.facility_id)


@require_POST
@role_required(*FACILITY_ROLES)
def night_close(request, facility_id):
    facility = access.get_facility_for_user(request.user, facility_id)
    ended = services.night_rollover(facility=facility, by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d stay of last night ended.",
            "%(count)d stays of last night ended.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("shelters:board", facility_id=facility.pk)


@role_required(*FACILITY_ROLES)
def hold_create(request, facility_id):
    facility = access.get_facility_for_user(request.user, facility_id)
    form = forms.HoldForm(
        request.POST or None,
        initial={"bed": request.GET.get("bed")},
        clients=access.clients_known_to(facility).with_keys(),
        beds=_beds_for_choice(facility),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hold_place(
                by=request.user,
                facility=facility,
                bed=data["bed"],
                client=data["client"],
                referral=data["referral"],
                until=timezone.now() + datetime.timedelta(hours=data["hours"]),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The bed is held."))
            return redirect("shelters:board", facility_id=facility.pk)
    access_log_write(actor=request.user, action="view", purpose="hold_form", request=request)
    return render(request, "shelters/hold_form.html", {"facility": facility, "form": form})


@require_POST
@role_required(*FACILITY_ROLES)
def hold_release(request, hold_id):
    hold = access.get_hold_for_user(request.user, hold_id)
    services.hold_release(by=request.user, hold=hold)
    messages.success(request, _("The hold has been released."))
    return redirect("shelters:board", facility_id=hold.facility_id)


@require_GET
@role_required(*FACILITY_ROLES)
def waitlist(request, facility_id):
    facility = access.get_facility_for_user(request.user, facility_id)
    entries = list(selectors.waitlist(facility))
    access_log_write(actor=request.user, action="view", purpose="waitlist", request=request)
    return render(
        request,
        "shelters/waitlist.html",
        {"facility": facility, "entries": entries, "status_form": forms.WaitlistStatusForm()},
    )


@require_POST
@role_required(*FACILITY_ROLES)
def waitlist_offer(request, facility_id):
    """One click: hold a free bed for the first waiting person it fits."""
    facility = access.get_facility_for_user(request.user, facility_id)
    entry = services.waitlist_offer_next(by=request.user, facility=facility)
    if entry is None:
        messages.warning(request, _("No free bed fits anyone on the waitlist."))
    else:
        # The waitlist below shows to whom: the message carries no name.
        messages.success(
            request,
            _("%(bed)s is held for the first matching person on the waitlist.")
            % {"bed": entry.offered_hold.bed},
        )
    return redirect("shelters:waitlist", facility_id=facility.pk)


@require_POST
@role_required(*FACILITY_ROLES)
def waitlist_status(request, entry_id):
    entry = access.get_waitlist_entry_for_user(request.user, entry_id)
    form = forms.WaitlistStatusForm(request.POST)
    if form.is_valid():
        services.waitlist_set_status(
            by=request.user, entry=entry, status=form.cleaned_data["status"]
        )
        messages.success(request, _("The waitlist has been updated."))
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("shelters:waitlist", facility_id=entry.facility_id)


@role_required(Role.SOCIAL_WORKER)
def waitlist_add(request, facility_id):
    """A social worker puts a client of their caseload on a facility's waitlist."""
    from cases.access import clients_visible_to

    facility = Facility.objects.active().filter(pk=facility_id).first()
    if facility is None:
        raise Http404
    form = forms.WaitlistAddForm(
        request.POST or None, clients=clients_visible_to(request.user).with_keys()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.waitlist_add(
                by=request.user, facility=facility, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The person is on the waitlist."))
            return redirect("shelters:city")
    return render(request, "shelters/waitlist_add.html", {"facility": facility, "form": form})


@role_required(*FACILITY_ROLES)
def bans(request, facility_id):
    facility = access.get_facility_for_user(request.user, facility_id)
    form = forms.BanForm(
        request.POST or None, clients=access.clients_known_to(facility).with_keys()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ban_impose(
                by=request.user, facility=facility, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The ban has been recorded."))
            return redirect("shelters:bans", facility_id=facility.pk)
    in_force = (
        Ban.objects.in_force(timezone.localdate())
        .filter(facility=facility)
        .select_related("client")
        .order_by("ends_on", "pk")
        .with_keys()
    )
    access_log_write(actor=request.user, action="view", purpose="bans", request=request)
    return render(
        request,
        "shelters/bans.html",
        {"facility": facility, "form": form, "bans": in_force, "lift_form": forms.LiftBanForm()},
    )


@require_POST
@role_required(Role.MANAGER)
def ban_lift(request, ban_id):
    ban = access.get_ban_for_user(request.user, ban_id)
    form = forms.LiftBanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for lifting the ban."))
        return redirect("shelters:bans", facility_id=ban.facility_id)
    try:
        services.ban_lift(
            by=request.user, ban=ban, reason=form.cleaned_data["reason"], request=request
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The ban has been lifted."))
    return redirect("shelters:bans", facility_id=ban.facility_id)


@require_GET
@role_required(*FACILITY_ROLES)
def roll_pdf(request, facility_id):
    """Who is in tonight, for a fire evacuation: a PDF in one click."""
    facility = access.get_facility_for_user(request.user, facility_id)
    data = selectors.bed_board(facility)
    access_log_write(actor=request.user, action="print", purpose="roll", request=request)
    response = HttpResponse(documents.roll_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="roll-{facility.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(*CITY_ROLES)
def city(request):
    """Free places tonight in every active facility: counts only, no names."""
    facilities = list(Facility.objects.active().select_related("organisation"))
    counts = selectors.bed_counts(facilities)
    rows = [{"facility": f, "counts": counts[f.pk]} for f in facilities]
    return render(request, "shelters/city.html", {"rows": rows})


@require_GET
@role_required(*COUNT_ROLES)
def night_count(request):
    """The national count night's figures, by facility type and sex, as a page, CSV or PDF."""
    form = forms.NightForm(request.GET or None)
    facilities = access.facilities_for_counts(request.user)
    table = None
    if form.is_valid():
        night = form.cleaned_data["night"]
        table = reports.night_count(facilities, night)
        kind = request.GET.get("format")
        if kind == "csv":
            response = HttpResponse(documents.night_count_csv(table), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="night-{night}.csv"'
            response["Cache-Control"] = "no-store"
            return response
        if kind == "pdf":
            response = HttpResponse(
                documents.night_count_pdf(table, night), content_type="application/pdf"
            )
            response["Content-Disposition"] = f'inline; filename="night-{night}.pdf"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "shelters/night_count.html",
        {"form": form, "table": table, "query": request.GET.urlencode()},
    )
