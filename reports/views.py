"""The managers' dashboard of outcome statistics, its downloads, and saved reports; the
administrators' upload of past records and each upload's page.

The dashboard is the managers' (a social worker is refused with 403), the import the
administrators'; every figure shown or downloaded is suppressed. The one page that lists people,
`people`, is a social worker's: the people behind a figure whose files they open, and no one else.
"""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from activation.dates import add_months
from reports import access, charts, documents
from reports.forms import DashboardForm, ImportUploadForm, PeopleForm, cell_label
from reports.jobs import job_create, job_progress
from reports.services import (
    CACHE_SECONDS,
    cached_report,
    report_cells_with_people,
    report_for,
    report_people,
    saved_report_create,
)

# A running import's page reloads itself this often (a meta refresh: no script, the CSP holds).
REFRESH_SECONDS = 3
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


def _default_query() -> dict:
    """The last twelve full months: a year of figures whatever the day (a calendar year is one
    choice away)."""
    this_month = timezone.localdate().replace(day=1)
    return {
        "period": "custom",
        "start": add_months(this_month, -12).isoformat(),
        "end": (this_month - datetime.timedelta(days=1)).isoformat(),
    }


def _download(figures: dict, kind: str, name: str) -> HttpResponse:
    content_type, extension = DOWNLOADS[kind]
    if kind == "csv":
        body = documents.report_csv(figures)
    elif kind == "xlsx":
        body = documents.report_xlsx(figures)
    else:
        body = documents.report_pdf(figures, heading=_("Outcome report"))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


def _sections(figures: dict) -> list[dict]:
    return [
        {"title": title, "rows": [(documents.label_of(path), value) for path, value in rows]}
        for _key, title, rows in documents.measure_rows(figures)
    ]


def _charts(figures: dict) -> list:
    """The dashboard's charts: occupancy by month per facility, exits, returns, retention."""
    drawn = [
        (
            _("Occupancy by month: %(facility)s") % {"facility": facility},
            charts.bar_chart(list(months.items()), title=str(facility), maximum=100),
        )
        for facility, months in figures["occupancy"].items()
    ]
    drawn.append((_("Exits"), charts.bar_chart(list(figures["exits"].items()), title=_("Exits"))))
    returns = figures["returns"]
    drawn.append(
        (
            _("Returns after a permanent exit"),
            charts.bar_chart(
                [(key, value) for key, value in returns.items() if key != "cohort"],
                title=_("Returns"),
            ),
        )
    )
    for months, answers in figures["employment"]["retention"].items():
        drawn.append(
            (
                _("Retention after %(months)s months") % {"months": months},
                charts.bar_chart(list(answers.items()), title=_("Retention")),
            )
        )
    return drawn


@require_GET
@role_required(*access.DASHBOARD_ROLES)
def dashboard(request):
    """The measures of the chosen period and filters, as tables and charts, or a download."""
    form = DashboardForm(request.GET or _default_query(), user=request.user)
    figures = None
    if form.is_valid():
        data = form.cleaned_data
        scope = access.scope_for(
            request.user, facility=data["facility"], programme=data["programme"]
        )
        key, figures = cached_report(start=data["start"], end=data["end"], scope=scope)
        kind = request.GET.get("format")
        if kind in DOWNLOADS:
            return _download(figures, kind, f"report-{data['start']}-{data['end']}")
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "figures_html": _figures_html(key, figures) if figures else "",
            "query": form.data.urlencode() if hasattr(form.data, "urlencode") else "",
            "is_coordinator": access.is_coordinator(request.user),
        },
    )


def _figures_html(key: str, figures: dict) -> str:
    """The report's tables and charts, drawn once per cached report and language.

    Hundreds of rows and a chart per facility cost more to draw than the rest of the page: they
    are cached under the report's own key (so they retire with it when the data change).
    """
    html_key = f"{key}:html:{get_language()}"
    html = cache.get(html_key)
    if html is None:
        html = render_to_string(
            "reports/_figures.html",
            {"figures": figures, "charts": _charts(figures), "sections": _sections(figures)},
        )
        cache.set(html_key, html, timeout=CACHE_SECONDS)
    return html


