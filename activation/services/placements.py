"""Placements (jobs and training placements) and the follow-ups at 3, 6 and 12 months."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as NumberError
from stdnum.pl import nip

from activation import access
from activation.dates import add_months
from activation.models import (
    EMPLOYED_ANSWERS,
    FOLLOW_UP_MONTHS,
    ContractType,
    Enrolment,
    FollowUp,
    FollowUpAnswer,
    HousingSituation,
    Placement,
    PlacementEndReason,
    PlacementKind,
    WageBand,
)
from activation.services._common import choice, log, refuse_future, save
from audit.purposes import Purpose
from cases.models import Client
from privacy.restriction import require_processing_allowed


def _hours(value) -> Decimal | None:
    """Hours a week: empty, or more than 0 and at most 84 (seven twelve-hour days)."""
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        hours = Decimal("-1")
    if not Decimal("0") < hours <= Decimal("84"):
        raise ValidationError(_("Hours a week must be more than 0 and at most 84."), code="hours")
    return hours


def _employer_nip(value: str) -> str:
    """An employer's NIP, checked (check digit) and stored in its compact form."""
    if not value.strip():
        return ""
    try:
        return nip.validate(value)
    except NumberError:
        raise ValidationError(_("This NIP is not valid."), code="nip") from None


def placement_start(
    *,
    by,
    client: Client,
    kind: str,
    started_on: datetime.date,
    contract_type: str,
    wage_band: str,
    employer_organisation=None,
    employer_name: str = "",
    employer_nip: str = "",
    hours_per_week=None,
    enrolment: Enrolment | None = None,
    external_ref: str = "",
    request=None,
) -> Placement:
    """Record that a client started a job or a training placement, and schedule its follow-ups
    at 3, 6 and 12 calendar months (the day clipped to the month's end)."""
    if not access.may_record_placement(by, client):
        raise PermissionDenied(_("You may not record placements of this person."))
    # Restricted (art. 18 GDPR): no new processing of the person.
    require_processing_allowed(client.pk)
    choice(kind, PlacementKind, _("Choose the kind of placement from the list."))
    choice(contract_type, ContractType, _("Choose the kind of contract from the list."))
    choice(wage_band, WageBand, _("Choose the pay band from the list."))
    refuse_future(started_on, _("Record a placement once it has started."))
    employer_name = employer_name.strip()
    # An employer of the cluster or an outside one by name: exactly one of the two.
    if (employer_organisation is None) == (not employer_name):
        raise ValidationError(
            _("Choose an organisation of the cluster or enter an outside employer's name."),
            code="employer",
        )
    if employer_organisation is not None and employer_nip.strip():
        raise ValidationError(_("A NIP is entered only for an outside employer."), code="nip")
    if enrolment is not None and enrolment.client_id != client.pk:
        raise ValidationError(_("This enrolment is another person's."), code="enrolment")
    placement = Placement(
        client=client,
        kind=kind,
        employer_organisation=employer_organisation,
        employer_name=employer_name,
        employer_nip=_employer_nip(employer_nip),
        enrolment=enrolment,
        started_on=started_on,
        hours_per_week=_hours(hours_per_week),
        contract_type=contract_type,
        wage_band=wage_band,
        recorded_by=by,
        external_ref=external_ref.strip(),
    )
    with transaction.atomic():
        save(placement, by=by, reason="placement_start")
        for months in FOLLOW_UP_MONTHS:
            follow_up = FollowUp(
                placement=placement,
                client=client,
                months=months,
                due_on=add_months(started_on, months),
            )
            save(follow_up, by=by, reason="placement_start")
        log(
            by=by, action="create", subject_id=client.pk, purpose=Purpose.PLACEMENT, request=request
        )
    return placement


def placement_end(
    *,
    by,
    placement: Placement,
    ended_on: datetime.date,
    end_reason: str,
    note: str = "",
    request=None,
) -> Placement:
    """Record the end of a placement (its last day) and why. Its follow-ups stay on the list:
    they ask whether the person still works, here or elsewhere."""
    if not access.may_record_placement(by, placement.client):
        raise PermissionDenied(_("You may not record placements of this person."))
    require_processing_allowed(placement.client_id)
    choice(end_reason, PlacementEndReason, _("Choose why the placement ended."))
    refuse_future(ended_on, _("A placement cannot end in the future."))
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        if placement.ended_on is not None:
            raise ValidationError(_("This placement has already ended."), code="ended")
        if ended_on < placement.started_on:
            raise ValidationError(
                _("A placement cannot end before it started (%(date)s).")
                % {"date": formats.date_format(placement.started_on, "DATE_FORMAT")},
                code="date_order",
            )
        placement.ended_on = ended_on
        placement.end_reason = end_reason
        placement.end_note = note.strip()
        save(placement, by=by, reason="placement_end")
        log(
            by=by,
            action="update",
            subject_id=placement.client_id,
            purpose=Purpose.PLACEMENT,
            request=request,
        )
    return placement


def followup_answer(
    *,
    by,
    follow_up: FollowUp,
    answered_on: datetime.date,
    answer: str,
    hours_per_week=None,
    housing: str = "",
    note: str = "",
    request=None,
) -> FollowUp:
    """Record the answer of a follow-up: employed (same or other employer, with hours),
    not employed, or unreachable ("could not reach" is an answer, counted as such).

    The housing situation is asked of everyone reached; answering again corrects the answer
    (the history keeps the first one).
    """
    if not access.may_answer_follow_up(by, follow_up):
        raise PermissionDenied(_("You may not record follow-ups of this person."))
    require_processing_allowed(follow_up.client_id)
    choice(answer, FollowUpAnswer, _("Choose the answer from the list."))
    refuse_future(answered_on, _("A follow-up cannot be answered in the future."))
    hours = _hours(hours_per_week)
    if hours is not None and answer not in EMPLOYED_ANSWERS:
        raise ValidationError(
            _("Hours a week are recorded only for someone in work."), code="hours"
        )
    if answer == FollowUpAnswer.UNREACHABLE:
        if housing:
            raise ValidationError(
                _("Nobody was reached, so the housing situation is not known."), code="housing"
            )
    else:
        choice(housing, HousingSituation, _("Choose the housing situation from the list."))
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update().select_related("placement").get(pk=follow_up.pk)
        )
        if answered_on < follow_up.placement.started_on:
            raise ValidationError(
                _("A follow-up cannot be answered before the placement started (%(date)s).")
                % {"date": formats.date_format(follow_up.placement.started_on, "DATE_FORMAT")},
                code="date_order",
            )
        reason = "followup_correct" if follow_up.is_answered else "followup_answer"
        follow_up.answered_on = answered_on
        follow_up.answer = answer
        follow_up.hours_per_week = hours
        follow_up.housing = housing
        follow_up.note = note.strip()
        follow_up.answered_by = by
        save(follow_up, by=by, reason=reason)
        log(
            by=by,
            action="update",
            subject_id=follow_up.client_id,
            purpose=Purpose.FOLLOW_UP,
            request=request,
        )
    return follow_up
