"""The allowance's configuration, bonuses, closing a month and correcting a closed one.

The dated tables are the managers' to extend (a new base amount each June, a new rule when the
law changes, a centre's own rules). A row may not reach back into a closed month: a closed
list is final, and what changed afterwards is entered as a correction, logged.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from activation import access
from activation.allowance import allowance_for, allowances_for_programme
from activation.dates import month_end, month_start
from activation.models import (
    AllowanceBase,
    AllowanceBonus,
    AllowanceCorrection,
    AllowanceLine,
    AllowanceMonth,
    AllowanceRateRule,
    Enrolment,
    Programme,
    ProgrammeAllowanceRule,
)
from activation.services._common import log, save, today
from audit.purposes import Purpose

RATE_RULE_FIELDS = (
    "trial_month_percent",
    "percent",
    "unexcused_day_divisor",
    "sick_day_divisor",
    "unpaid_day_divisor",
    "sick_paid_days",
    "days_off_max",
    "bonus_cap_percent",
)


def _money(value) -> Decimal:
    """An amount in złoty with at most two decimal places (the grosz), or a clear refusal."""
    try:
        amount = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("Enter an amount in złoty, with at most two decimal places."), code="amount"
        )
    return amount


def _require_any_manager(by) -> None:
    """The base amount and the act's rules are the same for every CIS: any manager keeps them."""
    if not (by.is_active and by.has_role(Role.MANAGER)):
        raise PermissionDenied(_("Only a manager may change the allowance's rules."))


def _require_programme_manager(by, programme: Programme) -> None:
    if not access.may_manage_allowance(by, programme):
        raise PermissionDenied(_("Only the manager of this CIS may do this."))


def _refuse_reaching_closed(valid_from: datetime.date, closed_months) -> None:
    """A rule from `valid_from` would change months already closed: refused."""
    latest = closed_months.order_by("-month").values_list("month", flat=True).first()
    if latest is not None and valid_from <= month_end(latest):
        raise ValidationError(
            _(
                "The months up to %(month)s are closed: a rule may start only after them. "
                "Correct a closed month with a correction entry."
            )
            % {"month": formats.date_format(latest, "YEAR_MONTH_FORMAT")},
            code="closed_month",
        )


def allowance_base_add(
    *, by, valid_from: datetime.date, amount: Decimal, source: str
) -> AllowanceBase:
    """Add the base amount (the unemployment benefit) in force from a day, with its source."""
    _require_any_manager(by)
    amount = _money(amount)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero."), code="amount")
    if not source.strip():
        raise ValidationError(_("Name the source of the amount."), code="source")
    with transaction.atomic():
        _refuse_reaching_closed(valid_from, AllowanceMonth.objects.all())
        if AllowanceBase.objects.filter(valid_from=valid_from).exists():
            raise ValidationError(_("An amount from this day already exists."), code="duplicate")
        base = AllowanceBase(
            valid_from=valid_from, amount=amount, source=source.strip(), created_by=by
        )
        save(base, by=by, reason="allowance_base_add")
    return base


def allowance_rate_rule_add(
    *, by, valid_from: datetime.date, source: str, **rule
) -> AllowanceRateRule:
    """Add the act's rules in force from a day (every figure named, with its source)."""
    _require_any_manager(by)
    missing = set(RATE_RULE_FIELDS) - set(rule)
    unknown = set(rule) - set(RATE_RULE_FIELDS)
    if missing or unknown:
        raise TypeError(f"allowance_rate_rule_add: missing {missing}, unknown {unknown}")
    if not source.strip():
        raise ValidationError(_("Name the source of the rule."), code="source")
    with transaction.atomic():
        _refuse_reaching_closed(valid_from, AllowanceMonth.objects.all())
        if AllowanceRateRule.objects.filter(valid_from=valid_from).exists():
            raise ValidationError(_("A rule from this day already exists."), code="duplicate")
        row = AllowanceRateRule(valid_from=valid_from, source=source.strip(), created_by=by, **rule)
        save(row, by=by, reason="allowance_rate_rule_add")
    return row


def programme_allowance_rule_set(
    *,
    by,
    programme: Programme,
    valid_from: datetime.date,
    forfeit_after_unexcused_days: int | None,
    days_off_limit: int,
    source: str = "",
) -> ProgrammeAllowanceRule:
    """Set a CIS's own rules from a day: the month's allowance lost past N unexcused days
    (None: the centre's regulations have no such rule), and the days off it grants at most."""
    _require_programme_manager(by, programme)
    if days_off_limit is None or days_off_limit < 0:
        raise ValidationError(_("Enter the number of days off granted at most."))
    with transaction.atomic():
        _refuse_reaching_closed(valid_from, programme.closed_months.all())
        row = ProgrammeAllowanceRule.objects.filter(
            programme=programme, valid_from=valid_from
        ).first() or ProgrammeAllowanceRule(programme=programme, valid_from=valid_from)
        row.forfeit_after_unexcused_days = forfeit_after_unexcused_days
        row.days_off_limit = days_off_limit
        row.source = source.strip()
        row.created_by = by
        save(row, by=by, reason="programme_allowance_rule_set")
    return row


