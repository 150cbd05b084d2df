"""The file: overview with notes, timeline, intake form, history of changes, closing."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.reach import Part
from accounts.roles import Role
from audit.purposes import Purpose
from cases import services
from cases.access import get_client_access, notes_visible_to
from cases.forms import ClientForm, CloseCaseForm, NoteForm
from cases.models import MULTIPLE_CHOICES, Client
from cases.pathway import pathway_recompute
from cases.rows import note_rows, timeline_rows
from cases.timeline import client_timeline
from cases.views.common import error_text, file_context

NOTES_PER_PAGE = 50


@role_required(Role.SOCIAL_WORKER)
def client_detail(request, client_id):
    """The overview: facts and notes, newest first; a POST adds a note."""
    writing = request.method == "POST"
    access = get_client_access(request.user, client_id, write=writing, request=request)
    form = NoteForm(request.POST or None, sensitive=access.may_change(Part.SENSITIVE))
    if writing and form.is_valid():
        services.note_add(
            by=request.user, client=access.client, request=request, **form.cleaned_data
        )
        messages.success(request, _("The note has been added."))
        return redirect("cases:client-detail", client_id=access.client.pk)
    # The newest notes first, NOTES_PER_PAGE at a time: a file of many years stays quick to open
    # (and to scroll on a phone); older notes are a page further, the timeline lists them all.
    page = Paginator(notes_visible_to(access), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    notes = note_rows(page.object_list, client_id=access.client.pk, can_write=access.can_write)
    context = file_context(
        access, notes=notes, notes_page=page, note_form=form, close_form=CloseCaseForm()
    )
    return render(request, "cases/client_detail.html", context)


@require_GET
@role_required(Role.SOCIAL_WORKER)
def client_timeline_page(request, client_id):
    """Everything that happened in a file, newest first: intake, assessments, plans, notes..."""
    access = get_client_access(request.user, client_id, request=request, purpose=Purpose.TIMELINE)
    # The ladder is derived on reading too (a night's stay is on it the next morning).
    pathway_recompute(client=access.client)
    events = timeline_rows(client_timeline(access))
    return render(request, "cases/client_timeline.html", file_context(access, events=events))


@role_required(Role.SOCIAL_WORKER)
def client_edit(request, client_id):
    access = get_client_access(
        request.user, client_id, write=True, request=request, purpose=Purpose.EDIT
    )
    client = access.client
    form = ClientForm(
        request.POST or None, instance=client, sensitive=access.may_change(Part.SENSITIVE)
    )
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


def _shown(name: str, value):
    """A value of the history as a reader knows it: choices by their labels (a list of codes
    as its labels joined), dates in the short format."""
    if value in (None, "", []):
        return ""
    choices = MULTIPLE_CHOICES.get(name) or Client._meta.get_field(name).choices
    if choices:
        labels = dict(choices)
        codes = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(code, code)) for code in codes)
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


@require_GET
@role_required(Role.SOCIAL_WORKER)
def client_history(request, client_id):
    """The file's changes, newest first; the sensitive facts' changes only for their readers."""
    access = get_client_access(request.user, client_id, request=request, purpose=Purpose.HISTORY)
    client = access.client
    hidden = set() if access.sees_sensitive else set(Client.SENSITIVE_FIELDS)
    records = list(client.history.select_related("history_user").order_by("-history_date"))
    changes = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        delta = newer.diff_against(older).changes if older is not None else []
        labelled = [
            {
                "label": client._meta.get_field(c.field).verbose_name,
                "old": _shown(c.field, c.old),
                "new": _shown(c.field, c.new),
            }
            for c in delta
            if c.field not in hidden
        ]
        changes.append({"record": newer, "changes": labelled})
    return render(request, "cases/client_history.html", {"client": client, "changes": changes})


@role_required(Role.SOCIAL_WORKER)
def note_edit(request, client_id, note_id):
    access = get_client_access(request.user, client_id, write=True, request=request)
    note = notes_visible_to(access).filter(pk=note_id).first()
    # Another client's note, or a sensitive one for a way that does not read them: missing.
    if note is None:
        raise Http404
    sensitive = access.may_change(Part.SENSITIVE)
    if note.is_sensitive and not sensitive:
        raise PermissionDenied
    form = NoteForm(request.POST or None, instance=note, sensitive=sensitive)
    if request.method == "POST" and form.is_valid():
        services.note_edit(by=request.user, note=note, request=request, **form.cleaned_data)
        messages.success(request, _("The note has been saved."))
        return redirect("cases:client-detail", client_id=access.client.pk)
    return render(request, "cases/note_form.html", {"form": form, "client": access.client})


@require_POST
@role_required(Role.SOCIAL_WORKER)
def case_close(request, client_id):
    access = get_client_access(
        request.user, client_id, write=True, request=request, purpose=Purpose.CLOSE
    )
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
        messages.error(request, error_text(error))
    return redirect("cases:client-detail", client_id=access.client.pk)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def case_reopen(request, client_id):
    access = get_client_access(
        request.user, client_id, write=True, request=request, purpose=Purpose.REOPEN
    )
    try:
        services.case_reopen(by=request.user, client=access.client, request=request)
        messages.success(request, _("The case has been reopened."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("cases:client-detail", client_id=access.client.pk)
