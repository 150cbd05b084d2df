"""Programmes, cohorts, enrolment, attendance, the CIS allowance's rules, placements, follow-ups.

The codes of the TextChoices are the ones the import of past records (issue 12) and the reports
use: keep them stable. The database keeps what it can (date order, one live enrolment of a client
per cohort, one attendance row per participant and day, one follow-up per placement and month);
the services (activation/services/) check the same rules first, with translated messages.
Every personal free text is encrypted under the client's key (`subject_field="client"`); every
model that holds a person's data keeps history.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, OrganisationScoped
from cases.models import Client, Plan
from privacy.fields import EncryptedTextField, VaultQuerySet

MONEY = {"max_digits": 10, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


class ProgrammeKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop training")
    CIS = "cis", _("Social integration centre (CIS)")
    KIS = "kis", _("Social integration club (KIS)")
    COURSE = "course", _("Course of the training centre")
    SUPPORTED_EMPLOYMENT = "supported_employment", _("Supported employment programme")


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACCEPTED = "accepted", _("Accepted")
    ACTIVE = "active", _("Taking part")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    REFUSED = "refused", _("Refused")


# A live enrolment still holds its place in the cohort; a closed one has an end date.
LIVE_STATUSES = (
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.ACCEPTED,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.SUSPENDED,
)
CLOSED_STATUSES = (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT, EnrolmentStatus.REFUSED)
# Statuses of someone who has started taking part (started_on is known).
STARTED_STATUSES = (
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.SUSPENDED,
    EnrolmentStatus.COMPLETED,
)


class LeavingReason(models.TextChoices):
    """Why someone dropped out of a programme (a code, for statistics; details in the note)."""

    FOUND_WORK = "found_work", _("Found work")
    HEALTH = "health", _("Health")
    MOVED_AWAY = "moved_away", _("Moved away")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    RULES_BROKEN = "rules_broken", _("Broke the programme's rules")
    OWN_DECISION = "own_decision", _("Own decision")
    OTHER = "other", _("Other")
    # Past records imported without a reason (issue 12): a real answer, not a blank.
    NOT_RECORDED = "not_recorded", _("Not recorded")


class AttendanceStatus(models.TextChoices):
    """A participant's day. `sick` is an illness confirmed by a doctor (L4): the status itself
    carries the note, so an illness without one is `excused` or `unexcused`."""

    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused absence")
    UNEXCUSED = "unexcused", _("Unexcused absence")
    SICK = "sick", _("Sick (doctor's note)")
    DAY_OFF = "day_off", _("Day off granted by the head")
    OTHER = "other", _("Other (with a note)")


class PlacementKind(models.TextChoices):
    TRAINING_PLACEMENT = "training_placement", _("Training placement in a workshop")
    SUPPORTED = "supported", _("Supported employment")
    COOPERATIVE = "cooperative", _("Job in a social cooperative or social enterprise")
    SUBSIDISED = "subsidised", _("Subsidised job")
    OPEN_MARKET = "open_market", _("Open-market job")


class ContractType(models.TextChoices):
    EMPLOYMENT = "employment_contract", _("Employment contract")
    CIVIL_LAW = "civil_law_contract", _("Civil-law contract")
    COOPERATIVE_MEMBERSHIP = "cooperative_membership", _("Cooperative membership")
    NONE = "none", _("No contract")


class WageBand(models.TextChoices):
    """Pay relative to the minimum wage of the time, so bands stay comparable across years."""

    UNPAID = "unpaid", _("Unpaid")
    BELOW_MINIMUM = "below_minimum", _("Below the minimum wage")
    MINIMUM = "minimum", _("About the minimum wage")
    UP_TO_150 = "up_to_150", _("Above the minimum wage, up to one and a half times it")
    ABOVE_150 = "above_150", _("More than one and a half times the minimum wage")
    NOT_KNOWN = "not_known", _("Not known")


class PlacementEndReason(models.TextChoices):
    CONTRACT_ENDED = "contract_ended", _("Contract ended")
    RESIGNED = "resigned", _("Resigned")
    DISMISSED = "dismissed", _("Dismissed")
    BETTER_JOB = "better_job", _("Moved to a better job")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class FollowUpAnswer(models.TextChoices):
    EMPLOYED_SAME = "employed_same", _("Employed by the same employer")
    EMPLOYED_OTHER = "employed_other", _("Employed by another employer")
    NOT_EMPLOYED = "not_employed", _("Not employed")
    # "Could not reach" is a real answer, counted as such.
    UNREACHABLE = "unreachable", _("Could not be reached")


EMPLOYED_ANSWERS = (FollowUpAnswer.EMPLOYED_SAME, FollowUpAnswer.EMPLOYED_OTHER)
FOLLOW_UP_MONTHS = (3, 6, 12)


class HousingSituation(models.TextChoices):
    """Where a person lives at a follow-up (the ladder's rungs, and the ways off it)."""

    OWN_HOME = "own_home", _("Own home (owned or rented)")
    RENTED_ROOM = "rented_room", _("Rented room")
    TRAINING_FLAT = "training_flat", _("Training or supported flat")
    FAMILY = "family", _("With family or friends")
    SHELTER = "shelter", _("Shelter or house for single mothers")
    NIGHT_SHELTER = "night_shelter", _("Night shelter or warming centre")
    STREET = "street", _("Street")
    INSTITUTION = "institution", _("Institution (hospital, prison)")
    NOT_KNOWN = "not_known", _("Not known")


def _staff_fk(related_name: str = "+", *, null: bool = True, verbose_name=None):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        null=null,
        blank=null,
        verbose_name=verbose_name,
    )


