from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from audit.services import access_log_write
from cases import selectors, services
from cases.access import clients_visible_to, get_client_for_user
from cases.forms import ClientForm, ClientSearchForm


@require_GET
@role_required(Role.SOCIAL_WORKER)
def caseload(request):
    clients = clients_visible_to(request.user).with_keys()
    return render(request, "cases/caseload.html", {"clients": clients})


@role_required(Role.SOCIAL_WORKER)
def client_search(request):
    """Search by POST only: the terms (a PESEL, a name) never appear in a URL or a log."""
    form = ClientSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        found = selectors.client_search(**form.cleaned_data)
        visible = set(
            clients_visible_to(request.user)
            .filter(pk__in=[c.pk for c in found])
            .values_list("pk", flat=True)
        )
        results = [{"client": c, "visible": c.pk in visible} for c in found]
        for client in found:
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
            return redirect("cases:client-detail", client_id=client.pk)
    return render(request, "cases/client_form.html", {"form": form, "creating": True})


@require_GET
@role_required(Role.SOCIAL_WORKER)
def client_detail(request, client_id):
    client = get_client_for_user(request.user, client_id, request=request)
    return render(request, "cases/client_detail.html", {"client": client})


@role_required(Role.SOCIAL_WORKER)
def client_edit(request, client_id):
    client = get_client_for_user(request.user, client_id, write=True, request=request)
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
            return redirect("cases:client-detail", client_id=client.pk)
    return render(
        request, "cases/client_form.html", {"form": form, "creating": False, "client": client}
    )


@require_GET
@role_required(Role.SOCIAL_WORKER)
def client_history(request, client_id):
    client = get_client_for_user(request.user, client_id, request=request, purpose="history")
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
