"""The DPO's pages of restriction (art. 18 GDPR), who saw a person, and unusual access.

Every page that names a person loads them through privacy.scope (404 alike for missing and
another organisation's person) and is itself an access-log row.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import DPO_ROLES
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from privacy import related, restriction, scope, watch
from privacy.access_log import PAGE_SIZE, log_rows
from privacy.watch_forms import AccessWatchForm, RestrictForm

Action = AccessLogEntry.Action


@role_required(*DPO_ROLES)
def restrict(request, subject_id):
    """Restrict processing of a person (GDPR art. 18): a reason code, a note, from a day."""
    subject = scope.get_subject_for_dpo(request.user, subject_id)
    in_force = restriction.restriction_in_force(subject.pk)
    form = RestrictForm(request.POST or None)
    if request.method == "POST" and in_force is None and form.is_valid():
        try:
            restriction.restriction_set(
                by=request.user, subject=subject, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Processing of this person's data is now restricted."))
            return redirect("privacy:person", subject_id=subject.pk)
    access_log_write(
        actor=request.user,
        action=Action.VIEW,
        subject_id=subject.pk,
        purpose=Purpose.DPO_PERSON,
        request=request,
        way=AccessLogEntry.Way.DPO,
    )
    described = related.describe([subject.pk]).get(subject.pk)
    history = (
        subject.restrictions.with_keys()
        .select_related("restricted_by", "lifted_by")
        .order_by("-restricted_on", "-pk")
    )
    return render(
        request,
        "privacy/restrict.html",
        {
            "subject": subject,
            "person": described,
            "short_id": related.short_id(subject.pk),
            "form": form,
            "in_force": in_force,
            "history": history,
        },
    )


@require_POST
@role_required(*DPO_ROLES)
def restriction_lift(request, subject_id):
    """Lift the person's restriction in force: processing may start again (logged)."""
    subject = scope.get_subject_for_dpo(request.user, subject_id)
    in_force = restriction.restriction_in_force(subject.pk)
    if in_force is None:
        messages.error(request, _("Processing of this person's data is not restricted."))
    else:
        try:
            restriction.restriction_lift(by=request.user, restriction=in_force, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The restriction has been lifted."))
    return redirect("privacy:restrict", subject_id=subject.pk)


@require_GET
@role_required(*DPO_ROLES)
def who_saw(request, subject_id):
    """Every access to a person in the last 12 months, for the DPO acting for them."""
    subject = scope.get_subject_for_dpo(request.user, subject_id)
    page = Paginator(watch.who_saw(subject.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = log_rows(page.object_list, with_people=False)
    access_log_write(
        actor=request.user,
        action=Action.VIEW,
        subject_id=subject.pk,
        purpose=Purpose.WHO_SAW,
        request=request,
        way=AccessLogEntry.Way.DPO,
    )
    return render(
        request,
        "privacy/who_saw.html",
        {
            "subject": subject,
            "person": related.describe([subject.pk]).get(subject.pk),
            "short_id": related.short_id(subject.pk),
            "rows": rows,
            "page": page,
        },
    )


@require_GET
@role_required(*DPO_ROLES)
def unusual_access(request):
    """Unusual access by the staff the DPO watches, by their organisation's thresholds."""
    found = watch.unusual_access(request.user)
    access_log_write(
        actor=request.user, action=Action.VIEW, purpose=Purpose.UNUSUAL_ACCESS, request=request
    )
    return render(
        request,
        "privacy/unusual_access.html",
        {"found": found, "days": watch.WATCH_DAYS, "cluster": scope.acts_for_cluster(request.user)},
    )


@role_required(*DPO_ROLES)
def access_watch_edit(request):
    """The thresholds of unusual access of the DPO's organisation (kept with history)."""
    current = watch.watch_of(request.user.organisation)
    form = AccessWatchForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            watch.access_watch_save(
                by=request.user,
                organisation=request.user.organisation,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The thresholds have been saved."))
            return redirect("privacy:unusual-access")
    return render(request, "privacy/access_watch.html", {"form": form})
