"""The DPO's retention page: the periods (each with its legal basis) and what a run would erase."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.reconfirm import ConfirmPasswordMixin
from accounts.roles import DPO_ROLES
from privacy import retention
from privacy.models import RetentionPeriod


class RetentionPeriodForm(ConfirmPasswordMixin, forms.ModelForm):
    """One period; saved only after the DPO's password (and code, with an app) is confirmed.

    A period decides when people's data is erased, so its change is a sensitive action
    (accounts.reconfirm: checked, logged and limited as every re-confirmation)."""

    class Meta:
        model = RetentionPeriod
        fields = ["years", "days", "legal_basis"]
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 3})}


@role_required(*DPO_ROLES)
def retention_page(request):
    """GET: the periods and the dry run of today; POST: one period changed (kind in the form)."""
    periods = retention.retention_periods()
    kind = request.POST.get("kind") if request.method == "POST" else None
    forms_by_kind = {
        k: RetentionPeriodForm(
            request.POST if k == kind else None,
            instance=period,
            prefix=k,
            actor=request.user,
            request=request,
        )
        for k, period in sorted(periods.items())
    }
    if kind is not None:
        form = forms_by_kind.get(kind)
        if form is None:
            return redirect("privacy:retention")
        if form.is_valid():
            retention.retention_period_set(
                by=request.user,
                period=periods[kind],
                years=form.cleaned_data["years"],
                days=form.cleaned_data["days"],
                legal_basis=form.cleaned_data["legal_basis"],
            )
            messages.success(request, _("The retention period has been saved."))
            return redirect("privacy:retention")
    run = retention.retention_apply(today=timezone.localdate(), dry_run=True)
    rows = [(periods[k].get_kind_display(), k, f) for k, f in forms_by_kind.items()]
    return render(request, "privacy/retention.html", {"rows": rows, "run": run})
