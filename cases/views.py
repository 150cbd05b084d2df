from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.services import access_log_write
from cases import assigning, selectors, services
from cases.access import get_client_access, notes_visible_to
from cases.forms import (
    AssessmentForm,
    AssignForm,
    AssignmentFilterForm,
    BreakGlassForm,
    ClientForm,
    ClientSearchForm,
    CloseCaseForm,
    ConsentForm,
    DeclineForm,
    DocumentForm,
    DoNotDiscloseForm,
    GoalForm,
    GoalStatusForm,
    HouseholdMemberForm,
    NoteForm,
    PlanForm,
    ReferralForm,
    ReviewForm,
    StepForm,
    StepStatusForm,
)
from cases.models import (
    BreakGlassAccess,
    CaseNote,
    Client,
    Consent,
    Document,
    HandoverRequest,
    HouseholdMember,
    PathwayStage,
    Plan,
    PlanStep,
    Referral,
)
from cases.rows import caseload_rows, note_rows, timeline_rows
from cases.timeline import client_timeline


@require_GET
@role_required(Role.SOCIAL_WORKER)
def caseload(request):
    status = request.GET.get("status", "open")
    overdue = request.GET.get("overdue") == "1"
    try:
        quiet_days = int(request.GET.get("quiet", "") or 0) or None
    except ValueError:
        quiet_days = None
    stage = request.GET.get("stage", "")
    if stage not in PathwayStage.values:
        stage = ""
    extra = {name: request.GET.get(name, "") for name in selectors.CASELOAD_FILTERS}
    extra_filters = []
    for name, spec in selectors.CASELOAD_FILTERS.items():
        choices = spec["choices"](request.user)
        if extra[name] not in {str(value) for value, _label in choices}:
            extra[name] = ""
        extra_filters.append(
            {"name": name, "label": spec["label"], "choices": choices, "value": extra[name]}
        )
    clients = selectors.caseload(
        request.user,
        status=status,
        overdue_only=overdue,
        no_contact_days=quiet_days,
        stage=stage,
        extra_filters=extra,
    )
    # The list shows the names of the worker's own clients: one row for the page, not per name.
    access_log_write(actor=request.user, action="view", purpose="caseload", request=request)
    todo = selectors.todo_for(request.user)
    return render(
        request,
        "cases/caseload.html",
        {
            "rows": caseload_rows(clients),
            "status": status,
            "overdue": overdue,
            "quiet": quiet_days or "",
            "stage": stage,
            "stages": PathwayStage.choices,
            "extra_filters": extra_filters,
            "todo": todo,
        },
    )


@role_required(Role.SOCIAL_WORKER)
def client_search(request):
    """Search by POST only: the terms (a PESEL, a name) never appear in a URL or a log."""
    form = ClientSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        found = selectors.client_search(**form.cleaned_data)
        hidden = selectors.hidden_from(request.user, found)
        found = [c for c in found if c.pk not in hidden]
        holders = selectors.current_holders(c.pk for c in found)
        results = []
        for client in found:
            own = request.user.has_perm("cases.view_client", client)
            results.append({"client": client, "visible": own, "holder": holders.get(client.pk)})
            access_log_write(
                actor=request.user, action="search", subject_id=client.pk, request=request
            )
        if not found:
            access_log_write(actor=request.user, action="search", request=request)
    return render(request, "cases/client_search.html", {"form": form, "results": results})