def _client_fk(related_name: str):
    return models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name=related_name, verbose_name=_("client")
    )


def _external_ref():
    # The id of the record in the spreadsheet it was imported from (issue 12); blank otherwise.
    return models.CharField(_("reference in past records"), max_length=100, blank=True)


# --- Programmes and cohorts ----------------------------------------------------------------------


class Trade(models.Model):
    """A trade a workshop teaches (carpentry, locksmithing, laundry...): a list managers extend."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("trade")
        verbose_name_plural = _("trades")

    def __str__(self) -> str:
        return self.name


class ProgrammeQuerySet(OrganisationScoped, models.QuerySet):
    """Programmes; `of_organisation` gives those an organisation runs."""


class Programme(models.Model):
    """A programme an organisation of the cluster runs: a workshop, a CIS, a KIS, a course..."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ProgrammeKind.choices)
    trade = models.ForeignKey(
        Trade,
        verbose_name=_("trade"),
        on_delete=models.PROTECT,
        related_name="programmes",
        null=True,
        blank=True,
    )
    leads_to = models.CharField(_("skills or certificates it leads to"), max_length=500, blank=True)
    is_active = models.BooleanField(_("running"), default=True)
    external_ref = _external_ref()
    created_by = _staff_fk()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="activation_programme_name_once",
                violation_error_message=_(
                    "The organisation already runs a programme of this name."
                ),
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_ref"],
                condition=~Q(external_ref=""),
                name="activation_programme_ref_once",
                violation_error_message=_("This reference of past records is already used."),
            ),
            # A workshop teaches a trade.
            models.CheckConstraint(
                condition=~Q(kind=ProgrammeKind.WORKSHOP) | Q(trade__isnull=False),
                name="activation_programme_workshop_trade",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_cis(self) -> bool:
        return self.kind == ProgrammeKind.CIS


class Cohort(models.Model):
    """One run of a programme: its dates, places, where it meets and the job coach in charge."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"))
    place = models.CharField(_("where it meets"), max_length=300, blank=True)
    lead_coach = _staff_fk("led_cohorts", null=False, verbose_name=_("job coach in charge"))
    coaches = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CohortCoach",
        through_fields=("cohort", "coach"),
        related_name="coached_cohorts",
        verbose_name=_("coaches who take attendance"),
        blank=True,
    )
    external_ref = _external_ref()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="activation_cohort_name",
                violation_error_message=_("The programme already has a cohort of this name."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="activation_cohort_dates",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activation_cohort_places"),
        ]

    def __str__(self) -> str:
        return self.name


class CohortCoach(models.Model):
    """A job coach who may take a cohort's attendance (besides the coach in charge)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="coach_links")
    coach = _staff_fk("cohort_links", null=False)
    added_by = _staff_fk()
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cohort coach")
        verbose_name_plural = _("cohort coaches")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "coach"], name="activation_cohort_coach_once")
        ]

    def __str__(self) -> str:
        return f"coach {self.coach_id} of cohort {self.cohort_id}"


