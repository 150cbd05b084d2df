"""Consents, referrals and documents of a file."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.purposes import Purpose
from cases import services
from cases.access import documents_visible_to, get_client_access
from cases.forms import ConsentForm, DocumentForm, ReferralForm
from cases.models import Consent, Referral
from cases.views.common import error_text, file_context
from cases.wording import days_waiting
from privacy.files import file_read


@role_required(Role.SOCIAL_WORKER)
def consents(request, client_id):
    writing = request.method == "POST"
    access = get_client_access(
        request.user, client_id, write=writing, request=request, purpose=Purpose.CONSENTS
    )
    client = access.client
    form = ConsentForm(request.POST or None, client=client)
    if writing and form.is_valid():
        services.consent_record(
            by=request.user, client=client, request=request, **form.cleaned_data
        )
        messages.success(request, _("The consent has been recorded."))
        return redirect("cases:consents", client_id=client.pk)
    items = client.consents.select_related("partner", "signed_form")
    return render(request, "cases/consents.html", file_context(access, consents=items, form=form))


@require_POST
@role_required(Role.SOCIAL_WORKER)
def consent_withdraw(request, client_id, consent_id):
    access = get_client_access(
        request.user,
        client_id,
        write=True,
        request=request,
        purpose=Purpose.CONSENTS,
        starts_processing=False,
    )
    consent = get_object_or_404(Consent, pk=consent_id, client=access.client)
    try:
        services.consent_withdraw(by=request.user, consent=consent, request=request)
        messages.success(request, _("The consent has been withdrawn; sharing stops now."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("cases:consents", client_id=access.client.pk)


@role_required(Role.SOCIAL_WORKER)
def referrals(request, client_id):
    writing = request.method == "POST"
    access = get_client_access(
        request.user, client_id, write=writing, request=request, purpose=Purpose.REFERRALS
    )
    client = access.client
    form = ReferralForm(request.POST or None)
    if writing and form.is_valid():
        try:
            services.referral_send(
                by=request.user, client=client, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error("partner", error)
        else:
            messages.success(request, _("The referral has been sent."))
            return redirect("cases:referrals", client_id=client.pk)
    items = list(client.referrals.select_related("partner").with_keys())
    today = timezone.localdate()
    for referral in items:
        referral.waiting = (
            days_waiting(referral.sent_on, today) if referral.status == Referral.Status.SENT else ""
        )
    return render(request, "cases/referrals.html", file_context(access, referrals=items, form=form))


@role_required(Role.SOCIAL_WORKER)
def documents(request, client_id):
    """The file's documents (special-category kinds only for the sensitive part's readers);
    a POST uploads a scan."""
    writing = request.method == "POST"
    access = get_client_access(
        request.user, client_id, write=writing, request=request, purpose=Purpose.DOCUMENTS
    )
    client = access.client
    form = DocumentForm(request.POST or None, request.FILES or None)
    if writing and form.is_valid():
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
    items = documents_visible_to(access).select_related("file", "uploaded_by")
    return render(request, "cases/documents.html", file_context(access, documents=items, form=form))


@require_GET
@role_required(Role.SOCIAL_WORKER)
def document_download(request, client_id, document_id):
    access = get_client_access(request.user, client_id, request=request, purpose=Purpose.DOCUMENT)
    document = documents_visible_to(access).select_related("file").filter(pk=document_id).first()
    # Another client's document, or a special-category one for an emergency reader: missing.
    if document is None:
        raise Http404
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
