"""The data protection officer's pages: find a person, a person's page, the access log.

The DPO reads no case contents: a person is their name, year of birth, short id and holding
organisation (as the registered describers give them), the erasure, and who touched their
data. Every search, page and export is itself an access-log row (purposes on the closed list).
"""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import todo
from accounts.access import role_required
from accounts.roles import DPO_ROLES
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from privacy import exports, related, scope, services
from privacy.access_log import (
    PAGE_SIZE,
    access_log_entries,
    csv_lines,
    log_rows,
    within_scope,
)
from privacy.forms import (
    AccessLogFilterForm,
    DpoSearchForm,
    ExportForm,
    RefusalForm,
    RefusalReviewForm,
)
from privacy.models import RequestRefusal, SubjectExport
from privacy.restriction import restriction_in_force

Action = AccessLogEntry.Action
# How many of a person's newest rows their page shows (the whole log is one link away).
PERSON_LOG_ROWS = 10


@role_required(*DPO_ROLES)
def people(request):
    """The DPO's start: find a person (by POST: the terms never reach a URL or a log)."""
    form = DpoSearchForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = related.find(**form.cleaned_data)
        # Only the people this DPO acts for (privacy/scope.py): the others are not found.
        reached = scope.dpo_reaches_among(request.user, [p.subject_id for p in found])
        found = [person for person in found if person.subject_id in reached]
        # Each person found is a row; a search that found nobody is one row without a person.
        for person in found:
            access_log_write(
                actor=request.user,
                action=Action.SEARCH,
                subject_id=person.subject_id,
                purpose=Purpose.DPO_SEARCH,
                request=request,
            )
        if not found:
            access_log_write(
                actor=request.user,
                action=Action.SEARCH,
                purpose=Purpose.DPO_SEARCH,
                request=request,
            )
    return render(
        request,
        "privacy/people.html",
        {"form": form, "found": found, "todo": todo.items_for(request.user)},
    )


