"""Enrolment of a client into a cohort, and its changes of status along the allowed paths.

applied → accepted → active ⇄ suspended → completed; dropped out from any live status;
refused while applied or accepted. Each change is dated (not in the future, not in a closed
allowance month of a CIS), saved with a history reason and logged against the client.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activation import access
from activation.dates import add_months
from activation.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    EnrolmentSuspension,
    LeavingReason,
)
from activation.services._common import (
    choice,
    log,
    refuse_closed_month,
    refuse_future,
    save,
    today,
)
from audit.purposes import Purpose
from cases.models import Client
from privacy.restriction import require_processing_allowed

S = EnrolmentStatus
# The allowed changes of status: from → the statuses it may become.
TRANSITIONS = {
    S.APPLIED: {S.ACCEPTED, S.REFUSED, S.DROPPED_OUT},
    S.ACCEPTED: {S.ACTIVE, S.REFUSED, S.DROPPED_OUT},
    S.ACTIVE: {S.SUSPENDED, S.COMPLETED, S.DROPPED_OUT},
    S.SUSPENDED: {S.ACTIVE, S.DROPPED_OUT},
    S.COMPLETED: set(),
    S.DROPPED_OUT: set(),
    S.REFUSED: set(),
}
# People holding a place in a cohort (its capacity counts them).
HOLDING_PLACE = (S.ACCEPTED, S.ACTIVE, S.SUSPENDED)
# Partner sharing: the consent purposes that allow the client to be enrolled with a partner.
PARTNER_CONSENTS = ("share_partner", "referral")


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def enrolment_create(
    *,
    by,
    client: Client,
    cohort: Cohort,
    applied_on: datetime.date | None = None,
    external_ref: str = "",
    request=None,
) -> Enrolment:
    """Apply for a place in a cohort on the client's behalf (status `applied`).

    Asked by the client's social worker or a coach of the cohort. Where another organisation
    than the one holding the file runs the programme, the client's consent to share with it must
    hold. One live enrolment of a client per cohort.
    """
    if not access.may_enrol(by, client, cohort):
        raise PermissionDenied(_("You may not enrol this person in this cohort."))
    # Restricted (art. 18 GDPR): no new processing of the person.
    require_processing_allowed(client.pk)
    from cases.services import consent_holds

    applied_on = applied_on or today()
    refuse_future(applied_on, _("An application cannot be dated in the future."))
    programme = cohort.programme
    if not programme.is_active:
        raise ValidationError(_("This programme no longer runs."), code="not_running")
    if cohort.ends_on is not None and cohort.ends_on < applied_on:
        raise ValidationError(_("This cohort has already ended."), code="cohort_ended")
    needs_consent = access.partner_consent_needed(client, programme)
    if needs_consent and not consent_holds(
        client_id=client.pk,
        purposes=PARTNER_CONSENTS,
        partner_id=programme.organisation_id,
        on=applied_on,
    ):
        raise ValidationError(
            _(
                "Another organisation runs this programme: record the client's consent to "
                "share with it first."
            ),
            code="consent",
        )
    with transaction.atomic():
        # The client's row is the lock that serialises two enrolments of the same person.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        if Enrolment.objects.live().filter(client=client, cohort=cohort).exists():
            raise ValidationError(
                _("This person is already enrolled in this cohort."), code="duplicate"
            )
        enrolment = Enrolment(
            client=client,
            programme=programme,
            cohort=cohort,
            status=S.APPLIED,
            applied_on=applied_on,
            enrolled_by=by,
            external_ref=external_ref.strip(),
        )
        try:
            with transaction.atomic():
                save(enrolment, by=by, reason="enrolment_create")
        except IntegrityError:
            raise ValidationError(
                _("This person is already enrolled in this cohort."), code="duplicate"
            ) from None
        log(
            by=by, action="create", subject_id=client.pk, purpose=Purpose.ENROLMENT, request=request
        )
    return enrolment


def _may_set(by, enrolment: Enrolment, status: str) -> bool:
    # Dropping out may also be recorded by the social worker; the rest is the programme's call.
    if status == S.DROPPED_OUT:
        return access.may_withdraw_enrolment(by, enrolment)
    return access.may_decide_enrolment(by, enrolment)


def _may_change(by, enrolment: Enrolment, status: str) -> None:
    if not _may_set(by, enrolment, status):
        raise PermissionDenied(_("You may not change this enrolment."))


def statuses_open_to(by, enrolment: Enrolment) -> set[str]:
    """The statuses `by` may move the enrolment to now: the page offers these and no other
    (the same rule enrolment_set_status applies)."""
    return {status for status in TRANSITIONS[enrolment.status] if _may_set(by, enrolment, status)}


def _not_before(on: datetime.date, earlier: datetime.date | None, message: str) -> None:
    if earlier is not None and on < earlier:
        raise ValidationError(message % {"date": _date(earlier)}, code="date_order")


def enrolment_set_status(
    *,
    by,
    enrolment: Enrolment,
    status: str,
    on: datetime.date,
    leaving_reason: str = "",
    note: str = "",
    request=None,
) -> Enrolment:
    """Move an enrolment to `status` on the day `on`, if the path allows it.

    - accepted: holds a place (refused when the cohort is full);
    - active: participation starts (a CIS's trial month runs to the same date a month later,
      art. 112 of the civil code, as the ministry reads the act);
    - suspended: a suspension starts on `on` (with an optional note);
    - active again: the open suspension ends the day before `on`;
    - completed / dropped out: `on` is the last day of participation; dropping out needs a
      reason code (and may carry a note);
    - refused: `on` is the day of the refusal (an optional note says why).
    """
    choice(status, EnrolmentStatus, _("Choose the new status from the list."))
    _may_change(by, enrolment, status)
    refuse_future(on, _("A change of status cannot be dated in the future."))
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("programme", "cohort")
            .get(pk=enrolment.pk)
        )
        current = enrolment.status
        if status not in TRANSITIONS[current]:
            raise ValidationError(
                _("An enrolment that is “%(current)s” cannot become “%(new)s”.")
                % {"current": S(current).label, "new": S(status).label},
                code="transition",
            )
        refuse_closed_month(enrolment.programme, on)
        if status != S.DROPPED_OUT and leaving_reason:
            raise ValidationError(_("Only a drop-out has a reason code."), code="reason")
        handler = {
            S.ACCEPTED: _accept,
            S.REFUSED: _refuse,
            S.ACTIVE: _resume if current == S.SUSPENDED else _start,
            S.SUSPENDED: _suspend,
            S.COMPLETED: _complete,
            S.DROPPED_OUT: _drop_out,
        }[status]
        handler(by=by, enrolment=enrolment, on=on, leaving_reason=leaving_reason, note=note)
        enrolment.status = status
        save(enrolment, by=by, reason=f"enrolment_{status}")
        log(by=by, action="update", subject_id=enrolment.client_id, purpose=Purpose.ENROLMENT)
    return enrolment


def _accept(*, by, enrolment: Enrolment, on, **_ignored) -> None:
    _not_before(
        on, enrolment.applied_on, _("Acceptance cannot come before the application (%(date)s).")
    )
    cohort = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
    holding = cohort.enrolments.filter(status__in=HOLDING_PLACE).count()
    if holding >= cohort.capacity:
        raise ValidationError(
            ngettext(
                "The cohort is full (%(count)s place).",
                "The cohort is full (%(count)s places).",
                cohort.capacity,
            )
            % {"count": cohort.capacity},
            code="capacity",
        )
    enrolment.accepted_on = on


def _refuse(*, by, enrolment: Enrolment, on, note, **_ignored) -> None:
    _not_before(
        on,
        enrolment.accepted_on or enrolment.applied_on,
        _("The refusal cannot come before %(date)s."),
    )
    enrolment.ended_on = on
    enrolment.reason_note = note.strip()


def _start(*, by, enrolment: Enrolment, on, **_ignored) -> None:
    _not_before(
        on, enrolment.accepted_on, _("Participation cannot start before the acceptance (%(date)s).")
    )
    cohort = enrolment.cohort
    if cohort is not None:
        _not_before(
            on, cohort.starts_on, _("Participation cannot start before the cohort (%(date)s).")
        )
        if cohort.ends_on is not None and on > cohort.ends_on:
            raise ValidationError(_("This cohort has already ended."), code="cohort_ended")
    enrolment.started_on = on
    # A CIS's first month of participation is its trial period (art. 15 of the act).
    enrolment.trial_ends_on = add_months(on, 1) if enrolment.programme.is_cis else None


def _open_suspension(enrolment: Enrolment) -> EnrolmentSuspension | None:
    return (
        EnrolmentSuspension.objects.select_for_update()
        .filter(enrolment=enrolment, ends_on__isnull=True)
        .first()
    )


def _suspend(*, by, enrolment: Enrolment, on, note, **_ignored) -> None:
    _not_before(
        on, enrolment.started_on, _("A suspension cannot start before participation (%(date)s).")
    )
    last = enrolment.suspensions.order_by("-starts_on").first()
    if last is not None and last.ends_on is not None and on <= last.ends_on:
        raise ValidationError(
            _("A suspension cannot start before the previous one ended (%(date)s).")
            % {"date": _date(last.ends_on)},
            code="date_order",
        )
    suspension = EnrolmentSuspension(
        enrolment=enrolment,
        client_id=enrolment.client_id,
        starts_on=on,
        note=note.strip(),
        created_by=by,
    )
    save(suspension, by=by, reason="enrolment_suspend")


def _resume(*, by, enrolment: Enrolment, on, **_ignored) -> None:
    suspension = _open_suspension(enrolment)
    if suspension is None or on <= suspension.starts_on:
        raise ValidationError(
            _("Participation resumes after the suspension began (%(date)s).")
            % {"date": _date(suspension.starts_on if suspension else on)},
            code="date_order",
        )
    suspension.ends_on = on - datetime.timedelta(days=1)
    save(suspension, by=by, reason="enrolment_resume")


def _complete(*, by, enrolment: Enrolment, on, **_ignored) -> None:
    _not_before(
        on, enrolment.started_on, _("Participation cannot end before it started (%(date)s).")
    )
    enrolment.ended_on = on


def _drop_out(*, by, enrolment: Enrolment, on, leaving_reason, note, **_ignored) -> None:
    choice(leaving_reason, LeavingReason, _("Choose why the person dropped out."))
    _not_before(
        on,
        enrolment.started_on or enrolment.accepted_on or enrolment.applied_on,
        _("Dropping out cannot come before %(date)s."),
    )
    suspension = _open_suspension(enrolment)
    if suspension is not None:
        # The suspension ends with the enrolment.
        suspension.ends_on = max(on, suspension.starts_on)
        save(suspension, by=by, reason="enrolment_drop_out")
    enrolment.ended_on = on
    enrolment.leaving_reason = leaving_reason
    enrolment.reason_note = note.strip()


def enrolment_ipzs_start(*, by, enrolment: Enrolment, request=None):
    """Start the IPZS of a CIS participant: a draft plan of kind "ipzs" in the case file (the
    plan machinery of cases: goals, steps, reviews, approval, the PDF), linked to the enrolment.

    Written by the social worker who may change the file (cases.services.plan_create asks the
    rule book); one IPZS per enrolment (a new version of it is made on the plan's page).
    """
    from cases.models import Plan
    from cases.services import plan_create

    if not enrolment.programme.is_cis:
        raise ValidationError(_("Only a CIS participant has an IPZS."), code="not_cis")
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment.pk)
        if enrolment.ipzs_id is not None:
            raise ValidationError(_("This enrolment already has its IPZS."), code="duplicate")
        plan = plan_create(
            by=by,
            client=enrolment.client,
            kind=Plan.Kind.IPZS,
            starts_on=today(),
            request=request,
        )
        enrolment.ipzs = plan
        save(enrolment, by=by, reason="enrolment_ipzs")
    return plan
