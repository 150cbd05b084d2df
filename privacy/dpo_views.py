"""The data protection officer's pages: find a person, a person's page, the access log.

The DPO reads no case contents: a person is their name, year of birth, short id and holding
organisation (as the registered describers give them), the erasure, and who touched their
data. Every search, page and export is itself an access-log row (purposes on the closed list).
"""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import DPO_ROLES
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from privacy import related, scope
from privacy.access_log import (
    PAGE_SIZE,
    access_log_entries,
    csv_lines,
    log_rows,
    within_scope,
)
from privacy.forms import AccessLogFilterForm, DpoSearchForm
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
    return render(request, "privacy/people.html", {"form": form, "found": found})


@require_GET
@role_required(*DPO_ROLES)
def person(request, subject_id):
    """One person for the DPO: who they are, the erasure, and the newest rows of their log."""
    subject = scope.get_subject_for_dpo(request.user, subject_id)
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
        },
    )


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
