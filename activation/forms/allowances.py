"""Forms of the allowance pages: a bonus, a correction, a base amount, the act's rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activation.forms.attendance import MonthField
from config.widgets import DateInput

# Amounts are typed the Polish way (250,00) or with a dot; both are read.
AMOUNT = {"max_digits": 10, "decimal_places": 2, "localize": True}
PERCENT = {"max_digits": 5, "decimal_places": 2, "localize": True}


def _date_widget():
    return DateInput()


class BonusForm(forms.Form):
    month = MonthField(label=_("Month"), widget=forms.HiddenInput)
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("Motivation bonus (PLN)"), min_value=0, **AMOUNT)


class CloseForm(forms.Form):
    month = MonthField(label=_("Month"), widget=forms.HiddenInput)


class CorrectionForm(forms.Form):
    month = MonthField(label=_("Month"), widget=forms.HiddenInput)
    enrolment = forms.TypedChoiceField(label=_("Participant"), coerce=int, choices=())
    amount = forms.DecimalField(
        label=_("Correction (PLN, with a minus to take back)"),
        **AMOUNT,
    )
    reason = forms.CharField(
        label=_("Why the month is corrected"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [("", _("— choose —")), *participants]


class BaseForm(forms.Form):
    valid_from = forms.DateField(label=_("In force from"), widget=_date_widget())
    amount = forms.DecimalField(label=_("Amount (PLN)"), min_value=0, **AMOUNT)
    source = forms.CharField(label=_("Source (the notice that sets it)"), max_length=500)


class RateRuleForm(forms.Form):
    valid_from = forms.DateField(label=_("In force from"), widget=_date_widget())
    percent = forms.DecimalField(label=_("Rate (per cent of the base)"), min_value=0, **PERCENT)
    trial_month_percent = forms.DecimalField(
        label=_("Rate in the trial month (per cent of the base)"),
        help_text=_("Leave empty when there is no reduced trial month."),
        min_value=0,
        **PERCENT,
        required=False,
    )
    unexcused_day_divisor = forms.IntegerField(
        label=_("An unexcused day costs 1/N of the month: N"), min_value=1, max_value=100
    )
    sick_day_divisor = forms.IntegerField(
        label=_("A paid sick day costs 1/N of the month: N"), min_value=1, max_value=100
    )
    unpaid_day_divisor = forms.IntegerField(
        label=_("An unpaid day is 1/N of the month: N"), min_value=1, max_value=100
    )
    sick_paid_days = forms.IntegerField(
        label=_("Sick days paid at the reduced rate during participation"),
        min_value=0,
        max_value=366,
    )
    days_off_max = forms.IntegerField(
        label=_("Days off the head may grant at most"), min_value=0, max_value=366
    )
    bonus_cap_percent = forms.DecimalField(
        label=_("Motivation bonus at most (per cent of the allowance)"),
        min_value=0,
        **PERCENT,
    )
    source = forms.CharField(
        label=_("Source (the act and its article)"), widget=forms.Textarea(attrs={"rows": 2})
    )
