"""The CIS integration allowance (świadczenie integracyjne): a participant's month, computed.

Every figure comes from dated tables, never from constants here: the base amount
(AllowanceBase), the act's rules (AllowanceRateRule) and the centre's own rules
(ProgrammeAllowanceRule). Each day of participation is computed under the rows in force on that
day, so a month across a change (1 January 2022, a new base on 1 June) is split where the
change falls. A day with no row in force refuses the month, naming the missing rule: a month
is never computed with zero.

The rules, their sources and three months worked by hand are in docs/activation.md:
- the month's allowance is base × rate; the trial month's rate where the rule has one;
- a month with participation on every day is paid in full; otherwise 1/30 of the month per
  calendar day of participation (suspended days are not participation);
- an unexcused day costs 1/20 of the month, a paid sick day 1/40 (after the trial month, up to
  the rule's number of sick days in the whole enrolment), an unpaid day 1/30 (an excused or
  other absence, a sick day in the trial month or past the limit);
- days off granted by the head cost nothing after the trial month, up to the lower of the act's
  and the centre's limit in the whole enrolment; beyond it, a day off costs as an unexcused day;
- past the centre's number of unexcused days in a month, the month's allowance is lost;
- the motivation bonus is added as entered, up to the rule's cap, after the trial month only.
Amounts are exact fractions until each line is rounded half up to the grosz; the amount is the
rounded gross less the rounded lines (never below zero) plus the bonus, so a printed list sums.

Attendance is counted in SQL: one grouped query for a whole cohort's (or programme's) month.
The same query counts the recorded working days (Monday to Friday) of participation up to
yesterday, so that a day nobody recorded is seen: `unrecorded_days` is the working days of
participation up to yesterday with no attendance row. The engine does not guess them (no
deduction: the amount is "as recorded so far"); closing the month is refused while any remain
(services.allowance_month_close).
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activation.dates import days_in_month, month_end, month_start
from activation.models import (
    AllowanceBase,
    AllowanceBonus,
    AllowanceRateRule,
    Attendance,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentSuspension,
    Programme,
    ProgrammeAllowanceRule,
)

ACT = "ustawa o zatrudnieniu socjalnym"

# What each deduction is, and where its rule comes from (docs/activation.md has the detail).
DEDUCTION_LABELS = {
    "unexcused": gettext_lazy("Unexcused absence"),
    "sick": gettext_lazy("Sick days (reduced)"),
    "sick_unpaid": gettext_lazy("Sick days not paid"),
    "excused": gettext_lazy("Excused absence (day not paid)"),
    "other": gettext_lazy("Other absence (day not paid)"),
    "day_off_uncovered": gettext_lazy("Days off beyond what may be granted"),
    "forfeit": gettext_lazy("The month's allowance lost"),
}
DEDUCTION_SOURCES = {
    "unexcused": f"{ACT}, art. 15; 1/20 za dzień (reguła)",
    "sick": f"{ACT}, art. 15 ust. 7a; 1/40 za dzień (reguła)",
    "sick_unpaid": f"{ACT}, art. 15 ust. 7a (poza okresem próbnym i limitem); 1/30 za dzień",
    "excused": "brak świadczenia za dzień nieobecności; 1/30 za dzień (reguła)",
    "other": "brak świadczenia za dzień nieobecności; 1/30 za dzień (reguła)",
    "day_off_uncovered": f"{ACT}, art. 15 (dni wolne); ponad limit jak dzień nieusprawiedliwiony",
    "forfeit": "regulamin centrum (reguła programu)",
}
# Lines in the order a payroll list shows them.
DEDUCTION_ORDER = list(DEDUCTION_LABELS)


class MissingRule(ValidationError):
    """A day of the month has no rule of this kind in force: the month is not computed."""

    def __init__(self, rule: str, day: datetime.date):
        self.rule = rule
        self.day = day
        super().__init__(
            _("No %(rule)s is in force on %(date)s: add it before computing this month.")
            % {"rule": rule, "date": formats.date_format(day, "DATE_FORMAT")},
            code="missing_rule",
        )


def to_grosze(value: Fraction) -> Decimal:
    """Round an exact amount half away from zero to the grosz (0.005 → 0.01)."""
    sign = -1 if value < 0 else 1
    cents = abs(value) * 100
    whole, rest = divmod(cents.numerator, cents.denominator)
    if 2 * rest >= cents.denominator:
        whole += 1
    return Decimal(sign * whole).scaleb(-2)


@dataclass(frozen=True)
class Deduction:
    code: str
    days: int
    amount: Decimal
    source: str

    @property
    def label(self) -> str:
        return str(DEDUCTION_LABELS[self.code])


@dataclass(frozen=True)
class Period:
    """Participation days of the month under the same base, rate and trial state."""

    first: datetime.date
    last: datetime.date
    days: int
    base: Decimal
    percent: Decimal
    in_trial: bool
    # The full month's allowance at this base and rate (exact; shown rounded).
    monthly: Decimal


@dataclass(frozen=True)
class AllowanceBreakdown:
    enrolment_id: int
    client_id: object
    month: datetime.date
    days_in_month: int
    participation_days: int
    periods: tuple[Period, ...]
    # Recorded days of the month (participation days only), by attendance status.
    attendance: dict = field(default_factory=dict)
    gross: Decimal = Decimal("0.00")
    deductions: tuple[Deduction, ...] = ()
    forfeited: bool = False
    bonus: Decimal = Decimal("0.00")
    bonus_entered: Decimal = Decimal("0.00")
    # The most the bonus may be this month (0 while the whole month is the trial month).
    bonus_cap: Decimal = Decimal("0.00")
    amount: Decimal = Decimal("0.00")
    # The full month at the highest rate in force plus the bonus: the amount never exceeds it.
    ceiling: Decimal = Decimal("0.00")
    sources: tuple[str, ...] = ()
    # Working days (Mon-Fri) of participation up to yesterday with no attendance row: the
    # amount is as recorded so far, and the month cannot be closed while any remain.
    unrecorded_days: int = 0

    @property
    def is_full_month(self) -> bool:
        return self.participation_days == self.days_in_month

    @property
    def base(self) -> Decimal | None:
        """The base amount of the month's longest period (what a payroll list shows)."""
        period = self._main_period()
        return period.base if period else None

    @property
    def percent(self) -> Decimal | None:
        period = self._main_period()
        return period.percent if period else None

    @property
    def total_deductions(self) -> Decimal:
        return sum((d.amount for d in self.deductions), Decimal("0.00"))

    @property
    def bonus_capped(self) -> bool:
        return self.bonus < self.bonus_entered

    def _main_period(self) -> Period | None:
        return max(self.periods, key=lambda p: p.days, default=None)


