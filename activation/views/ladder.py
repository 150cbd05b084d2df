"""The ladder's manual step: what the system cannot see (the street, an own home after the
case closed), recorded by the social worker holding the file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from activation.forms_pathway import PathwayStepForm
from activation.views.common import activation_access, error_text
from audit.purposes import Purpose
from cases.pathway import pathway_step_record


@require_POST
@role_required(Role.SOCIAL_WORKER)
def pathway_step(request, client_id):
    access = activation_access(request, client_id, write=True, purpose=Purpose.PATHWAY)
    form = PathwayStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the stage and its date."))
    else:
        try:
            pathway_step_record(
                by=request.user, client=access.client, request=request, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The step has been recorded."))
    return redirect("activation:client-activation", client_id=access.client.pk)
