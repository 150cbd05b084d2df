"""Trades, programmes and cohorts: written by the manager of the organisation running them."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from activation import access
from activation.models import Cohort, CohortCoach, Programme, ProgrammeKind, Trade
from activation.services._common import choice, save

PROGRAMME_FIELDS = {"name", "kind", "trade", "leads_to", "is_active", "external_ref"}
COHORT_FIELDS = {"name", "starts_on", "ends_on", "capacity", "place", "lead_coach", "external_ref"}


def _require_manager(by, organisation_id) -> None:
    if not access.manages_organisation(by, organisation_id):
        raise PermissionDenied(_("Only the manager of the organisation running it may do this."))


def _require_coach(user) -> None:
    """Attendance is taken by active job coaches only."""
    if user is None or not user.is_active or not user.has_role(Role.JOB_COACH):
        raise ValidationError(_("Choose an active job coach."), code="not_a_coach")


def _check_workshop(programme: Programme) -> None:
    choice(programme.kind, ProgrammeKind, _("Choose the kind of programme from the list."))
    if programme.kind == ProgrammeKind.WORKSHOP and programme.trade is None:
        raise ValidationError(_("A workshop needs the trade it teaches."), code="trade")


def trade_create(*, by, name: str, code: str = "") -> Trade:
    """Add a trade to the list workshops choose from (any manager extends the shared list)."""
    if not (by.is_active and by.has_role(Role.MANAGER)):
        raise PermissionDenied(_("Only a manager may extend the list of trades."))
    name = name.strip()
    trade = Trade(name=name, code=code or slugify(name.replace("ł", "l").replace("Ł", "L")))
    with transaction.atomic():
        save(trade, by=by, reason="trade_create")
    return trade


def programme_create(
    *,
    by,
    name: str,
    kind: str,
    trade: Trade | None = None,
    leads_to: str = "",
    external_ref: str = "",
    organisation=None,
) -> Programme:
    """Start a programme of the manager's organisation (a workshop names its trade)."""
    organisation_id = organisation.pk if organisation is not None else by.organisation_id
    _require_manager(by, organisation_id)
    programme = Programme(
        organisation_id=organisation_id,
        name=name.strip(),
        kind=kind,
        trade=trade,
        leads_to=leads_to.strip(),
        external_ref=external_ref.strip(),
        created_by=by,
    )
    _check_workshop(programme)
    with transaction.atomic():
        save(programme, by=by, reason="programme_create")
    return programme


def programme_update(*, by, programme: Programme, **changes) -> Programme:
    """Change a programme's name, kind, trade, what it leads to, or whether it runs."""
    unknown = set(changes) - PROGRAMME_FIELDS
    if unknown:
        raise TypeError(f"programme_update got unknown fields {sorted(unknown)}")
    _require_manager(by, programme.organisation_id)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        # A programme that pays the allowance keeps its kind: its months and rules depend on it.
        changes_kind = "kind" in changes and changes["kind"] != programme.kind
        if changes_kind and programme.is_cis and programme.enrolments.exists():
            raise ValidationError(_("A CIS with participants cannot change its kind."), code="kind")
        for name, value in changes.items():
            setattr(programme, name, value.strip() if isinstance(value, str) else value)
        _check_workshop(programme)
        save(programme, by=by, reason="programme_update")
    return programme


def _check_cohort(cohort: Cohort) -> None:
    _require_coach(cohort.lead_coach)
    if cohort.ends_on is not None and cohort.ends_on < cohort.starts_on:
        raise ValidationError(_("A cohort cannot end before it starts."), code="dates")
    if cohort.capacity is None or cohort.capacity < 1:
        raise ValidationError(_("A cohort needs at least one place."), code="capacity")


def cohort_create(
    *,
    by,
    programme: Programme,
    name: str,
    starts_on: datetime.date,
    capacity: int,
    lead_coach,
    ends_on: datetime.date | None = None,
    place: str = "",
    coaches=(),
    external_ref: str = "",
) -> Cohort:
    """Open a cohort of a programme, with the job coach in charge and coaches who take
    attendance."""
    _require_manager(by, programme.organisation_id)
    cohort = Cohort(
        programme=programme,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        place=place.strip(),
        lead_coach=lead_coach,
        external_ref=external_ref.strip(),
    )
    _check_cohort(cohort)
    with transaction.atomic():
        save(cohort, by=by, reason="cohort_create")
        for coach in coaches:
            _add_coach(by=by, cohort=cohort, coach=coach)
    return cohort


def cohort_update(*, by, cohort: Cohort, **changes) -> Cohort:
    """Change a cohort's dates, places, where it meets or the coach in charge."""
    unknown = set(changes) - COHORT_FIELDS
    if unknown:
        raise TypeError(f"cohort_update got unknown fields {sorted(unknown)}")
    _require_manager(by, cohort.programme.organisation_id)
    with transaction.atomic():
        cohort = (
            Cohort.objects.select_for_update(of=("self",))
            .select_related("programme")
            .get(pk=cohort.pk)
        )
        for name, value in changes.items():
            setattr(cohort, name, value.strip() if isinstance(value, str) else value)
        _check_cohort(cohort)
        # Fewer places than the people already holding one would leave someone without theirs.
        holding = cohort.enrolments.filter(status__in=["accepted", "active", "suspended"]).count()
        if cohort.capacity < holding:
            raise ValidationError(
                ngettext(
                    "%(count)s person already holds a place in this cohort.",
                    "%(count)s people already hold a place in this cohort.",
                    holding,
                )
                % {"count": holding},
                code="capacity",
            )
        save(cohort, by=by, reason="cohort_update")
    return cohort


def _add_coach(*, by, cohort: Cohort, coach) -> CohortCoach:
    _require_coach(coach)
    link = CohortCoach(cohort=cohort, coach=coach, added_by=by)
    try:
        with transaction.atomic():
            save(link, by=by, reason="cohort_coach_add")
    except (IntegrityError, ValidationError) as error:
        if CohortCoach.objects.filter(cohort=cohort, coach=coach).exists():
            raise ValidationError(
                _("This coach already takes the cohort's attendance."), code="duplicate"
            ) from None
        raise error
    return link


def cohort_coach_add(*, by, cohort: Cohort, coach) -> CohortCoach:
    """Let another job coach take the cohort's attendance."""
    _require_manager(by, cohort.programme.organisation_id)
    with transaction.atomic():
        return _add_coach(by=by, cohort=cohort, coach=coach)


def cohort_coach_remove(*, by, cohort: Cohort, coach) -> None:
    """The coach no longer takes the cohort's attendance (the history keeps that they did)."""
    _require_manager(by, cohort.programme.organisation_id)
    with transaction.atomic():
        link = CohortCoach.objects.filter(cohort=cohort, coach=coach).first()
        if link is None:
            raise ValidationError(_("This coach does not take the cohort's attendance."))
        link._change_reason = "cohort_coach_remove"
        link._history_user = by
        link.delete()
