import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.reconfirm import ConfirmPasswordMixin
from config.widgets import DateInput
from privacy.models import (
    ChildrenInExport,
    ErasureReason,
    RefusalGround,
    RefusedRequest,
    StaffNaming,
)
from privacy.related import RelatedSubject
from privacy.services import CHOSEN_REASONS, REFERENCE_MAX

ERASE, KEEP = "erase", "keep"


class SubjectLookupForm(forms.Form):
    """The fallback: the DPO pastes a file's identifier and goes to that person's erasure page."""

    subject_id = forms.UUIDField(
        label=_("File identifier"),
        help_text=_("The identifier at the end of the file's address, e.g. 3f2a…-…"),
    )


class PersonSearchForm(forms.Form):
    """Find a person by PESEL, or by surname and first name. Sent by POST only."""

    pesel = forms.CharField(
        label=_("PESEL"),
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    surname = forms.CharField(
        label=_("Surname"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_pesel(self):
        pesel = self.cleaned_data["pesel"].strip()
        if pesel and not re.fullmatch(r"\d{11}", pesel):
            raise forms.ValidationError(_("A PESEL has 11 digits."))
        return pesel

    def clean(self):
        data = super().clean()
        if data.get("pesel") or (data.get("surname") and data.get("first_name")):
            return data
        raise forms.ValidationError(_("Give a PESEL, or a surname with a first name."))


class EraseForm(ConfirmPasswordMixin, forms.Form):
    """The DPO's decision: the reason (a code), a reference, each related person, the password.

    For each related person the choice starts at the default (minors erased with the parent,
    adults kept) and is submitted by the DPO; a person of unknown age has no default.
    """

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(code, ErasureReason(code).label) for code in CHOSEN_REASONS],
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=_("Reference (optional)"),
        required=False,
        max_length=REFERENCE_MAX,
        help_text=_(
            "The sign of the request or decision, e.g. IOD.0123.4.2026: at most 32 characters "
            "with a digit. Never a name or a description: the ledger keeps it after the "
            "person's data is gone, and no check can tell a name from a sign."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, related: list[RelatedSubject], **kwargs):
        super().__init__(*args, **kwargs)
        self.related = related
        defaults = {True: ERASE, False: KEEP, None: None}
        for person in related:
            self.fields[self.field_name(person)] = forms.ChoiceField(
                label=_("%(relationship)s, %(age)s")
                % {"relationship": person.relationship, "age": person.age_band.label},
                choices=[(ERASE, _("Erase too")), (KEEP, _("Keep"))],
                initial=defaults[person.erase_by_default],
                widget=forms.RadioSelect,
            )
        self.order_fields(
            ["reason", "reference", *(self.field_name(p) for p in related), "confirm_password"]
        )

    @staticmethod
    def field_name(person: RelatedSubject) -> str:
        return f"related_{person.subject_id.hex}"

    def decisions(self) -> dict[uuid.UUID, bool]:
        """{related subject id: erase too?} as the DPO chose."""
        return {
            person.subject_id: self.cleaned_data[self.field_name(person)] == ERASE
            for person in self.related
        }


def _date_input():
    # ISO values whatever the language: a browser's date input reads nothing else.
    return DateInput()


class DpoSearchForm(PersonSearchForm):
    """The DPO's search: a PESEL, or a surname with a first name or a birth date (by POST)."""

    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=_date_input())

    def clean(self):
        data = forms.Form.clean(self)
        if data.get("pesel") or (
            data.get("surname") and (data.get("first_name") or data.get("birth_date"))
        ):
            return data
        raise forms.ValidationError(
            _("Give a PESEL, or a surname with a first name or a date of birth.")
        )


class AccessLogFilterForm(forms.Form):
    """Which rows of the access log: a person, a member of staff, a time range (all optional)."""

    person = forms.UUIDField(
        label=_("Person (file identifier)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    user = forms.ModelChoiceField(label=_("Member of staff"), queryset=None, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To (inclusive)"), required=False, widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Deactivated staff too: the log outlives their accounts.
        self.fields["user"].queryset = User.objects.order_by("last_name", "first_name", "pk")
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.username})"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data


class ExportForm(ConfirmPasswordMixin, forms.Form):
    """The DPO's decisions for a person's data package; nothing preselected."""

    children = forms.ChoiceField(
        label=_("The children's data (household members)"),
        choices=ChildrenInExport.choices,
        widget=forms.RadioSelect,
        help_text=_("What of the children's data goes with a parent's request."),
    )
    staff_naming = forms.ChoiceField(
        label=_("Staff who read or changed the data are named"),
        choices=StaffNaming.choices,
        widget=forms.RadioSelect,
    )


class RefusalForm(forms.Form):
    """A request the DPO refuses: what was asked, the ground (a code), a reference, the review."""

    request_kind = forms.ChoiceField(
        label=_("The person asked for"), choices=RefusedRequest.choices, widget=forms.RadioSelect
    )
    ground = forms.ChoiceField(
        label=_("Ground of the refusal"), choices=RefusalGround.choices, widget=forms.RadioSelect
    )
    reference = forms.CharField(
        label=_("Reference (optional)"),
        required=False,
        max_length=REFERENCE_MAX,
        help_text=_("The sign of the request or decision, e.g. IOD.0123.4.2026; never a name."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    review_on = forms.DateField(label=_("Review on"), widget=DateInput)


class RefusalReviewForm(forms.Form):
    """The DPO looked at a refusal again: a next review date keeps it, none ends it."""

    next_review_on = forms.DateField(
        label=_("Next review on (empty: the refusal ends)"), required=False, widget=DateInput
    )
