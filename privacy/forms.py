from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    subject_id = forms.UUIDField(
        label=_("File identifier"),
        help_text=_("The identifier at the end of the file's address, e.g. 3f2a…-…"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("E.g. 'request of the data subject, art. 17 GDPR'. Never personal data."),
    )
    confirm_password = forms.CharField(
        label=_("Your password (to confirm)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_confirm_password(self):
        password = self.cleaned_data["confirm_password"]
        if not self.actor.check_password(password):
            raise forms.ValidationError(_("Your password is not correct."))
        return password