# --- Enrolment and attendance --------------------------------------------------------------------


class EnrolmentQuerySet(VaultQuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def started_by(self, day: datetime.date):
        """Enrolments whose participation began on or before `day` and had not ended before it."""
        return self.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )


class Enrolment(models.Model):
    """A client in a programme (and, usually, one of its cohorts), from application to the end.

    Dates of each change are kept on the row (applied, accepted, started, ended) and every change
    in the history. `started_on`/`ended_on` bound the participation that attendance, the
    allowance and the ladder read; suspensions cut periods out of it. The cohort is empty only
    for past enrolments imported without one (issue 12 imports programmes, not cohorts).
    """

    client = _client_fk("enrolments")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="enrolments"
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        related_name="enrolments",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    applied_on = models.DateField(_("applied on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    # The last day of participation (completed, dropped out) or the day of the refusal.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # A CIS's trial month (art. 15 of the act on social employment): its last day.
    trial_ends_on = models.DateField(_("trial period ends on"), null=True, blank=True)
    leaving_reason = models.CharField(
        _("reason for dropping out"), max_length=20, choices=LeavingReason.choices, blank=True
    )
    reason_note = EncryptedTextField(
        _("note on the reason"),
        label="enrolment.reason_note",
        max_length=2000,
        blank=True,
        subject_field="client",
    )
    enrolled_by = _staff_fk()
    external_ref = _external_ref()
    # A CIS participant's IPZS: a plan of the case file (cases.Plan, kind "ipzs"), written
    # with the same machinery as the IPWzB (goals, steps, reviews, approval, the PDF).
    ipzs = models.ForeignKey(
        Plan,
        verbose_name=_("IPZS"),
        on_delete=models.PROTECT,
        related_name="enrolments",
        null=True,
        blank=True,
    )

    objects = EnrolmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_on", "-pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            # One live enrolment of a client per cohort.
            models.UniqueConstraint(
                fields=["client", "cohort"],
                condition=Q(status__in=LIVE_STATUSES),
                name="activation_enrolment_live_once",
                violation_error_message=_("This person is already enrolled in this cohort."),
            ),
            models.UniqueConstraint(
                fields=["programme", "external_ref"],
                condition=~Q(external_ref=""),
                name="activation_enrolment_ref_once",
                violation_error_message=_("This reference of past records is already used."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("applied_on")),
                name="activation_enrolment_accepted_after_applied",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("applied_on")),
                name="activation_enrolment_started_after_applied",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="activation_enrolment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(trial_ends_on__isnull=True)
                | Q(started_on__isnull=False, trial_ends_on__gte=F("started_on")),
                name="activation_enrolment_trial_after_start",
            ),
            # Live enrolments have no end; closed ones have one.
            models.CheckConstraint(
                condition=Q(status__in=LIVE_STATUSES, ended_on__isnull=True)
                | Q(status__in=CLOSED_STATUSES, ended_on__isnull=False),
                name="activation_enrolment_end_matches_status",
            ),
            # Someone taking part (or who completed) has a start date.
            models.CheckConstraint(
                condition=~Q(status__in=STARTED_STATUSES) | Q(started_on__isnull=False),
                name="activation_enrolment_started_has_start",
            ),
            # A drop-out has a reason code, and nothing else has one.
            models.CheckConstraint(
                condition=(Q(status=EnrolmentStatus.DROPPED_OUT) & ~Q(leaving_reason=""))
                | (~Q(status=EnrolmentStatus.DROPPED_OUT) & Q(leaving_reason="")),
                name="activation_enrolment_dropout_reason",
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"], name="activation_enrolment_cohort")]

    def __str__(self) -> str:
        return f"enrolment {self.pk}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def in_trial_on(self, day: datetime.date) -> bool:
        return self.trial_ends_on is not None and day <= self.trial_ends_on


class EnrolmentSuspension(models.Model):
    """A period an enrolment is suspended (open while `ends_on` is empty): no attendance, no
    allowance for its days."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="suspensions")
    client = _client_fk("+")
    starts_on = models.DateField(_("suspended from"))
    # The last day of the suspension; participation resumes the day after.
    ends_on = models.DateField(_("suspended until"), null=True, blank=True)
    note = EncryptedTextField(
        _("reason"), label="suspension.note", max_length=2000, blank=True, subject_field="client"
    )
    created_by = _staff_fk()

    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="activation_suspension_dates",
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(ends_on__isnull=True),
                name="activation_suspension_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"suspension {self.pk}"

    def save(self, *args, **kwargs):
        # The note is sealed under the enrolment's client's key: never another person's.
        self.client_id = self.enrolment.client_id
        super().save(*args, **kwargs)

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Attendance(models.Model):
    """A participant's day. Days without a row were not recorded; the form shows them as
    present by default, and only a saved day counts. Corrections keep their history."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    # The enrolment's client, kept here as the key of the encrypted note.
    client = _client_fk("+")
    day = models.DateField(_("day"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    note = EncryptedTextField(
        _("note"), label="attendance.note", max_length=1000, blank=True, subject_field="client"
    )
    recorded_by = _staff_fk()
    recorded_at = models.DateTimeField(auto_now=True)

    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["day", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="activation_attendance_once")
        ]
        indexes = [models.Index(fields=["day", "enrolment"], name="activation_attendance_day")]

    def __str__(self) -> str:
        return f"attendance {self.pk}"

    def save(self, *args, **kwargs):
        self.client_id = self.enrolment.client_id
        super().save(*args, **kwargs)


# --- The CIS integration allowance (docs/activation.md) -----------------------------------------


class AllowanceBase(models.Model):
    """The base amount in force from a day: the unemployment benefit the act refers to."""

    valid_from = models.DateField(_("in force from"), unique=True)
    amount = models.DecimalField(_("amount (PLN)"), **MONEY)
    source = models.CharField(_("source"), max_length=500)
    created_by = _staff_fk()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("allowance base amount")
        verbose_name_plural = _("allowance base amounts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="activation_base_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} PLN from {self.valid_from}"


class AllowanceRateRule(models.Model):
    """The act's rules in force from a day: the rate (and the trial month's, where there was one),
    the fractions deducted per day, the limits of paid sick days and days off, the bonus cap."""

    valid_from = models.DateField(_("in force from"), unique=True)
    # Empty: no reduced trial month (since 1 January 2022).
    trial_month_percent = models.DecimalField(
        _("rate in the trial month (per cent of the base)"), null=True, blank=True, **PERCENT
    )
    percent = models.DecimalField(_("rate (per cent of the base)"), **PERCENT)
    unexcused_day_divisor = models.PositiveSmallIntegerField(
        _("an unexcused day costs 1/N of the month")
    )
    sick_day_divisor = models.PositiveSmallIntegerField(_("a paid sick day costs 1/N of the month"))
    unpaid_day_divisor = models.PositiveSmallIntegerField(
        _("an unpaid day (and a partial month's day) is 1/N of the month")
    )
    sick_paid_days = models.PositiveSmallIntegerField(
        _("sick days paid at the reduced rate during participation")
    )
    days_off_max = models.PositiveSmallIntegerField(_("days off the head may grant at most"))
    bonus_cap_percent = models.DecimalField(
        _("motivation bonus at most (per cent of the allowance)"), **PERCENT
    )
    source = models.TextField(_("source"))
    created_by = _staff_fk()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("allowance rule")
        verbose_name_plural = _("allowance rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0)
                & (Q(trial_month_percent__isnull=True) | Q(trial_month_percent__gt=0))
                & Q(unexcused_day_divisor__gt=0)
                & Q(sick_day_divisor__gt=0)
                & Q(unpaid_day_divisor__gt=0)
                & Q(bonus_cap_percent__gte=0),
                name="activation_rate_rule_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.percent}% from {self.valid_from}"


class ProgrammeAllowanceRule(models.Model):
    """A CIS's own rules from a day (its regulations): the month's allowance lost past N
    unexcused days (empty: never), and the days off it grants at most."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="allowance_rules"
    )
    valid_from = models.DateField(_("in force from"))
    forfeit_after_unexcused_days = models.PositiveSmallIntegerField(
        _("the month's allowance is lost past this many unexcused days"), null=True, blank=True
    )
    days_off_limit = models.PositiveSmallIntegerField(_("days off granted at most"))
    source = models.CharField(_("source (the centre's regulations)"), max_length=300, blank=True)
    created_by = _staff_fk()
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "-valid_from"]
        verbose_name = _("programme allowance rule")
        verbose_name_plural = _("programme allowance rules")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "valid_from"], name="activation_programme_rule_once"
            )
        ]

    def __str__(self) -> str:
        return f"rules of programme {self.programme_id} from {self.valid_from}"


class AllowanceBonus(models.Model):
    """The motivation bonus (art. 15a) the head grants a participant for a month."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="bonuses")
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount (PLN)"), **MONEY)
    granted_by = _staff_fk()
    granted_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("motivation bonus")
        verbose_name_plural = _("motivation bonuses")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "month"], name="activation_bonus_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="activation_bonus_positive"),
        ]

    def __str__(self) -> str:
        return f"bonus {self.pk}"


class AllowanceMonth(models.Model):
    """A programme's month closed by its manager: its payroll list is kept as computed then
    (`lines`) and changes only through logged corrections."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="closed_months")
    month = models.DateField(_("month"))
    closed_by = _staff_fk(null=False)
    closed_at = models.DateTimeField(_("closed at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("closed allowance month")
        verbose_name_plural = _("closed allowance months")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "month"], name="activation_month_closed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.month:%Y-%m}"


class AllowanceLine(models.Model):
    """One participant's allowance in a closed month, as computed when it was closed."""

    allowance_month = models.ForeignKey(
        AllowanceMonth, on_delete=models.PROTECT, related_name="lines"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    participation_days = models.PositiveSmallIntegerField()
    gross = models.DecimalField(**MONEY)
    # [{"code", "days", "amount", "source"}]: amounts as strings, no personal text.
    deductions = models.JSONField(default=list)
    bonus = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("allowance line")
        verbose_name_plural = _("allowance lines")
        constraints = [
            models.UniqueConstraint(
                fields=["allowance_month", "enrolment"], name="activation_line_once"
            )
        ]

    def __str__(self) -> str:
        return f"line {self.pk}"


class AllowanceCorrection(models.Model):
    """A correction of a closed month's amount for one participant (signed), with its reason."""

    allowance_month = models.ForeignKey(
        AllowanceMonth, on_delete=models.PROTECT, related_name="corrections"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    client = _client_fk("+")
    amount = models.DecimalField(_("correction (PLN, signed)"), **MONEY)
    reason = EncryptedTextField(
        _("reason"), label="allowance_correction.reason", max_length=2000, subject_field="client"
    )
    created_by = _staff_fk(null=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("allowance correction")
        verbose_name_plural = _("allowance corrections")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="activation_correction_nonzero")
        ]

    def __str__(self) -> str:
        return f"correction {self.pk}"

    def save(self, *args, **kwargs):
        self.client_id = self.enrolment.client_id
        super().save(*args, **kwargs)


# --- Placements and follow-ups -------------------------------------------------------------------


class Placement(models.Model):
    """A client's job or training placement: with an organisation of the cluster or an outside
    employer entered by name (NIP optional, checked)."""

    client = _client_fk("placements")
    kind = models.CharField(_("kind"), max_length=20, choices=PlacementKind.choices)
    employer_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("employer of the cluster"),
        on_delete=models.PROTECT,
        related_name="placements",
        null=True,
        blank=True,
    )
    employer_name = models.CharField(_("outside employer"), max_length=200, blank=True)
    employer_nip = models.CharField(_("employer's NIP"), max_length=10, blank=True)
    # The workshop enrolment a training placement belongs to, when there is one.
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="placements",
        null=True,
        blank=True,
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours a week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Blank only for past records imported without it; the services ask a person to choose.
    contract_type = models.CharField(
        _("contract"), max_length=30, choices=ContractType.choices, blank=True
    )
    wage_band = models.CharField(_("pay"), max_length=20, choices=WageBand.choices, blank=True)
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=PlacementEndReason.choices, blank=True
    )
    end_note = EncryptedTextField(
        _("note on the end"),
        label="placement.end_note",
        max_length=2000,
        blank=True,
        subject_field="client",
    )
    recorded_by = _staff_fk()
    external_ref = models.CharField(_("reference in past records"), max_length=100, blank=True)

    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            # An employer of the cluster or an outside one by name: exactly one of the two.
            models.CheckConstraint(
                condition=(Q(employer_organisation__isnull=False) & Q(employer_name=""))
                | (Q(employer_organisation__isnull=True) & ~Q(employer_name="")),
                name="activation_placement_one_employer",
            ),
            models.CheckConstraint(
                condition=Q(employer_nip="") | Q(employer_organisation__isnull=True),
                name="activation_placement_nip_outside_only",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="activation_placement_dates",
            ),
            # No reason for an end that has not happened.
            models.CheckConstraint(
                condition=Q(ended_on__isnull=False) | Q(end_reason=""),
                name="activation_placement_reason_needs_end",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | Q(hours_per_week__gt=0, hours_per_week__lte=84),
                name="activation_placement_hours",
            ),
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="activation_placement_ref_once",
                violation_error_message=_("This reference of past records is already used."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "started_on"], name="activation_placement_kind")]

    def __str__(self) -> str:
        return f"placement {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class FollowUpQuerySet(VaultQuerySet):
    def unanswered(self):
        return self.filter(answered_on__isnull=True)

    def overdue(self, today: datetime.date):
        return self.unanswered().filter(due_on__lt=today)


