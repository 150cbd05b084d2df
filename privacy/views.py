from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.roles import Role
from privacy import services
from privacy.forms import EraseForm
from privacy.models import ErasureRecord, Subject


@role_required(Role.DPO)
def erase(request):
    """The DPO erases a subject by the file's identifier; no file contents are shown."""
    form = EraseForm(request.POST or None, actor=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        subject = Subject.objects.filter(pk=form.cleaned_data["subject_id"]).first()
        if subject is None:
            form.add_error("subject_id", _("No file has this identifier."))
        else:
            try:
                services.subject_erase(
                    subject=subject,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The person's data has been erased."))
                return redirect("privacy:erase")
    ledger = ErasureRecord.objects.order_by("-erased_on", "-id")[:50]
    return render(request, "privacy/erase.html", {"form": form, "ledger": ledger})
