from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import DPO_ROLES
from audit.services import access_log_write
from privacy import related, scope, services
from privacy.forms import EraseForm, PersonSearchForm, SubjectLookupForm
from privacy.models import ErasureRecord


def _start_page(request, *, lookup_form=None, search_form=None, found=None):
    ledger = ErasureRecord.objects.order_by("-erased_on", "-id")[:50]
    return render(
        request,
        "privacy/erase.html",
        {
            "lookup_form": lookup_form or SubjectLookupForm(),
            "search_form": (search_form or PersonSearchForm()) if related.has_finder() else None,
            "found": found,
            "ledger": ledger,
        },
    )


def _in_scope(user, found: list) -> list:
    """The people found that `user` acts for as a DPO (privacy/scope.py)."""
    reached = scope.dpo_reaches_among(user, [person.subject_id for person in found])
    return [person for person in found if person.subject_id in reached]


@role_required(*DPO_ROLES)
def erase(request):
    """The DPO's start: find a person, or paste a file's identifier; and the erasure ledger."""
    form = SubjectLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subject_id = form.cleaned_data["subject_id"]
        # Out of the DPO's scope (privacy/scope.py) reads as no such file.
        if scope.dpo_reaches(request.user, subject_id):
            return redirect("privacy:erase-subject", subject_id=subject_id)
        form.add_error("subject_id", _("No file has this identifier."))
    return _start_page(request, lookup_form=form)


@require_POST
@role_required(*DPO_ROLES)
def person_search(request):
    """Search by POST only (the terms never reach a URL or a log); each person found is logged."""
    form = PersonSearchForm(request.POST)
    found = None
    if form.is_valid():
        found = _in_scope(request.user, related.find(**form.cleaned_data))
        for person in found:
            access_log_write(
                actor=request.user,
                action="search",
                subject_id=person.subject_id,
                purpose=services.PURPOSE_ERASURE,
                request=request,
            )
        if not found:
            access_log_write(
                actor=request.user,
                action="search",
                purpose=services.PURPOSE_ERASURE,
                request=request,
            )
    return _start_page(request, search_form=form, found=found)


@role_required(*DPO_ROLES)
def erase_subject(request, subject_id):
    """One person's erasure: their kind and dates, the related people to decide on, the form.

    Shows no file contents. Each person shown (the subject and every related one) is an
    access-log row with the purpose `erasure`.
    """
    subject = scope.get_subject_for_dpo(request.user, subject_id)
    if subject.is_erased:
        record = ErasureRecord.objects.filter(subject_id=subject.pk).first()
        return render(request, "privacy/erase_subject.html", {"subject": subject, "record": record})
    related_people, notices = related.related_and_notices(subject)
    form = EraseForm(
        request.POST or None, related=related_people, actor=request.user, request=request
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.subject_erase(
                subject=subject,
                by=request.user,
                reason=form.cleaned_data["reason"],
                reference=form.cleaned_data["reference"],
                decisions=form.decisions(),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The person's data has been erased."))
            return redirect("privacy:erase")
    for shown in [subject.pk, *(person.subject_id for person in related_people)]:
        access_log_write(
            actor=request.user,
            action="view",
            subject_id=shown,
            purpose=services.PURPOSE_ERASURE,
            request=request,
        )
    return render(
        request,
        "privacy/erase_subject.html",
        {
            "subject": subject,
            "form": form,
            "related": [(person, form[form.field_name(person)]) for person in related_people],
            "notices": notices,
        },
    )