class FollowUp(models.Model):
    """Did the person keep the job? Asked 3, 6 and 12 months after a placement started."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="follow_ups")
    client = _client_fk("+")
    months = models.PositiveSmallIntegerField(
        _("months after the start"), choices=[(m, m) for m in FOLLOW_UP_MONTHS]
    )
    due_on = models.DateField(_("due on"))
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.CharField(
        _("answer"), max_length=20, choices=FollowUpAnswer.choices, blank=True
    )
    hours_per_week = models.DecimalField(
        _("hours a week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    housing = models.CharField(
        _("housing situation"), max_length=20, choices=HousingSituation.choices, blank=True
    )
    note = EncryptedTextField(
        _("note"), label="followup.note", max_length=2000, blank=True, subject_field="client"
    )
    answered_by = _staff_fk()
    external_ref = _external_ref()

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "months"], name="activation_followup_once"
            ),
            models.CheckConstraint(
                condition=Q(months__in=FOLLOW_UP_MONTHS), name="activation_followup_months"
            ),
            # Answered means a date and an answer, together.
            models.CheckConstraint(
                condition=(Q(answered_on__isnull=True) & Q(answer=""))
                | (Q(answered_on__isnull=False) & ~Q(answer="")),
                name="activation_followup_answer_dated",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | Q(hours_per_week__gt=0, hours_per_week__lte=84),
                name="activation_followup_hours",
            ),
        ]
        indexes = [models.Index(fields=["due_on"], name="activation_followup_due")]

    def __str__(self) -> str:
        return f"follow-up {self.pk}"

    def save(self, *args, **kwargs):
        self.client_id = self.placement.client_id
        super().save(*args, **kwargs)

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None
