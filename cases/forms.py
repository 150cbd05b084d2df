from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Client


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "first_name",
            "surname",
            "pesel",
            "birth_date",
            "sex",
            "phone",
            "email",
            "contact_note",
            "municipality_code",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contact_note": forms.Textarea(attrs={"rows": 3}),
            "pesel": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {
            "pesel": _("Optional: many clients have none or do not know it."),
            "municipality_code": _(
                "The 7-digit TERYT code of the responsible municipality (gmina)."
            ),
        }

    def clean_municipality_code(self):
        code = self.cleaned_data["municipality_code"].strip()
        if code and (len(code) != 7 or not code.isascii() or not code.isdigit()):
            raise forms.ValidationError(_("A TERYT municipality code has 7 digits."))
        return code


class ClientSearchForm(forms.Form):
    """Search by PESEL, or by surname with a first name or a date of birth. Sent by POST only."""

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
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("pesel"):
            return data
        if data.get("surname") and (data.get("first_name") or data.get("birth_date")):
            return data
        raise forms.ValidationError(
            _("Give a PESEL, or a surname with a first name or a date of birth.")
        )
