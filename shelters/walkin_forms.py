"""Forms of the walk-in flow: the search at the door, the short record, the pick of a known
person. Validation and cleaning only; the view hands cleaned_data to the access module and the
services. Choices that feed statistics (sex, the legal basis) have no preselected value."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Consent, Sex
from cases.services.walkins import OLDEST_BIRTH_YEAR
from shelters.forms import BedChoiceField

CHOOSE = ("", _("— choose —"))


def _name_field(label, *, required=False):
    return forms.CharField(
        label=label,
        required=required,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class DoorSearchForm(forms.Form):
    """A first name and surname, or a PESEL: an exact match in the blind index, as the social
    workers' search. Sent by POST only (names never in a URL)."""

    first_name = _name_field(_("First name"))
    surname = _name_field(_("Surname"))
    pesel = forms.CharField(
        label=_("PESEL (if the person knows it)"),
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if (data.get("pesel") or "").strip():
            return data
        if (data.get("first_name") or "").strip() and (data.get("surname") or "").strip():
            return data
        raise forms.ValidationError(
            _(
                "Give the first name and the surname (or a PESEL) to check whether the person "
                "is known. Without a surname, register the person below."
            )
        )

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            "pesel": (data.get("pesel") or "").strip(),
            "first_name": (data.get("first_name") or "").strip(),
            "surname": (data.get("surname") or "").strip(),
        }


class KnownCheckInForm(DoorSearchForm):
    """A person the search found, picked to be checked in: the search's terms come again (an
    id alone opens no one), with the bed."""

    client = forms.UUIDField(widget=forms.HiddenInput)
    bed = BedChoiceField(label=_("Bed"), queryset=None, required=False)

    def __init__(self, *args, beds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = beds
        self.fields["bed"].empty_label = _("The suggested bed")


class WalkInForm(forms.Form):
    """The short record of a person not known yet, and the free bed they go to."""

    first_name = _name_field(_("First name"), required=True)
    surname = _name_field(_("Surname"))
    surname_refused = forms.BooleanField(label=_("Refused to give the surname"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[CHOOSE, *Sex.choices],
        error_messages={"required": _("Choose the person's sex.")},
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=OLDEST_BIRTH_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    birth_year_estimated = forms.BooleanField(label=_("The year is an estimate"), required=False)
    note = forms.CharField(
        label=_("Note for the social worker"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the social worker should know first. Stored encrypted."),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis for recording the data"),
        choices=[CHOOSE, *Consent.LegalBasis.choices],
        error_messages={"required": _("Choose the legal basis for recording the data.")},
    )
    bed = BedChoiceField(
        label=_("Bed"),
        queryset=None,
        error_messages={"required": _("Choose a free bed.")},
    )

    def __init__(self, *args, beds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = beds
        self.fields["bed"].empty_label = CHOOSE[1]
        self.fields["birth_year"].widget.attrs["max"] = timezone.localdate().year

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year

    def clean(self):
        data = super().clean()
        surname = (data.get("surname") or "").strip()
        refused = data.get("surname_refused")
        if surname and refused:
            self.add_error(
                "surname",
                _("Give the surname, or mark that the person refused to give it: not both."),
            )
        elif not surname and not refused and "surname" not in self.errors:
            self.add_error(
                "surname", _("Give the surname, or mark that the person refused to give it.")
            )
        estimated = data.get("birth_year_estimated") and data.get("birth_year") is None
        if estimated and "birth_year" not in self.errors:
            self.add_error("birth_year", _("Give the estimated year of birth."))
        return data