def allowance_bonus_set(
    *, by, enrolment: Enrolment, month: datetime.date, amount: Decimal, request=None
) -> AllowanceBonus:
    """Grant (or change, or with 0 withdraw) a participant's motivation bonus for a month.

    Refused in a closed month, in a month that is all trial period, and above the cap of the
    rules in force (art. 15a: a share of the month's allowance).
    """
    _require_programme_manager(by, enrolment.programme)
    first = month_start(month)
    amount = _money(amount)
    if amount < 0:
        raise ValidationError(_("A bonus cannot be negative."), code="negative")
    with transaction.atomic():
        if enrolment.programme.closed_months.filter(month=first).exists():
            raise ValidationError(
                _("This month is closed: change it with a correction entry."),
                code="closed_month",
            )
        breakdown = allowance_for(enrolment, first)
        if breakdown.bonus_cap == 0:
            raise ValidationError(
                _("A bonus is granted only for days of participation after the trial month."),
                code="trial",
            )
        if amount > breakdown.bonus_cap:
            raise ValidationError(
                _("The bonus may be at most %(cap)s PLN this month.")
                % {"cap": formats.number_format(breakdown.bonus_cap, 2)},
                code="cap",
            )
        bonus = AllowanceBonus.objects.filter(enrolment=enrolment, month=first).first()
        bonus = bonus or AllowanceBonus(enrolment=enrolment, month=first)
        bonus.amount = amount
        bonus.granted_by = by
        save(bonus, by=by, reason="allowance_bonus_set")
        log(
            by=by,
            action="update",
            subject_id=enrolment.client_id,
            purpose=Purpose.ALLOWANCE_BONUS,
            request=request,
        )
    return bonus


def allowance_month_close(
    *, by, programme: Programme, month: datetime.date, request=None
) -> AllowanceMonth:
    """Close a CIS's month: its list is computed and kept as it is now, final from here on.

    Refused before the month has ended, when it is already closed, when a rule is missing
    for any day of it (the rule is named), and while any participant has a working day of
    participation with no attendance recorded (no default becomes data: a day nobody recorded
    is never paid, nor docked, by a closed list). The refusal names how many participants, and
    each cohort with its number of days to fill.
    """
    _require_programme_manager(by, programme)
    first = month_start(month)
    if month_end(first) >= today():
        raise ValidationError(_("A month can be closed once it has ended."), code="not_ended")
    with transaction.atomic():
        # One closing at a time per programme (the unique constraint catches the rest).
        Programme.objects.select_for_update().get(pk=programme.pk)
        if programme.closed_months.filter(month=first).exists():
            raise ValidationError(_("This month is already closed."), code="closed_month")
        breakdowns = allowances_for_programme(programme, first)
        _refuse_unrecorded(breakdowns)
        closed = AllowanceMonth(
            programme=programme, month=first, closed_by=by, closed_at=timezone.now()
        )
        save(closed, by=by, reason="allowance_month_close")
        AllowanceLine.objects.bulk_create(
            AllowanceLine(
                allowance_month=closed,
                enrolment_id=b.enrolment_id,
                participation_days=b.participation_days,
                gross=b.gross,
                deductions=[
                    {
                        "code": d.code,
                        "days": d.days,
                        "amount": str(d.amount),
                        "source": d.source,
                    }
                    for d in b.deductions
                ],
                bonus=b.bonus,
                amount=b.amount,
            )
            for b in breakdowns
        )
        log(
            by=by,
            action="update",
            purpose=Purpose.ALLOWANCE_MONTH_CLOSE,
            request=request,
        )
    return closed


def _refuse_unrecorded(breakdowns) -> None:
    """Refuse closing while attendance is missing, naming the cohorts and their days."""
    missing = {b.enrolment_id: b.unrecorded_days for b in breakdowns if b.unrecorded_days}
    if not missing:
        return
    by_cohort: dict[str, int] = {}
    rows = Enrolment.objects.filter(pk__in=list(missing)).values_list("pk", "cohort__name")
    for enrolment_id, cohort_name in rows.order_by("cohort__name"):
        by_cohort[cohort_name] = by_cohort.get(cohort_name, 0) + missing[enrolment_id]
    cohorts = ", ".join(
        ngettext("%(cohort)s: %(days)d day", "%(cohort)s: %(days)d days", days)
        % {"cohort": name, "days": days}
        for name, days in by_cohort.items()
    )
    people = len(missing)
    raise ValidationError(
        ngettext(
            "Attendance is not recorded on every working day: %(people)d participant has "
            "days nobody recorded (%(cohorts)s). Record them on the cohort's attendance sheet, "
            "then close the month.",
            "Attendance is not recorded on every working day: %(people)d participants have "
            "days nobody recorded (%(cohorts)s). Record them on the cohorts' attendance "
            "sheets, then close the month.",
            people,
        )
        % {"people": people, "cohorts": cohorts},
        code="unrecorded_days",
    )


def allowance_correction_add(
    *,
    by,
    allowance_month: AllowanceMonth,
    enrolment: Enrolment,
    amount: Decimal,
    reason: str,
    request=None,
) -> AllowanceCorrection:
    """Correct a closed month's amount for one participant (signed), with the reason; logged."""
    _require_programme_manager(by, allowance_month.programme)
    amount = _money(amount)
    if enrolment.programme_id != allowance_month.programme_id:
        raise ValidationError(_("This person is not a participant of this CIS."))
    if amount == 0:
        raise ValidationError(_("A correction changes the amount: enter it."), code="zero")
    if not reason.strip():
        raise ValidationError(_("Say why the month is corrected."), code="reason")
    correction = AllowanceCorrection(
        allowance_month=allowance_month,
        enrolment=enrolment,
        client_id=enrolment.client_id,
        amount=amount,
        reason=reason.strip(),
        created_by=by,
    )
    with transaction.atomic():
        save(correction, by=by, reason="allowance_correction_add")
        log(
            by=by,
            action="update",
            subject_id=enrolment.client_id,
            purpose=Purpose.ALLOWANCE_CORRECTION,
            request=request,
        )
    return correction
