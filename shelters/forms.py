"""Forms of the shelters: validation and cleaning only; the views hand cleaned_data to services."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.reconfirm import ConfirmPasswordMixin
from config.widgets import ISO_DATE, ISO_MOMENT, DateInput, DateTimeInput  # noqa: F401 (ISO_DATE: re-exported)
from privacy.blind import normalise
from shelters.models import Bed, ExitDestination, Facility, Room, RoomSex, WaitlistStatus
from shelters.people import person
from shelters.services import CHOSEN_DESTINATIONS


class BedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, bed):
        return f"{bed.room.name} / {bed.label}{' ♿' if bed.is_wheelchair_accessible else ''}"


class _SortedByName(ModelChoiceIterator):
    """Choices sorted by the field's `sort_key` (decrypted names cannot be ordered in SQL)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        objects = sorted(self.queryset, key=self.field.sort_key)
        for obj in objects:
            yield self.choice(obj)


class ClientChoiceField(forms.ModelChoiceField):
    """Clients by display name with what tells namesakes apart ("Ryszard D. · 1971 · #a3f9"),
    sorted by surname, first name and year of birth."""

    iterator = _SortedByName

    def label_from_instance(self, client):
        found = person(client)
        return f"{found.name} · {found.marks}"

    @staticmethod
    def sort_key(client):
        return (
            normalise(str(client.surname)),
            normalise(str(client.first_name)),
            client.birth_year or 0,
        )


