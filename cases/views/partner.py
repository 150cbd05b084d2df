"""The partner's side: referrals sent to their organisation, while the client's consent holds."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from audit.purposes import Purpose
from audit.services import access_log_write
from cases import services
from cases.access import get_referral_for_partner, referrals_for_partner
from cases.forms import DeclineForm


@require_GET
@role_required(Role.PARTNER)
def partner_referrals(request):
    items = list(referrals_for_partner(request.user).order_by("-sent_on", "-pk"))
    # One row per referral shown: the partner reads the client's display name.
    for referral in items:
        access_log_write(
            actor=request.user,
            action="view",
            subject_id=referral.client_id,
            purpose=Purpose.PARTNER_REFERRALS,
            request=request,
        )
    return render(request, "cases/partner_referrals.html", {"referrals": items})


@role_required(Role.PARTNER)
def partner_referral(request, referral_id):
    referral = get_referral_for_partner(request.user, referral_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_decide(
                by=request.user,
                referral=referral,
                status=request.POST.get("status", ""),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, _("The referral has been updated."))
            return redirect("cases:partner-referrals")
    access_log_write(
        actor=request.user,
        action="view",
        subject_id=referral.client_id,
        purpose=Purpose.PARTNER_REFERRAL,
        request=request,
    )
    return render(request, "cases/partner_referral.html", {"referral": referral, "form": form})
