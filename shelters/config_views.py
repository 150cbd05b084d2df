"""Pages where a manager configures the facilities of their organisation: the facility, rooms,
beds, out-of-service periods, winter mode, and who operates each facility.

Thin as the other views: load through access.py (another organisation's object answers 404),
bind a form, call one service in shelters/configuration.py, redirect to the facility's page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from shelters import access, configuration, forms, selectors
from shelters.models import Bed, BedOutage, Facility, Room


def _form_error(form, error: ValidationError) -> None:
    """A service's refusal on the form: per field where it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
@role_required(Role.MANAGER)
def manage_list(request):
    """The organisation's facilities, active or not, with tonight's counts."""
    facilities = list(access.facilities_managed_by(request.user).order_by("-is_active", "name"))
    counts = selectors.bed_counts(facilities)
    rows = [{"facility": f, "counts": counts[f.pk]} for f in facilities]
    return render(request, "shelters/manage/list.html", {"rows": rows})


def _facility_form_page(request, form, facility=None):
    template = "shelters/manage/facility_form.html"
    return render(request, template, {"form": form, "facility": facility})


@role_required(Role.MANAGER)
def facility_create(request):
    form = forms.FacilityForm(request.POST or None, instance=Facility())
    if request.method == "POST" and form.is_valid():
        try:
            facility = configuration.facility_save(
                by=request.user, facility=form.save(commit=False)
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The facility has been created: add its rooms and beds."))
            return redirect("shelters:facility-setup", facility_id=facility.pk)
    return _facility_form_page(request, form)


@role_required(Role.MANAGER)
def facility_edit(request, facility_id):
    facility = access.get_managed_facility(request.user, facility_id)
    form = forms.FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        try:
            configuration.facility_save(by=request.user, facility=form.save(commit=False))
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The facility has been saved."))
            return redirect("shelters:facility-setup", facility_id=facility.pk)
    # The form may have changed the loaded instance: the page names the facility as saved.
    return _facility_form_page(
        request, form, access.get_managed_facility(request.user, facility_id)
    )


@require_GET
@role_required(Role.MANAGER)
def facility_setup(request, facility_id):
    """One facility's configuration: rooms and beds, outages, winter mode, operators."""
    facility = access.get_managed_facility(request.user, facility_id)
    now = timezone.now()
    beds = list(
        Bed.objects.filter(facility=facility).select_related("room").order_by("room__name", "label")
    )
    rooms = list(facility.rooms.order_by("name"))
    for room in rooms:
        room.bed_list = [bed for bed in beds if bed.room_id == room.pk]
    outages = (
        BedOutage.objects.filter(bed__facility=facility)
        .exclude(ends_at__lte=now)
        .select_related("bed__room")
        .order_by("starts_at")
    )
    context = {
        "facility": facility,
        "rooms": rooms,
        "counts": selectors.bed_counts([facility])[facility.pk],
        "outages": outages,
        "today": timezone.localdate(),
        "operators": access.operators_of(facility).order_by("last_name", "first_name"),
    }
    return render(request, "shelters/manage/setup.html", context)


@require_POST
@role_required(Role.MANAGER)
def winter_mode(request, facility_id):
    facility = access.get_managed_facility(request.user, facility_id)
    on = request.POST.get("on") == "1"
    configuration.winter_mode_set(by=request.user, facility=facility, on=on)
    if on:
        messages.success(request, _("Winter mode is on: the overflow places are in use."))
    else:
        messages.success(request, _("Winter mode is off: the overflow places are not used."))
    return redirect("shelters:facility-setup", facility_id=facility.pk)


def _object_form(request, form, *, facility, save, title: str, done: str):
    """Bind, validate, save through a service, redirect to the facility: the shape of the
    room, bed and outage pages."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, done)
            return redirect("shelters:facility-setup", facility_id=facility.pk)
    context = {"form": form, "facility": facility, "title": title}
    return render(request, "shelters/manage/object_form.html", context)


@role_required(Role.MANAGER)
def room_create(request, facility_id):
    facility = access.get_managed_facility(request.user, facility_id)
    form = forms.RoomForm(request.POST or None, instance=Room(facility=facility))
    return _object_form(
        request,
        form,
        facility=facility,
        save=lambda f: configuration.room_save(by=request.user, room=f.save(commit=False)),
        title=_("New room"),
        done=_("The room has been saved."),
    )


@role_required(Role.MANAGER)
def room_edit(request, room_id):
    room = access.get_managed(request.user, Room.objects.select_related("facility"), room_id)
    form = forms.RoomForm(request.POST or None, instance=room)
    return _object_form(
        request,
        form,
        facility=room.facility,
        save=lambda f: configuration.room_save(by=request.user, room=f.save(commit=False)),
        title=_("Room %(name)s") % {"name": room.name},
        done=_("The room has been saved."),
    )


@role_required(Role.MANAGER)
def bed_create(request, facility_id):
    facility = access.get_managed_facility(request.user, facility_id)
    initial = {"room": request.GET.get("room")}
    form = forms.BedForm(
        request.POST or None, instance=Bed(facility=facility), initial=initial, facility=facility
    )
    return _object_form(
        request,
        form,
        facility=facility,
        save=lambda f: configuration.bed_save(by=request.user, bed=f.save(commit=False)),
        title=_("New bed"),
        done=_("The bed has been saved."),
    )


@role_required(Role.MANAGER)
def bed_edit(request, bed_id):
    bed = access.get_managed(request.user, Bed.objects.select_related("facility", "room"), bed_id)
    form = forms.BedForm(request.POST or None, instance=bed, facility=bed.facility)
    return _object_form(
        request,
        form,
        facility=bed.facility,
        save=lambda f: configuration.bed_save(by=request.user, bed=f.save(commit=False)),
        title=_("Bed %(bed)s") % {"bed": bed},
        done=_("The bed has been saved."),
    )


@role_required(Role.MANAGER)
def outage_create(request, facility_id):
    facility = access.get_managed_facility(request.user, facility_id)
    form = forms.OutageForm(
        request.POST or None, initial={"bed": request.GET.get("bed")}, facility=facility
    )
    return _object_form(
        request,
        form,
        facility=facility,
        save=lambda f: configuration.outage_create(by=request.user, **f.cleaned_data),
        title=_("Take a bed out of service"),
        done=_("The bed is out of service for that period."),
    )


@require_POST
@role_required(Role.MANAGER)
def outage_end(request, outage_id):
    outage = access.get_managed(
        request.user, BedOutage.objects.select_related("bed__facility"), outage_id
    )
    try:
        configuration.outage_end(by=request.user, outage=outage)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The bed is back in service."))
    return redirect("shelters:facility-setup", facility_id=outage.bed.facility_id)


@role_required(Role.MANAGER)
def operators(request, facility_id):
    """Who operates the facility; a manager adds someone with their password."""
    facility = access.get_managed_facility(request.user, facility_id)
    form = forms.OperatorGrantForm(
        request.POST or None,
        candidates=configuration.operator_candidates(facility),
        actor=request.user,
        request=request,
    )
    if request.method == "POST" and form.is_valid():
        try:
            configuration.operator_grant(
                by=request.user, facility=facility, user=form.cleaned_data["user"], request=request
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The staff member now works in this facility."))
            return redirect("shelters:operators", facility_id=facility.pk)
    context = {
        "facility": facility,
        "form": form,
        "operators": access.operators_of(facility).order_by("last_name", "first_name"),
    }
    return render(request, "shelters/manage/operators.html", context)


@role_required(Role.MANAGER)
def operator_revoke(request, facility_id, user_id):
    facility = access.get_managed_facility(request.user, facility_id)
    operator = access.operators_of(facility).filter(pk=user_id).first()
    # Someone who does not operate it: nothing to revoke, the same 404 as a missing one.
    if operator is None:
        raise Http404
    form = forms.OperatorRevokeForm(request.POST or None, actor=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        configuration.operator_revoke(
            by=request.user, facility=facility, user=operator, request=request
        )
        messages.success(request, _("The staff member no longer works in this facility."))
        return redirect("shelters:operators", facility_id=facility.pk)
    context = {"facility": facility, "form": form, "operator": operator}
    return render(request, "shelters/manage/operator_revoke.html", context)