class CheckInForm(forms.Form):
    """The person is picked from a search (radio buttons of the candidates), never a long list."""

    client = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the person to check in: search by first name or surname."),
            "invalid_choice": _(
                "This person cannot be checked in here: not known to this facility, or "
                "already in a bed."
            ),
        },
    )
    bed = BedChoiceField(
        label=_("Bed"),
        queryset=None,
        required=False,
        empty_label=_("The suggested bed"),
    )
    notes = forms.CharField(
        label=_("Notes for the stay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    override_reason = forms.CharField(
        label=_("Reason for placing against the room's sex (managers only)"),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, clients, beds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["bed"].queryset = beds


class HouseholdChoiceField(forms.ModelChoiceField):
    """Households by the mother's name and marks, and how many children come with her."""

    iterator = _SortedByName

    def label_from_instance(self, household):
        mother = person(household.head)
        children = getattr(household, "children", 0)
        return ngettext(
            "%(name)s (%(marks)s) with %(n)d child",
            "%(name)s (%(marks)s) with %(n)d children",
            children,
        ) % {"name": mother.name, "marks": mother.marks, "n": children}

    @staticmethod
    def sort_key(household):
        return ClientChoiceField.sort_key(household.head)


class HouseholdCheckInForm(forms.Form):
    household = HouseholdChoiceField(label=_("Mother and household"), queryset=None)
    room = forms.ModelChoiceField(label=_("Room"), queryset=None)
    notes = forms.CharField(
        label=_("Notes for the stay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )

    def __init__(self, *args, households, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["room"].queryset = rooms


class CheckOutForm(forms.Form):
    # No default: a careless check-out must not record "own housing" (it feeds the outcomes).
    destination = forms.ChoiceField(
        label=_("Where did the person go?"),
        choices=[
            ("", _("— choose —")),
            *[(c, label) for c, label in ExitDestination.choices if c in CHOSEN_DESTINATIONS],
        ],
        error_messages={
            "required": _("Choose where the person went (“Unknown” if nobody knows)."),
            "invalid_choice": _("Choose where the person went (“Unknown” if nobody knows)."),
        },
    )


class HouseholdTransferForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Move the household to room"), queryset=None)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms


class TransferForm(forms.Form):
    bed = BedChoiceField(label=_("Move to bed"), queryset=None)
    override_reason = forms.CharField(
        label=_("Reason for placing against the room's sex (managers only)"),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, beds, may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = beds
        # The override is a manager's: nobody else is shown the field.
        if not may_override:
            del self.fields["override_reason"]


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class HoldForm(forms.Form):
    bed = BedChoiceField(label=_("Bed"), queryset=None)
    client = ClientChoiceField(label=_("Person"), queryset=None, required=False)
    referral = forms.CharField(
        label=_("Or a referral (who refers, never a name)"), required=False, max_length=200
    )
    hours = forms.IntegerField(label=_("Hold for (hours)"), min_value=1, max_value=72, initial=2)

    def __init__(self, *args, clients, beds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["bed"].queryset = beds

    def clean(self):
        data = super().clean()
        if not data.get("client") and not (data.get("referral") or "").strip():
            raise forms.ValidationError(_("Name the client or the referral."))
        return data


class WaitlistAddForm(forms.Form):
    client = ClientChoiceField(label=_("Person"), queryset=None)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        choices=[(1, _("Urgent")), (2, _("Normal")), (3, _("Low"))],
        initial=2,
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    contact_note = forms.CharField(label=_("How to reach"), required=False, max_length=1000)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients


class WaitlistStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (c, label)
            for c, label in WaitlistStatus.choices
            if c in ("waiting", "withdrawn", "unreachable")
        ],
    )


class BanForm(forms.Form):
    client = ClientChoiceField(label=_("Person"), queryset=None)
    ends_on = forms.DateField(
        label=_("Until (inclusive)"),
        widget=DateInput(),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients


class LiftBanForm(forms.Form):
    reason = forms.CharField(label=_("Reason for lifting"), max_length=2000)


class BoardFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All beds")),
            ("free", _("Free")),
            ("occupied", _("Occupied")),
            ("held", _("Held")),
            ("out", _("Out of service")),
        ],
    )
    sex = forms.ChoiceField(
        label=_("Room"), required=False, choices=[("", _("Any room")), *RoomSex.choices]
    )
    accessible = forms.BooleanField(label=_("Wheelchair accessible"), required=False)


class NightForm(forms.Form):
    night = forms.DateField(label=_("Night"), widget=DateInput())

    def clean_night(self):
        night = self.cleaned_data["night"]
        if night > timezone.localdate():
            raise forms.ValidationError(_("Choose a night that has begun."))
        return night


# --- configuration by managers --------------------------------------------------------------------


def _no_preselection(form, *names) -> None:
    """A choice that feeds statistics is made by a person: no preselected value on a new object."""
    for name in names:
        field = form.fields[name]
        field.choices = [("", _("— choose —")), *[c for c in field.choices if c[0] != ""]]
        field.required = True
        if form.instance.pk is None:
            # Both the instance's default and the field's own initial value.
            form.initial.pop(name, None)
            field.initial = None


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = [
            "name",
            "kind",
            "admits",
            "address",
            "phone",
            "winter_opens_at",
            "winter_closes_at",
            "summer_opens_at",
            "summer_closes_at",
            "night_rollover_hour",
            "absence_exit_days",
            "is_winter_mode",
            "is_active",
        ]
        widgets = {
            name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for name in (
                "winter_opens_at",
                "winter_closes_at",
                "summer_opens_at",
                "summer_closes_at",
            )
        }
        help_texts = {"address": _("The facility's address, never a person's.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_preselection(self, "kind", "admits")


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "sex", "is_family_room"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_preselection(self, "sex")


class BedForm(forms.ModelForm):
    class Meta:
        model = Bed
        fields = [
            "room",
            "label",
            "kind",
            "level",
            "is_wheelchair_accessible",
            "is_overflow",
            "available_from",
            "available_until",
        ]
        widgets = {
            "available_from": DateInput(),
            "available_until": DateInput(),
        }
        help_texts = {
            "is_overflow": _("A winter place (a mattress): used and counted only in winter mode."),
            "available_until": _("The first day the bed is gone; empty while it stays."),
        }

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = facility.rooms.order_by("name")
        if self.instance.pk is not None:
            # A bed stays in its room (its stays' history says where they slept).
            del self.fields["room"]
        else:
            self.initial["available_from"] = timezone.localdate()
        _no_preselection(self, "kind")


class OutageForm(forms.Form):
    bed = forms.ModelChoiceField(label=_("Bed"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("From"),
        widget=DateTimeInput(),
        input_formats=[ISO_MOMENT, "%Y-%m-%d %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Until (empty: until it is ended)"),
        required=False,
        widget=DateTimeInput(),
        input_formats=[ISO_MOMENT, "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(
        label=_("Reason (the bed's, never a person's: repairs, disinfection)"), max_length=200
    )

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = (
            Bed.objects.filter(facility=facility)
            .select_related("room")
            .order_by("room__name", "label")
        )
        self.fields["bed"].label_from_instance = lambda bed: f"{bed.room.name} / {bed.label}"
        self.initial.setdefault("starts_at", timezone.localtime().replace(second=0, microsecond=0))


class OperatorGrantForm(ConfirmPasswordMixin, forms.Form):
    """Give a worker the facility: they reach its board and the people in it, so the manager
    confirms with their password (as for staff changes)."""

    user = forms.ModelChoiceField(label=_("Staff member"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.role_label})"
        )


class OperatorRevokeForm(ConfirmPasswordMixin, forms.Form):
    """Take the facility away from a worker, confirmed with the manager's password."""
