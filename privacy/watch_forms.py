"""Forms of the DPO's restriction of processing and thresholds of unusual access."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput
from privacy.models import AccessWatch, RestrictionReason


class RestrictForm(forms.Form):
    """Restrict processing of a person: a reason from the list (none preselected), a note, a day."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose the reason")), *RestrictionReason.choices],
    )
    restricted_on = forms.DateField(label=_("Restricted from"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional: a letter's reference or what is contested. Kept encrypted with the "
            "person's data, never in the access log."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["restricted_on"].initial = timezone.localdate()

    def clean_restricted_on(self):
        day = self.cleaned_data["restricted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A restriction starts today or has already started."))
        return day


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class AccessWatchForm(forms.ModelForm):
    """The organisation's thresholds of unusual access."""

    class Meta:
        model = AccessWatch
        fields = ["files_per_hour", "empty_searches_per_day", "day_starts_at", "day_ends_at"]
        widgets = {"day_starts_at": TimeInput(), "day_ends_at": TimeInput()}

    def clean_files_per_hour(self):
        value = self.cleaned_data["files_per_hour"]
        if value < 1:
            raise forms.ValidationError(_("Give at least 1."))
        return value
