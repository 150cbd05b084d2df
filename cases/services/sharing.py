"""Consent, referrals to partners, and documents."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import reach
from accounts.reach import Part
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.record import record
from cases.access import require_change
from cases.models import REFERRAL_CONSENTS, Client, Consent, Document, Referral
from privacy.files import file_store

Action = AccessLogEntry.Action


def consent_holds(*, client_id, purposes, partner_id, on=None) -> bool:
    """Whether a consent for one of `purposes` with this partner is in force on the day."""
    day = on or timezone.localdate()
    return (
        Consent.objects.filter(
            client_id=client_id, purpose__in=purposes, partner_id=partner_id, given_on__lte=day
        )
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        .exists()
    )


def consent_record(
    *,
    by,
    client: Client,
    purpose,
    legal_basis,
    given_on,
    partner=None,
    signed_form=None,
    request=None,
) -> Consent:
    """Record a consent the client gave (with its signed form, when there is one)."""
    require_change(by, client.pk)
    if signed_form is not None and signed_form.client_id != client.pk:
        raise ValidationError(_("The signed form must be one of this client's documents."))
    consent = Consent(
        client=client,
        purpose=purpose,
        legal_basis=legal_basis,
        given_on=given_on,
        partner=partner,
        signed_form=signed_form,
        recorded_by=by,
    )
    with transaction.atomic():
        record(
            consent,
            by=by,
            reason="consent_record",
            subject_id=client.pk,
            purpose=Purpose.CONSENT,
            request=request,
        )
    return consent


def consent_withdraw(*, by, consent: Consent, request=None) -> Consent:
    """Withdraw a consent today: sharing that relied on it stops with this request."""
    # A withdrawal stops processing: allowed while processing is restricted (art. 18 GDPR).
    require_change(by, consent.client_id, starts_processing=False)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    with transaction.atomic():
        consent.withdrawn_on = timezone.localdate()
        record(
            consent,
            by=by,
            reason="consent_withdraw",
            subject_id=consent.client_id,
            purpose=Purpose.CONSENT_WITHDRAW,
            request=request,
        )
    return consent


def referral_send(
    *, by, client: Client, partner, service: str, summary: str, request=None
) -> Referral:
    """Refer a client to a partner's service; refused without the client's consent."""
    require_change(by, client.pk)
    if not consent_holds(client_id=client.pk, purposes=REFERRAL_CONSENTS, partner_id=partner.pk):
        raise ValidationError(
            _("The client has not consented to sharing with this partner: record consent first.")
        )
    referral = Referral(
        client=client,
        partner=partner,
        service=service,
        summary=summary,
        sent_on=timezone.localdate(),
        created_by=by,
    )
    with transaction.atomic():
        record(
            referral,
            by=by,
            reason="referral_send",
            subject_id=client.pk,
            action=Action.EXPORT,
            purpose=Purpose.REFERRAL,
            request=request,
        )
    return referral


def referral_decide(*, by, referral: Referral, status: str, reason: str = "", request=None):
    """The partner accepts, declines (with a reason) or completes a referral sent to them."""
    # The partner it was sent to, reaching the client through the rule book (consent holds).
    if (
        not by.has_role(Role.PARTNER)
        or by.organisation_id != referral.partner_id
        or not reach.may_change(by, referral.client_id, Part.REFERRAL)
    ):
        raise PermissionDenied(_("Only the partner this referral was sent to decides on it."))
    allowed = {
        Referral.Status.SENT: {Referral.Status.ACCEPTED, Referral.Status.DECLINED},
        Referral.Status.ACCEPTED: {Referral.Status.COMPLETED, Referral.Status.DECLINED},
    }
    if status not in allowed.get(referral.status, set()):
        raise ValidationError(_("This referral cannot change that way."))
    if status == Referral.Status.DECLINED and len(reason.strip()) < 3:
        raise ValidationError(_("Give a reason for declining."))
    with transaction.atomic():
        referral.status = status
        if status == Referral.Status.COMPLETED:
            referral.completed_on = timezone.localdate()
        else:
            referral.decided_on = timezone.localdate()
        if status == Referral.Status.DECLINED:
            referral.decline_reason = reason.strip()
        record(
            referral,
            by=by,
            reason=f"referral_{status}",
            subject_id=referral.client_id,
            purpose=Purpose.REFERRAL_DECISION,
            request=request,
        )
    return referral


def document_upload(
    *, by, client: Client, kind: str, title: str, content: bytes, request=None
) -> Document:
    """Store a scan encrypted under the client's key; the type is checked by content, not name.

    A medical or other special-category kind is a change of the sensitive part.
    """
    require_change(by, client.pk)
    if kind in Document.SENSITIVE_KINDS:
        require_change(by, client.pk, Part.SENSITIVE)
    content_type = sniff_document_type(content)
    if content_type is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files can be uploaded."))
    if len(content) > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).")
            % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    with transaction.atomic():
        stored = file_store(
            subject=client.subject, content=content, label="document", content_type=content_type
        )
        document = Document(client=client, kind=kind, title=title, file=stored, uploaded_by=by)
        record(
            document,
            by=by,
            reason="document_upload",
            subject_id=client.pk,
            action=Action.CREATE,
            purpose=Purpose.DOCUMENT,
            request=request,
        )
    return document


def sniff_document_type(content: bytes) -> str | None:
    """The MIME type told by the file's first bytes (its magic number), or None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None
