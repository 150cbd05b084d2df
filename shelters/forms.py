"""Forms of the shelters: validation and cleaning only; the views hand cleaned_data to services."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from shelters.models import ExitDestination, RoomSex, WaitlistStatus
from shelters.services import CHOSEN_DESTINATIONS


class BedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, bed):
        return f"{bed.room.name} / {bed.label}"


class ClientChoiceField(forms.ModelChoiceField):
    """Clients shown by display name only (first name and the surname's initial)."""

    def label_from_instance(self, client):
        return client.display_name


class CheckInForm(forms.Form):
    client = ClientChoiceField(label=_("Person"), queryset=None)
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
    """Households shown by the mother's display name and how many others come with her."""

    def label_from_instance(self, household):
        return _("%(name)s and household") % {"name": household.head.display_name}


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
    destination = forms.ChoiceField(
        label=_("Where did the person go?"),
        choices=[(c, label) for c, label in ExitDestination.choices if c in CHOSEN_DESTINATIONS],
    )


class TransferForm(forms.Form):
    bed = BedChoiceField(label=_("Move to bed"), queryset=None)
    override_reason = forms.CharField(
        label=_("Reason for placing against the room's sex (managers only)"),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, beds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = beds


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
        label=_("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
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
    night = forms.DateField(label=_("Night"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_night(self):
        night = self.cleaned_data["night"]
        if night > datetime.date.today():
            raise forms.ValidationError(_("Choose a night that has begun."))
        return night
