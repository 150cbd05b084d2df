"""The caseload, finding a person, and registering a new client."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.reach import Part
from accounts.roles import Role
from audit.purposes import Purpose
from audit.services import access_log_write
from cases import access, selectors, services
from cases.forms import ClientForm, ClientSearchForm
from cases.models import PathwayStage
from cases.rows import caseload_rows
from privacy.restriction import restricted_among


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
    access_log_write(actor=request.user, action="view", purpose=Purpose.CASELOAD, request=request)
    todo = selectors.todo_for(request.user)
    return render(
        request,
        "cases/caseload.html",
        {
            "rows": caseload_rows(selectors.by_name(clients)),
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
    """Search by POST only: the terms (a PESEL, a name) never appear in a URL or a log.

    People hiding from someone the worker reaches are left out; a person whose file the
    worker may read is linked, anyone else is shown as known elsewhere (without a name).
    """
    form = ClientSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        found = selectors.client_search(**form.cleaned_data)
        hidden = access.hidden_from(request.user, [c.pk for c in found])
        found = [c for c in found if c.pk not in hidden]
        readable = access.readable_among(request.user, [c.pk for c in found], Part.FILE)
        holders = selectors.current_holders(c.pk for c in found)
        strength = selectors.match_strength(**form.cleaned_data)
        # A restricted person (art. 18 GDPR) is shown as such: nothing new is to be recorded.
        restricted = restricted_among(c.pk for c in found)
        results = []
        for client in found:
            results.append(
                {
                    "client": client,
                    "visible": client.pk in readable,
                    "restricted": client.pk in restricted,
                    "holder": holders.get(client.pk),
                    "strength": strength,
                    "strength_text": selectors.SEARCH_MATCHES[strength],
                }
            )
            access_log_write(
                actor=request.user,
                action="search",
                subject_id=client.pk,
                purpose=Purpose.SEARCH,
                request=request,
                way="search",
            )
        if not found:
            access_log_write(
                actor=request.user, action="search", purpose=Purpose.SEARCH, request=request
            )
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
            return redirect("cases:client-detail", client_id=client.pk)
    return render(request, "cases/client_form.html", {"form": form, "creating": True})