class Rules:
    """The three dated tables, loaded once, answering "what is in force on this day?"."""

    def __init__(self, *, bases, rates, programme_rules):
        self.bases = sorted(bases, key=lambda row: row.valid_from)
        self.rates = sorted(rates, key=lambda row: row.valid_from)
        self.programme_rules = sorted(programme_rules, key=lambda row: row.valid_from)
        self._keys = {
            "base": [row.valid_from for row in self.bases],
            "rate": [row.valid_from for row in self.rates],
            "programme": [row.valid_from for row in self.programme_rules],
        }

    @classmethod
    def load(cls, programme: Programme, last: datetime.date) -> "Rules":
        """The rows that can be in force up to `last` (three small queries)."""
        return cls(
            bases=AllowanceBase.objects.filter(valid_from__lte=last),
            rates=AllowanceRateRule.objects.filter(valid_from__lte=last),
            programme_rules=ProgrammeAllowanceRule.objects.filter(
                programme=programme, valid_from__lte=last
            ),
        )

    def change_points(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        """The month's first day and every day within it on which some rule changes."""
        points = {first}
        for keys in self._keys.values():
            points.update(day for day in keys if first < day <= last)
        return sorted(points)

    def _in_force(self, kind: str, rows: list, day: datetime.date, label: str):
        index = bisect.bisect_right(self._keys[kind], day) - 1
        if index < 0:
            raise MissingRule(label, day)
        return rows[index]

    def base(self, day):
        return self._in_force(
            "base", self.bases, day, _("base amount of the allowance (unemployment benefit)")
        )

    def rate(self, day):
        return self._in_force("rate", self.rates, day, _("allowance rule of the act"))

    def programme_rule(self, day):
        return self._in_force(
            "programme", self.programme_rules, day, _("allowance rule of the programme")
        )


def _participates(enrolment: Enrolment, suspensions, day: datetime.date) -> bool:
    """Whether `day` is a day of participation: started, not ended, not suspended."""
    if enrolment.started_on is None or day < enrolment.started_on:
        return False
    if enrolment.ended_on is not None and day > enrolment.ended_on:
        return False
    return not any(suspension.covers(day) for suspension in suspensions)


def is_working_day(day: datetime.date) -> bool:
    """A day the centre expects attendance on: Monday to Friday (public holidays are not
    known here: a coach records the day, e.g. as a day off granted by the head)."""
    return day.weekday() < 5


def recorded_until(last: datetime.date) -> datetime.date:
    """The last day whose attendance should be recorded by now: yesterday, within the month."""
    return min(last, timezone.localdate() - datetime.timedelta(days=1))


def _attendance_counts(enrolment_ids, first, last, points, until):
    """Days by (enrolment, status, trial, period), and the recorded working days, in one
    grouped query.

    The month's days count under their period (index into `points`); sick days and days off
    before the month count under period -1 (they use up the enrolment's limits). Days outside
    participation (before the start, after the end, suspended) are left out in the query.
    The second dict counts each enrolment's recorded working days (Monday to Friday) of the
    month up to `until`, against which the engine finds the unrecorded ones.
    """
    period = Case(
        When(day__lt=first, then=Value(-1)),
        *[When(day__gte=point, then=Value(i)) for i, point in reversed(list(enumerate(points)))],
        output_field=IntegerField(),
    )
    suspended = EnrolmentSuspension.objects.filter(
        enrolment_id=OuterRef("enrolment_id"), starts_on__lte=OuterRef("day")
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("day")))
    rows = (
        Attendance.objects.filter(enrolment_id__in=enrolment_ids, day__lte=last)
        .filter(Q(day__gte=first) | Q(status__in=[AttendanceStatus.SICK, AttendanceStatus.DAY_OFF]))
        .filter(day__gte=F("enrolment__started_on"))
        .filter(Q(enrolment__ended_on__isnull=True) | Q(day__lte=F("enrolment__ended_on")))
        .exclude(Exists(suspended))
        .annotate(
            in_trial=Case(
                When(enrolment__trial_ends_on__gte=F("day"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            period=period,
            # ISO week days 1-5: Monday to Friday, on SQLite and PostgreSQL alike.
            working=Case(
                When(
                    Q(day__gte=first, day__lte=until, day__iso_week_day__lte=5),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by()
        .values("enrolment_id", "status", "in_trial", "period", "working")
        .annotate(days=Count("id"))
    )
    counts: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    working: dict[int, int] = defaultdict(int)
    for row in rows:
        key = (row["status"], row["period"], bool(row["in_trial"]))
        counts[row["enrolment_id"]][key] += row["days"]
        if row["working"]:
            working[row["enrolment_id"]] += row["days"]
    return counts, working


def allowance_for(enrolment: Enrolment, month: datetime.date) -> AllowanceBreakdown:
    """The breakdown of one participant's allowance for `month` (any day of it)."""
    enrolments = Enrolment.objects.filter(pk=enrolment.pk)
    return _compute(enrolment.programme, enrolments, month)[0]


def allowances_for_cohort(cohort: Cohort, month: datetime.date) -> list[AllowanceBreakdown]:
    """Every participant of the cohort who took part in `month`, in a constant number of
    queries (attendance aggregated in one)."""
    return _compute(cohort.programme, Enrolment.objects.filter(cohort=cohort), month)


def allowances_for_programme(
    programme: Programme, month: datetime.date
) -> list[AllowanceBreakdown]:
    """The month's list for a CIS's payroll: every participant of every cohort."""
    return _compute(programme, Enrolment.objects.filter(programme=programme), month)


def _compute(programme: Programme, enrolments, month: datetime.date) -> list[AllowanceBreakdown]:
    if not programme.is_cis:
        raise ValidationError(
            _("The integration allowance is paid only by a social integration centre (CIS)."),
            code="not_cis",
        )
    first, last = month_start(month), month_end(month)
    enrolments = list(
        enrolments.filter(started_on__isnull=False, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .prefetch_related("suspensions")
        .order_by("pk")
    )
    rules = Rules.load(programme, last)
    points = rules.change_points(first, last)
    ids = [e.pk for e in enrolments]
    until = recorded_until(last)
    counts, working = _attendance_counts(ids, first, last, points, until) if ids else ({}, {})
    bonuses = dict(
        AllowanceBonus.objects.filter(enrolment_id__in=ids, month=first).values_list(
            "enrolment_id", "amount"
        )
    )
    return [
        breakdown(
            enrolment,
            first,
            suspensions=list(enrolment.suspensions.all()),
            rules=rules,
            counts=counts.get(enrolment.pk, {}),
            bonus_entered=bonuses.get(enrolment.pk),
            points=points,
            recorded_working_days=working.get(enrolment.pk, 0),
            until=until,
        )
        for enrolment in enrolments
    ]


def _period_index(points, day) -> int:
    return bisect.bisect_right(points, day) - 1


def breakdown(
    enrolment: Enrolment,
    month: datetime.date,
    *,
    suspensions,
    rules: Rules,
    counts: dict,
    bonus_entered: Decimal | None,
    points: list[datetime.date] | None = None,
    recorded_working_days: int | None = None,
    until: datetime.date | None = None,
) -> AllowanceBreakdown:
    """The month computed from what is already loaded (no query): the engine's arithmetic.

    `counts` maps (status, period, in_trial) to recorded days, period being the index of the
    month's change point the day falls after (-1: before the month, sick days and days off
    only); `points` are the month's change points (Rules.change_points).
    `recorded_working_days` is the number of working days of participation up to `until` that
    have an attendance row; the rest of those days are `unrecorded_days` (None: not checked).
    """
    first, last = month_start(month), month_end(month)
    points = points if points is not None else rules.change_points(first, last)
    n_days = days_in_month(first)
    # Participation days by (period, trial), with the rules of each (looked up once a period).
    days_by_key: dict[tuple[int, bool], list[datetime.date]] = defaultdict(list)
    # Working days of participation whose attendance should be recorded by `until`.
    expected = 0
    day = first
    while day <= last:
        if _participates(enrolment, suspensions, day):
            days_by_key[_period_index(points, day), enrolment.in_trial_on(day)].append(day)
            if until is not None and day <= until and is_working_day(day):
                expected += 1
        day += datetime.timedelta(days=1)
    participation = sum(len(days) for days in days_by_key.values())
    unrecorded = 0
    if recorded_working_days is not None:
        unrecorded = max(0, expected - recorded_working_days)
    if participation == 0:
        return AllowanceBreakdown(
            enrolment_id=enrolment.pk,
            client_id=enrolment.client_id,
            month=first,
            days_in_month=n_days,
            participation_days=0,
            periods=(),
        )

    keys = sorted(days_by_key, key=lambda key: days_by_key[key][0])
    rate_of, base_of, programme_rule_of, monthly_of = {}, {}, {}, {}
    for key in keys:
        start = days_by_key[key][0]
        rate_of[key] = rules.rate(start)
        base_of[key] = rules.base(start)
        programme_rule_of[key] = rules.programme_rule(start)
        rate = rate_of[key]
        monthly_of[key] = Fraction(base_of[key].amount) * Fraction(_percent(rate, key[1])) / 100

    # A month with participation on every day is paid in full; otherwise by calendar days, and
    # never more than a full month (a rule's divisor below the days of participation, e.g. 28
    # for 29 days, would otherwise pay a partial month above the whole one).
    full = participation == n_days
    gross = Fraction(0)
    for key in keys:
        divisor = n_days if full else max(rate_of[key].unpaid_day_divisor, participation)
        gross += monthly_of[key] * len(days_by_key[key]) / divisor

    lines: dict[str, list] = {}

    def deduct(code, days, value, rule_day):
        if days <= 0:
            return
        line = lines.setdefault(code, [0, Fraction(0), set()])
        line[0] += days
        line[1] += value
        line[2].add(rule_day)

    def recorded(status, period, in_trial):
        return counts.get((status, period, in_trial), 0)

    # Limits run over the whole enrolment: what earlier months used after the trial month.
    sick_used = recorded(AttendanceStatus.SICK, -1, False)
    off_used = recorded(AttendanceStatus.DAY_OFF, -1, False)
    attendance: dict[str, int] = defaultdict(int)
    unexcused_days = 0
    for key in keys:
        period, in_trial = key
        rate, monthly = rate_of[key], monthly_of[key]
        since = rate.valid_from
        for status in AttendanceStatus.values:
            attendance[status] += recorded(status, period, in_trial)
        unexcused = recorded(AttendanceStatus.UNEXCUSED, period, in_trial)
        unexcused_days += unexcused
        deduct("unexcused", unexcused, monthly * unexcused / rate.unexcused_day_divisor, since)
        for status in (AttendanceStatus.EXCUSED, AttendanceStatus.OTHER):
            days = recorded(status, period, in_trial)
            deduct(status, days, monthly * days / rate.unpaid_day_divisor, since)
        sick = recorded(AttendanceStatus.SICK, period, in_trial)
        paid = 0 if in_trial else min(sick, max(0, rate.sick_paid_days - sick_used))
        sick_used += paid
        deduct("sick", paid, monthly * paid / rate.sick_day_divisor, since)
        unpaid = sick - paid
        deduct("sick_unpaid", unpaid, monthly * unpaid / rate.unpaid_day_divisor, since)
        off = recorded(AttendanceStatus.DAY_OFF, period, in_trial)
        limit = min(rate.days_off_max, programme_rule_of[key].days_off_limit)
        covered = 0 if in_trial else min(off, max(0, limit - off_used))
        off_used += covered
        uncovered = off - covered
        deduct(
            "day_off_uncovered",
            uncovered,
            monthly * uncovered / rate.unexcused_day_divisor,
            since,
        )

    gross_r = to_grosze(gross)
    deductions = [
        Deduction(
            code=code,
            days=lines[code][0],
            amount=to_grosze(lines[code][1]),
            source=_source(code, lines[code][2]),
        )
        for code in DEDUCTION_ORDER
        if code in lines
    ]
    # The centre's rule in force on the last day of participation decides a forfeit.
    last_rule = programme_rule_of[keys[-1]]
    threshold = last_rule.forfeit_after_unexcused_days
    forfeited = threshold is not None and unexcused_days > threshold
    remaining = gross_r - sum((d.amount for d in deductions), Decimal("0.00"))
    if forfeited and remaining > 0:
        deductions.append(
            Deduction(
                code="forfeit",
                days=unexcused_days,
                amount=remaining,
                source=f"{DEDUCTION_SOURCES['forfeit']}: {last_rule.source or ''} "
                f"(> {threshold}, od {last_rule.valid_from.isoformat()})".strip(),
            )
        )
        remaining = Decimal("0.00")
    allowance = max(remaining, Decimal("0.00"))

    # The bonus (art. 15a) only after the trial month, up to the cap of the month's allowance.
    entered = bonus_entered if bonus_entered is not None else Decimal("0.00")
    after_trial = [key for key in keys if not key[1]]
    cap = max(
        (
            to_grosze(monthly_of[key] * Fraction(rate_of[key].bonus_cap_percent) / 100)
            for key in after_trial
        ),
        default=Decimal("0.00"),
    )
    bonus = min(entered, cap)
    highest = max(to_grosze(monthly_of[key]) for key in keys)

    periods = tuple(
        Period(
            first=days_by_key[key][0],
            last=days_by_key[key][-1],
            days=len(days_by_key[key]),
            base=base_of[key].amount,
            percent=_percent(rate_of[key], key[1]),
            in_trial=key[1],
            monthly=to_grosze(monthly_of[key]),
        )
        for key in keys
    )
    sources = sorted(
        {base_of[key].source for key in keys}
        | {rate_of[key].source for key in keys}
        | {programme_rule_of[key].source for key in keys if programme_rule_of[key].source}
    )
    return AllowanceBreakdown(
        enrolment_id=enrolment.pk,
        client_id=enrolment.client_id,
        month=first,
        days_in_month=n_days,
        participation_days=participation,
        periods=periods,
        attendance=dict(attendance),
        gross=gross_r,
        deductions=tuple(deductions),
        forfeited=forfeited,
        bonus=bonus,
        bonus_entered=entered,
        bonus_cap=cap,
        amount=allowance + bonus,
        ceiling=highest + bonus,
        sources=tuple(sources),
        unrecorded_days=unrecorded,
    )


def _percent(rate: AllowanceRateRule, in_trial: bool) -> Decimal:
    """The rate of a day: the trial month's where the rule has one, else the rule's."""
    if in_trial and rate.trial_month_percent is not None:
        return rate.trial_month_percent
    return rate.percent


def _source(code: str, rule_days) -> str:
    since = ", ".join(sorted(day.isoformat() for day in rule_days))
    return f"{DEDUCTION_SOURCES[code]} od {since}"