@require_POST
@role_required(*access.DASHBOARD_ROLES)
def save(request):
    """Keep the report of the posted period and filters as it is shown now."""
    form = DashboardForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "reports/dashboard.html",
            {"form": form, "figures": None, "charts": [], "query": ""},
            status=400,
        )
    data = form.cleaned_data
    scope = access.scope_for(request.user, facility=data["facility"], programme=data["programme"])
    figures = report_for(start=data["start"], end=data["end"], scope=scope)
    parameters = {
        "period": data["period"],
        "facility": data["facility"].name if data["facility"] else None,
        "programme": data["programme"].name if data["programme"] else None,
    }
    report = saved_report_create(
        by=request.user,
        figures=figures,
        parameters=parameters,
        start=data["start"],
        end=data["end"],
    )
    return redirect("reports:saved-detail", report_id=report.pk)


@require_GET
@role_required(*access.DASHBOARD_ROLES)
def saved_list(request):
    reports = access.saved_reports_for(request.user)[:200]
    return render(request, "reports/saved_list.html", {"reports": reports})


@require_GET
@role_required(*access.DASHBOARD_ROLES)
def saved_detail(request, report_id: int):
    """A saved report exactly as it was saved, or its download."""
    report = access.get_saved_report_for_user(request.user, report_id)
    kind = request.GET.get("format")
    if kind in DOWNLOADS:
        return _download(report.figures, kind, f"saved-report-{report.pk}")
    return render(
        request,
        "reports/saved_detail.html",
        {
            "report": report,
            "figures": report.figures,
            "charts": _charts(report.figures),
            "sections": _sections(report.figures),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*access.IMPORT_ROLES)
def import_upload(request):
    """Upload a ZIP of past records; its import runs in the background (reports/jobs.py)."""
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
    if posted and form.is_valid():
        try:
            job = job_create(
                by=request.user,
                content=form.cleaned_data["archive"],
                language=translation.get_language(),
            )
        except ValidationError as error:
            form.add_error("archive", error)
        else:
            return redirect("reports:import-job", job_id=job.pk)
    jobs = access.import_jobs_for(request.user).select_related("created_by")[:20]
    status = 400 if form.errors else 200
    return render(
        request, "reports/import_upload.html", {"form": form, "jobs": jobs}, status=status
    )


@require_GET
@role_required(*access.IMPORT_ROLES)
def import_job(request, job_id):
    """An upload's import: its progress (the page reloads itself), then its result or errors."""
    job = access.get_import_job_for_user(request.user, job_id)
    context = {
        "job": job,
        "progress": job_progress(job) if not job.is_finished else {},
        "refresh_seconds": REFRESH_SECONDS,
    }
    response = render(request, "reports/import_job.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(*access.DRILL_DOWN_ROLES)
def people(request):
    """The figures of a period with people of one's own files in them, or one figure's people.

    Only the clients whose file the user opens are listed (each read logged); the others are
    neither listed nor counted, and a figure with none of them gets no link.
    """
    query = request.GET.copy()
    default = _default_query()
    for key in ("start", "end"):
        if not query.get(key):
            query[key] = default[key]
    form = PeopleForm(query)
    cells, clients, chosen = [], None, ""
    if form.is_valid():
        data = form.cleaned_data
        period = {"start": data["start"], "end": data["end"]}
        if data["cell"]:
            measure, cell = data["cell"].split(":", 1)
            chosen = cell_label(measure, cell)
            clients = report_people(
                by=request.user, measure=measure, cell=cell, request=request, **period
            )
        else:
            cells = [
                (cell_label(measure, cell), f"{measure}:{cell}")
                for measure, cell in report_cells_with_people(by=request.user, **period)
            ]
    return render(
        request,
        "reports/people.html",
        {"form": form, "cells": cells, "clients": clients, "chosen": chosen},
        status=200 if form.is_valid() else 400,
    )
