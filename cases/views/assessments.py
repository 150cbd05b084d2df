"""Assessments: scores over the life domains, charted over time."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.roles import Role
from audit.purposes import Purpose
from cases import services
from cases.access import get_client_access
from cases.charts import sparkline
from cases.forms import AssessmentForm
from cases.models import ASSESSMENT_DOMAINS, SENSITIVE_DOMAINS
from cases.views.common import file_context


@role_required(Role.SOCIAL_WORKER)
def assessments(request, client_id):
    """The domains' scores over time (health and addiction only for the sensitive part's
    readers); a POST records a new assessment."""
    writing = request.method == "POST"
    access = get_client_access(
        request.user, client_id, write=writing, request=request, purpose=Purpose.ASSESSMENTS
    )
    client = access.client
    form = AssessmentForm(request.POST or None)
    if writing and form.is_valid():
        data = form.cleaned_data
        services.assessment_record(
            by=request.user,
            client=client,
            kind=data["kind"],
            assessed_on=data["assessed_on"],
            scores=data["scores"],
            notes=data["notes"],
            request=request,
        )
        messages.success(request, _("The assessment has been saved."))
        return redirect("cases:assessments", client_id=client.pk)
    items = list(
        client.assessments.select_related("author").with_keys().order_by("assessed_on", "pk")
    )
    rows = []
    for code, label in ASSESSMENT_DOMAINS:
        # Health and addiction are special categories: not for an emergency reader.
        if code in SENSITIVE_DOMAINS and not access.sees_sensitive:
            continue
        series = [a.scores.get(code) if isinstance(a.scores, dict) else None for a in items]
        known = [s for s in series if s is not None]
        last_notes = items[-1].notes if items and isinstance(items[-1].notes, dict) else {}
        rows.append(
            {
                "label": label,
                "chart": sparkline(series),
                "latest": known[-1] if known else None,
                "change": known[-1] - known[0] if len(known) > 1 else None,
                "note": last_notes.get(code, ""),
            }
        )
    return render(
        request,
        "cases/assessments.html",
        file_context(access, rows=rows, assessments=list(reversed(items)), form=form),
    )