def _person_page(request, subject, *, export_form=None, refusal_form=None, status=200):
    """The person's page: who they are, the export, refused requests, the newest log rows."""
    described = related.describe([subject.pk]).get(subject.pk)
    recent = log_rows(access_log_entries(person=subject.pk)[:PERSON_LOG_ROWS])
    access_log_write(
        actor=request.user,
        action=Action.VIEW,
        subject_id=subject.pk,
        purpose=Purpose.DPO_PERSON,
        request=request,
    )
    return render(
        request,
        "privacy/person.html",
        {
            "subject": subject,
            "person": described,
            "short_id": related.short_id(subject.pk),
            "recent": recent,
            "more": len(recent) == PERSON_LOG_ROWS,
            "restriction": restriction_in_force(subject.pk),
            "exports": subject.exports.select_related("created_by").order_by("-created_at")[:10],
            "refusals": subject.refusals.order_by("-refused_on", "-pk"),
            "export_form": export_form or ExportForm(actor=request.user, request=request),
            "refusal_form": refusal_form or RefusalForm(),
            "review_form": RefusalReviewForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_GET
@role_required(*DPO_ROLES)
def person(request, subject_id):
    """One person for the DPO: who they are, the export, refused requests, their newest log rows."""
    subject = scope.get_subject_for_dpo(request.user, subject_id)
    return _person_page(request, subject)


def _no_store(response):
    # Never kept by a browser or a proxy: a password, or a person's whole data.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(*DPO_ROLES)
def person_export(request, subject_id):
    """Make the person's data package; the password is shown on this one response only."""
    subject = scope.get_subject_for_dpo(request.user, subject_id)
    form = ExportForm(request.POST, actor=request.user, request=request)
    if form.is_valid():
        try:
            package, password = exports.subject_export_create(
                subject=subject,
                by=request.user,
                children=form.cleaned_data["children"],
                staff_naming=form.cleaned_data["staff_naming"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            response = render(
                request,
                "privacy/export_ready.html",
                {
                    "subject": subject,
                    "short_id": related.short_id(subject.pk),
                    "package": package,
                    "password": password,
                },
            )
            return _no_store(response)
    return _no_store(_person_page(request, subject, export_form=form, status=400))


@require_POST
@role_required(*DPO_ROLES)
def export_download(request, export_id):
    """The package, once: its file is deleted as it goes out. A generic file name."""
    package = get_object_or_404(SubjectExport, pk=export_id)
    # A package of a person this DPO does not act for: 404, as for one that does not exist.
    scope.get_subject_for_dpo(request.user, package.subject_id)
    try:
        content = exports.subject_export_take(export=package, by=request.user, request=request)
    except exports.ExportGone:
        messages.error(
            request,
            _("This package is no longer on the server (downloaded or expired): make a new one."),
        )
        return redirect("privacy:person", subject_id=package.subject_id)
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localtime(package.created_at).strftime("%Y%m%d-%H%M")
    # No person's name or id in a file name that lands in downloads.
    response["Content-Disposition"] = f'attachment; filename="przystan-dane-{stamp}.zip"'
    return _no_store(response)


@require_POST
@role_required(*DPO_ROLES)
def refusal_record(request, subject_id):
    """Record a refused erasure or objection, with its ground and the day to review it."""
    subject = scope.get_subject_for_dpo(request.user, subject_id)
    form = RefusalForm(request.POST)
    if form.is_valid():
        try:
            services.request_refuse(
                subject=subject,
                by=request.user,
                request_kind=form.cleaned_data["request_kind"],
                ground=form.cleaned_data["ground"],
                reference=form.cleaned_data["reference"],
                review_on=form.cleaned_data["review_on"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The refusal has been recorded."))
            return redirect("privacy:person", subject_id=subject.pk)
    return _person_page(request, subject, refusal_form=form, status=400)


@require_POST
@role_required(*DPO_ROLES)
def refusal_review(request, refusal_id):
    """The DPO reviewed a refusal: kept until a next date, or ended."""
    refusal = get_object_or_404(RequestRefusal, pk=refusal_id)
    scope.get_subject_for_dpo(request.user, refusal.subject_id)
    form = RefusalReviewForm(request.POST)
    if form.is_valid():
        try:
            services.refusal_review(
                refusal=refusal,
                by=request.user,
                next_review_on=form.cleaned_data["next_review_on"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The review has been recorded."))
    else:
        messages.error(request, _("Give a valid date of the next review, or none."))
    return redirect("privacy:person", subject_id=refusal.subject_id)


@require_GET
@role_required(*DPO_ROLES)
def refusals_due(request):
    """Refused requests whose review day has come: the DPO's to-do, by short id (no names)."""
    due = [
        (refusal, related.short_id(refusal.subject_id))
        for refusal in services.refusals_due()
        .filter(subject__in=scope.dpo_subjects(request.user))
        .order_by("review_on", "pk")
    ]
    return render(request, "privacy/refusals_due.html", {"due": due})


def _filter(request) -> tuple[AccessLogFilterForm, dict]:
    form = AccessLogFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    return form, chosen


@require_GET
@role_required(*DPO_ROLES)
def access_log(request):
    """The access log by person, member of staff and time, 50 rows a page, newest first.

    A filter with an error shows no rows (never the whole log in its place). One access-log
    row per page read, naming the person when the filter does.
    """
    form, chosen = _filter(request)
    valid = not form.is_bound or form.is_valid()
    entries = access_log_entries(**chosen) if valid else AccessLogEntry.objects.none()
    entries = within_scope(entries, request.user)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = log_rows(page.object_list)
    access_log_write(
        actor=request.user,
        action=Action.VIEW,
        subject_id=chosen.get("person"),
        purpose=Purpose.ACCESS_LOG,
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/access_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "valid": valid,
            "query": query.urlencode(),
        },
    )


class _Echo:
    """csv.writer writes into this; each row goes out as it is made."""

    def write(self, value: str) -> str:
        return value


@require_GET
@role_required(*DPO_ROLES)
def access_log_export(request):
    """The same filter as CSV: every matching row, up to the moment of the export.

    The export is itself a row of the log (naming the person when the filter does), and the
    rows after it are not in the file, so two exports of one filter differ only by what
    happened between them.
    """
    form, chosen = _filter(request)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "privacy/access_log.html",
            {"form": form, "page": None, "rows": [], "valid": False, "query": ""},
            status=400,
        )
    written = access_log_write(
        actor=request.user,
        action=Action.EXPORT,
        subject_id=chosen.get("person"),
        purpose=Purpose.ACCESS_LOG_EXPORT,
        request=request,
    )
    entries = within_scope(access_log_entries(**chosen), request.user).filter(seq__lt=written.seq)
    writer = csv.writer(_Echo())
    stream = (writer.writerow(line) for line in csv_lines(entries))
    response = StreamingHttpResponse(_with_bom(stream), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    # A generic name: no person's name or id in a file name that lands in downloads.
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _with_bom(lines):
    # Spreadsheets read UTF-8 (Polish letters) only with the byte-order mark.
    yield "\ufeff"
    yield from lines
