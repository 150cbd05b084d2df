from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.reconfirm import ConfirmPasswordMixin


class EraseForm(ConfirmPasswordMixin, forms.Form):
    subject_id = forms.UUIDField(
        label=_("File identifier"),
        help_text=_("The identifier at the end of the file's address, e.g. 3f2a…-…"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("E.g. 'request of the data subject, art. 17 GDPR'. Never personal data."),
    )