@role_required(Role.SOCIAL_WORKER)
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_register(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The client has been registered."))
            for warning in form.pesel_warnings:
                messages.warning(request, warning)
            return redirect("cases:client-detail", client_id=client.pk)
    return render(request, "cases/client_form.html", {"form": form, "creating": True})


def _file_context(access, **extra):
    client = access.client
    return {
        "client": client,
        "access": access,
        "warnings": list(client.do_not_disclose.with_keys()) if access.is_holder else [],
        "holder": selectors.current_holders([client.pk]).get(client.pk),
        **extra,
    }


NOTES_PER_PAGE = 50


@role_required(Role.SOCIAL_WORKER)
def client_detail(request, client_id):
    access = get_client_access(request.user, client_id, request=request)
    form = NoteForm(request.POST or None)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        if form.is_valid():
            services.note_add(
                by=request.user, client=access.client, request=request, **form.cleaned_data
            )
            messages.success(request, _("The note has been added."))
            return redirect("cases:client-detail", client_id=access.client.pk)
    # The newest notes first, NOTES_PER_PAGE at a time: a file of many years stays quick to open
    # (and to scroll on a phone); older notes are a page further, the timeline lists them all.
    page = Paginator(notes_visible_to(access), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    notes = note_rows(page.object_list, client_id=access.client.pk, can_write=access.can_write)
    context = _file_context(
        access, notes=notes, notes_page=page, note_form=form, close_form=CloseCaseForm()
    )
    return render(request, "cases/client_detail.html", context)


@require_GET
@role_required(Role.SOCIAL_WORKER)
def client_timeline_page(request, client_id):
    """Everything that happened in a file, newest first: intake, assessments, plans, notes..."""
    access = get_client_access(request.user, client_id, request=request, purpose="timeline")
    events = timeline_rows(client_timeline(access))
    return render(request, "cases/client_timeline.html", _file_context(access, events=events))


@role_required(Role.SOCIAL_WORKER)
def client_edit(request, client_id):
    access = get_client_access(request.user, client_id, write=True, request=request, purpose="edit")
    client = access.client
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(
                by=request.user, client=client, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes have been saved."))
            for warning in form.pesel_warnings:
                messages.warning(request, warning)
            return redirect("cases:client-detail", client_id=client.pk)
    return render(
        request, "cases/client_form.html", {"form": form, "creating": False, "client": client}
    )


@role_required(Role.SOCIAL_WORKER)
def note_edit(request, client_id, note_id):
    access = get_client_access(request.user, client_id, write=True, request=request)
    note = get_object_or_404(CaseNote.objects.with_keys(), pk=note_id, client=access.client)
    form = NoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        services.note_edit(by=request.user, note=note, request=request, **form.cleaned_data)
        messages.success(request, _("The note has been saved."))
        return redirect("cases:client-detail", client_id=access.client.pk)
    return render(request, "cases/note_form.html", {"form": form, "client": access.client})


@require_GET
@role_required(Role.SOCIAL_WORKER)
def client_history(request, client_id):
    access = get_client_access(request.user, client_id, request=request, purpose="history")
    client = access.client
    records = list(client.history.select_related("history_user").order_by("-history_date"))
    changes = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        delta = newer.diff_against(older).changes if older is not None else []
        labelled = [
            {"label": client._meta.get_field(c.field).verbose_name, "old": c.old, "new": c.new}
            for c in delta
        ]
        changes.append({"record": newer, "changes": labelled})
    return render(request, "cases/client_history.html", {"client": client, "changes": changes})


@require_POST
@role_required(Role.SOCIAL_WORKER)
def case_close(request, client_id):
    access = get_client_access(request.user, client_id, write=True, request=request)
    form = CloseCaseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose an outcome."))
        services.case_close(
            by=request.user,
            client=access.client,
            outcome=form.cleaned_data["outcome"],
            request=request,
        )
        messages.success(request, _("The case has been closed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:client-detail", client_id=access.client.pk)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def case_reopen(request, client_id):
    access = get_client_access(request.user, client_id, write=True, request=request)
    try:
        services.case_reopen(by=request.user, client=access.client, request=request)
        messages.success(request, _("The case has been reopened."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:client-detail", client_id=access.client.pk)


def _known_client(client_id) -> Client:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client


@require_POST
@role_required(Role.SOCIAL_WORKER)
def handover_ask(request, client_id):
    client = _known_client(client_id)
    try:
        services.handover_request(by=request.user, client=client, request=request)
        messages.success(
            request, _("Your request has been sent to the manager of the file's holder.")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:client-search")


@role_required(Role.SOCIAL_WORKER)
def break_glass(request, client_id):
    client = _known_client(client_id)
    form = BreakGlassForm(request.POST or None, actor=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_open(
                by=request.user, client=client, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            return redirect("cases:client-detail", client_id=client.pk)
    return render(request, "cases/break_glass.html", {"form": form, "client_id": client.pk})


@role_required(Role.MANAGER)
def assignments(request):
    """A manager's queue: handover requests and emergency accesses of their organisation's staff."""
    org = request.user.organisation_id
    requests_open = (
        HandoverRequest.objects.filter(
            status=HandoverRequest.Status.OPEN, requested_by__organisation_id=org
        )
        .select_related("requested_by")
        .order_by("requested_at")
    )
    holders = selectors.current_holders(r.client_id for r in requests_open)
    rows = [{"request": r, "holder": holders.get(r.client_id)} for r in requests_open]
    grants = (
        BreakGlassAccess.objects.filter(user__organisation_id=org, reviewed_at__isnull=True)
        .select_related("user")
        .order_by("started_at")
    )
    return render(
        request,
        "cases/assignments.html",
        {
            "rows": rows,
            "grants": grants,
            "plans": _plans_to_approve(request.user),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def handover_decide(request, request_id):
    handover = get_object_or_404(
        HandoverRequest,
        pk=request_id,
        status=HandoverRequest.Status.OPEN,
        requested_by__organisation_id=request.user.organisation_id,
    )
    if request.POST.get("decision") == "refuse":
        handover.status = HandoverRequest.Status.REFUSED
        handover.decided_by = request.user
        handover.save()
        messages.info(request, _("The request has been refused."))
        return redirect("cases:assignments")
    try:
        services.client_handover(
            by=request.user,
            client=handover.client,
            to_worker=handover.requested_by,
            request=request,
        )
        messages.success(request, _("The file has been handed over."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("cases:assignments")


@require_POST
@role_required(Role.MANAGER)
def break_glass_reviewed(request, grant_id):
    grant = get_object_or_404(
        BreakGlassAccess, pk=grant_id, user__organisation_id=request.user.organisation_id
    )
    services.break_glass_review(by=request.user, grant=grant, request=request)
    messages.success(request, _("Marked as reviewed."))
    return redirect("cases:assignments")


@role_required(Role.MANAGER)
def assign(request, client_id):
    """Assign (or hand over) a client held in the manager's organisation to one of its workers."""
    client = _known_client(client_id)
    holder = selectors.current_holders([client.pk]).get(client.pk)
    # A manager reaches only the files held in their own organisation; a file nobody holds
    # (none should exist: registering assigns it) is no manager's to take.
    if holder is None or holder.worker.organisation_id != request.user.organisation_id:
        raise Http404
    form = AssignForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_handover(
                by=request.user,
                client=client,
                to_worker=form.cleaned_data["worker"],
                team=form.cleaned_data["team"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The file has been handed over."))
            return redirect("cases:assignment-list")
    # The page names the person (so the manager knows whose file moves): a read, logged.
    access_log_write(
        actor=request.user, action="view", subject_id=client.pk, purpose="assign", request=request
    )
    return render(
        request,
        "cases/assign.html",
        {"form": form, "holder": holder, "client": client, "client_id": client.pk},
    )


@require_GET
@role_required(Role.MANAGER)
def assignment_list(request):
    """The clients held in the manager's organisation, each linked to its assign page.

    Names, holders, teams and dates only: no file content. One access-log row for the page.
    """
    form = AssignmentFilterForm(request.GET or None, manager=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = assigning.held_in_organisation(
        request.user, worker=filters.get("worker"), team=filters.get("team")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = assigning.with_names(page.object_list)
    access_log_write(actor=request.user, action="view", purpose="assignments", request=request)
    return render(request, "cases/assignment_list.html", {"form": form, "page": page})


# --- consent, referrals, documents ---------------------------------------------------------


@role_required(Role.SOCIAL_WORKER)
def consents(request, client_id):
    access = get_client_access(request.user, client_id, request=request, purpose="consents")
    client = access.client
    form = ConsentForm(request.POST or None, client=client)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        if form.is_valid():
            services.consent_record(
                by=request.user, client=client, request=request, **form.cleaned_data
            )
            messages.success(request, _("The consent has been recorded."))
            return redirect("cases:consents", client_id=client.pk)
    items = client.consents.select_related("partner", "signed_form")
    return render(request, "cases/consents.html", _file_context(access, consents=items, form=form))


@require_POST
@role_required(Role.SOCIAL_WORKER)
def consent_withdraw(request, client_id, consent_id):
    access = get_client_access(request.user, client_id, write=True, request=request)
    consent = get_object_or_404(Consent, pk=consent_id, client=access.client)
    try:
        services.consent_withdraw(by=request.user, consent=consent, request=request)
        messages.success(request, _("The consent has been withdrawn; sharing stops now."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:consents", client_id=access.client.pk)


@role_required(Role.SOCIAL_WORKER)
def referrals(request, client_id):
    access = get_client_access(request.user, client_id, request=request, purpose="referrals")
    client = access.client
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.referral_send(
                    by=request.user, client=client, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error("partner", error)
            else:
                messages.success(request, _("The referral has been sent."))
                return redirect("cases:referrals", client_id=client.pk)
    items = client.referrals.select_related("partner").with_keys()
    today = timezone.localdate()
    return render(
        request,
        "cases/referrals.html",
        _file_context(access, referrals=items, form=form, today=today),
    )


@role_required(Role.SOCIAL_WORKER)
def documents(request, client_id):
    access = get_client_access(request.user, client_id, request=request, purpose="documents")
    client = access.client
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.DOCUMENT_MAX_BYTES:
                form.add_error(
                    "file",
                    _("The file is too large (at most %(mb)s MB).")
                    % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)},
                )
            else:
                try:
                    services.document_upload(
                        by=request.user,
                        client=client,
                        kind=form.cleaned_data["kind"],
                        title=form.cleaned_data["title"],
                        content=upload.read(),
                        request=request,
                    )
                except ValidationError as error:
                    form.add_error("file", error)
                else:
                    messages.success(request, _("The document has been stored (encrypted)."))
                    return redirect("cases:documents", client_id=client.pk)
    items = client.documents.select_related("file", "uploaded_by").with_keys()
    return render(
        request, "cases/documents.html", _file_context(access, documents=items, form=form)
    )


@require_GET
@role_required(Role.SOCIAL_WORKER)
def document_download(request, client_id, document_id):
    from privacy.files import file_read

    access = get_client_access(request.user, client_id, request=request, purpose="document")
    document = get_object_or_404(
        Document.objects.select_related("file"), pk=document_id, client=access.client
    )
    content = file_read(document.file)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[
        document.file.content_type
    ]
    response = HttpResponse(content, content_type=document.file.content_type)
    # A generic name: the document's title may be personal and must not reach a download folder.
    response["Content-Disposition"] = f'attachment; filename="dokument-{document.pk}.{extension}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the partner's side --------------------------------------------------------------------


def _partner_referrals(user):
    """Referrals sent to the user's organisation, while the client's consent holds."""
    from django.db.models import Exists, OuterRef, Q

    today = timezone.localdate()
    consent = Consent.objects.filter(
        client=OuterRef("client"),
        partner=OuterRef("partner"),
        purpose__in=services.REFERRAL_CONSENTS,
        given_on__lte=today,
    ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    return (
        Referral.objects.filter(partner_id=user.organisation_id)
        .filter(Exists(consent))
        .select_related("client")
        .with_keys()
    )


@require_GET
@role_required(Role.PARTNER)
def partner_referrals(request):
    items = list(_partner_referrals(request.user).order_by("-sent_on"))
    # One row per referral shown: the partner reads the client's display name.
    for referral in items:
        access_log_write(
            actor=request.user,
            action="view",
            subject_id=referral.client_id,
            purpose="partner referral list",
            request=request,
        )
    return render(request, "cases/partner_referrals.html", {"referrals": items})


@role_required(Role.PARTNER)
def partner_referral(request, referral_id):
    referral = _partner_referrals(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
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
        purpose="partner referral",
        request=request,
    )
    return render(request, "cases/partner_referral.html", {"referral": referral, "form": form})


@role_required(Role.SOCIAL_WORKER)
def assessments(request, client_id):
    from cases.charts import sparkline
    from cases.models import ASSESSMENT_DOMAINS

    access = get_client_access(request.user, client_id, request=request, purpose="assessments")
    client = access.client
    form = AssessmentForm(request.POST or None)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        if form.is_valid():
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
        series = [a.scores.get(code) if isinstance(a.scores, dict) else None for a in items]
        known = [s for s in series if s is not None]
        rows.append(
            {
                "label": label,
                "chart": sparkline(series),
                "latest": known[-1] if known else None,
                "change": known[-1] - known[0] if len(known) > 1 else None,
                "note": (items[-1].notes or {}).get(code, "")
                if items and isinstance(items[-1].notes, dict)
                else "",
            }
        )
    return render(
        request,
        "cases/assessments.html",
        _file_context(access, rows=rows, assessments=list(reversed(items)), form=form),
    )


# --- plans (IPWzB / social contract) -------------------------------------------------------


@role_required(Role.SOCIAL_WORKER)
def plans(request, client_id):
    from cases import plans as plan_services

    access = get_client_access(request.user, client_id, request=request, purpose="plans")
    client = access.client
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = plan_services.plan_create(
                    by=request.user, client=client, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("cases:plan-detail", client_id=client.pk, plan_id=plan.pk)
    items = client.plans.all()
    return render(request, "cases/plans.html", _file_context(access, plans=items, form=form))


def _posted_pk(request, name: str) -> int:
    """The id of a goal or step named in the POST; anything but a number is a missing object."""
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404 from None


def _goal_rows(goals, *, tracking: bool, refused: dict):
    """Each goal with its status form and its steps with theirs (forms only where progress is
    recorded); a form the worker sent with an error comes back as they sent it."""
    rows = []
    for goal in goals:
        if not tracking:
            form = None
        elif ("goal", goal.pk) in refused:
            form = refused["goal", goal.pk]
        else:
            initial = {"status": goal.status, "outcome": goal.outcome}
            form = GoalStatusForm(initial=initial, auto_id=f"id_goal{goal.pk}_%s")
        steps = []
        for step in goal.steps.all():
            if not tracking:
                step_form = None
            elif ("step", step.pk) in refused:
                step_form = refused["step", step.pk]
            else:
                initial = {"status": step.status}
                step_form = StepStatusForm(initial=initial, auto_id=f"id_step{step.pk}_%s")
            steps.append((step, step_form))
        rows.append((goal, form, steps))
    return rows


@role_required(Role.SOCIAL_WORKER)
def plan_detail(request, client_id, plan_id):
    from cases import plans as plan_services

    access = get_client_access(request.user, client_id, request=request, purpose="plan")
    client = access.client
    plan = get_object_or_404(Plan.objects.with_keys(), pk=plan_id, client=client)
    goal_form = GoalForm(prefix="goal")
    step_form = StepForm(prefix="step", plan=plan)
    review_form = ReviewForm(prefix="review")
    refused = {}  # a goal's or step's status form sent with an error, shown again in its place
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "goal":
                goal_form = GoalForm(request.POST, prefix="goal")
                if goal_form.is_valid():
                    plan_services.goal_add(
                        by=request.user, plan=plan, request=request, **goal_form.cleaned_data
                    )
                    return redirect(request.path)
            elif action == "step":
                step_form = StepForm(request.POST, prefix="step", plan=plan)
                if step_form.is_valid():
                    plan_services.step_add(
                        by=request.user, request=request, **step_form.cleaned_data
                    )
                    return redirect(request.path)
            elif action == "review":
                review_form = ReviewForm(request.POST, prefix="review")
                if review_form.is_valid():
                    plan_services.plan_review(
                        by=request.user,
                        plan=plan,
                        request=request,
                        note=review_form.cleaned_data["note"],
                    )
                    messages.success(request, _("The review has been recorded."))
                    return redirect(request.path)
            elif action == "goal_status":
                # Looked up within this plan: an id of another plan's goal is a missing object.
                goal = get_object_or_404(plan.goals.with_keys(), pk=_posted_pk(request, "goal"))
                form = GoalStatusForm(request.POST, auto_id=f"id_goal{goal.pk}_%s")
                if form.is_valid():
                    plan_services.goal_update(
                        by=request.user, goal=goal, request=request, **form.cleaned_data
                    )
                    messages.success(request, _("The goal has been updated."))
                    return redirect(request.path)
                refused["goal", goal.pk] = form
            elif action == "step_status":
                step = get_object_or_404(
                    PlanStep.objects.with_keys().select_related("goal__plan"),
                    goal__plan=plan,
                    pk=_posted_pk(request, "step"),
                )
                form = StepStatusForm(request.POST, auto_id=f"id_step{step.pk}_%s")
                if form.is_valid():
                    plan_services.step_update(
                        by=request.user, step=step, request=request, **form.cleaned_data
                    )
                    messages.success(request, _("The step has been updated."))
                    return redirect(request.path)
                refused["step", step.pk] = form
            elif action == "submit":
                plan_services.plan_submit(by=request.user, plan=plan, request=request)
                messages.success(request, _("The plan has been finished."))
                return redirect(request.path)
            elif action == "new_version":
                plan_services.plan_new_version(by=request.user, plan=plan, request=request)
                return redirect(request.path)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
    goals = plan.goals.prefetch_related("steps__responsible").with_keys()
    tracking = access.can_write and plan_services.progress_recordable(plan)
    reviews = plan.reviews.select_related("reviewed_by").with_keys()
    return render(
        request,
        "cases/plan_detail.html",
        _file_context(
            access,
            plan=plan,
            goals=goals,
            goal_rows=_goal_rows(goals, tracking=tracking, refused=refused),
            reviews=reviews,
            goal_form=goal_form,
            step_form=step_form,
            review_form=review_form,
        ),
    )


def _plan_pdf_response(plan):
    from cases.plans import plan_pdf

    response = HttpResponse(plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="program-{plan.pk}-v{plan.version}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(Role.SOCIAL_WORKER)
def plan_pdf(request, client_id, plan_id):
    access = get_client_access(request.user, client_id, request=request, purpose="plan pdf")
    plan = get_object_or_404(Plan.objects.with_keys(), pk=plan_id, client=access.client)
    access_log_write(
        actor=request.user,
        action="print",
        subject_id=access.client.pk,
        purpose="plan",
        request=request,
    )
    return _plan_pdf_response(plan)


def _plans_to_approve(manager):
    return Plan.objects.filter(
        status=Plan.Status.AWAITING_APPROVAL, created_by__organisation_id=manager.organisation_id
    ).select_related("created_by", "client")


@require_GET
@role_required(Role.MANAGER)
def plan_for_approval_pdf(request, plan_id):
    """The manager reads a plan waiting for their approval (and only such a plan)."""
    plan = get_object_or_404(_plans_to_approve(request.user).with_keys(), pk=plan_id)
    access_log_write(
        actor=request.user,
        action="print",
        subject_id=plan.client_id,
        purpose="plan approval",
        request=request,
    )
    return _plan_pdf_response(plan)


@require_POST
@role_required(Role.MANAGER)
def plan_approve(request, plan_id):
    from cases import plans as plan_services

    plan = get_object_or_404(_plans_to_approve(request.user), pk=plan_id)
    try:
        plan_services.plan_approve(by=request.user, plan=plan, request=request)
        messages.success(request, _("The plan has been approved."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("cases:assignments")


@role_required(Role.SOCIAL_WORKER)
def household(request, client_id):
    access = get_client_access(request.user, client_id, request=request, purpose="household")
    client = access.client
    member_form = HouseholdMemberForm(prefix="member")
    dnd_form = DoNotDiscloseForm(prefix="dnd")
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied
        if request.POST.get("action") == "member":
            member_form = HouseholdMemberForm(request.POST, prefix="member")
            if member_form.is_valid():
                services.household_member_add(
                    by=request.user, client=client, request=request, **member_form.cleaned_data
                )
                messages.success(request, _("The household member has been added."))
                return redirect("cases:household", client_id=client.pk)
        elif request.POST.get("action") == "dnd":
            dnd_form = DoNotDiscloseForm(request.POST, prefix="dnd")
            if dnd_form.is_valid():
                data = dnd_form.cleaned_data
                try:
                    services.do_not_disclose_add(
                        by=request.user,
                        client=client,
                        request=request,
                        person_name=data["person_name"],
                        other_client=data["other_file"],
                        note=data["note"],
                    )
                except ValidationError as error:
                    dnd_form.add_error("other_file", error)
                else:
                    messages.success(
                        request, _("Saved: this client's presence will not be disclosed.")
                    )
                    return redirect("cases:household", client_id=client.pk)
    members = HouseholdMember.objects.filter(household__head=client).with_keys()
    return render(
        request,
        "cases/household.html",
        _file_context(
            access,
            members=members,
            member_form=member_form,
            dnd_form=dnd_form,
        ),
    )
