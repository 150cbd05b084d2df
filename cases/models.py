import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.contact import phone_display
from cases.pesel import validate_pesel
from privacy import blind
from privacy.fields import (
    ERASED,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
    VaultQuerySet,
)
from privacy.models import Subject
from privacy.vault import SubjectErased

BLIND_INDEX_FIELDS = ["pesel_bidx", "name_bidx", "surname_birth_bidx"]


# "Doesn't know", "prefers not to answer" and "not collected" are real answers, not blanks.
DOESNT_KNOW = "doesnt_know"
DECLINED = "declined"
NOT_COLLECTED = "not_collected"
UNKNOWN_ANSWERS = [
    (DOESNT_KNOW, _("Doesn't know")),
    (DECLINED, _("Prefers not to answer")),
    (NOT_COLLECTED, _("Not collected")),
]


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_KNOWN = "not_known", _("Not known")


class PathwayStage(models.TextChoices):
    """The client's ladder (GLOSSARY.md): a client can step down as well as up."""

    STREET = "street", _("Street")
    EMERGENCY = "emergency", _("Warming centre or night shelter")
    SHELTER = "shelter", _("Shelter or house for single mothers")
    TRAINING = "training", _("Training (workshop, CIS)")
    SUPPORTED_WORK = "supported_work", _("Supported employment")
    OPEN_MARKET = "open_market", _("Open-market employment")
    TRAINING_FLAT = "training_flat", _("Training flat")
    OWN_HOME = "own_home", _("Own home")


class Ethos(models.TextChoices):
    """ETHOS Light (FEANTSA): the homelessness situation."""

    ROOFLESS = "1", _("1 · Living rough")
    EMERGENCY = "2", _("2 · Emergency accommodation (night shelter)")
    HOMELESS_ACCOMMODATION = "3", _("3 · Accommodation for the homeless")
    INSTITUTION = "4", _("4 · In an institution with no home to go to")
    NON_CONVENTIONAL = "5", _("5 · Non-conventional dwelling")
    FAMILY_FRIENDS = "6", _("6 · Temporarily with family or friends")
    UNKNOWN = "unknown", _("Not known")


HOMELESSNESS_REASONS = [
    ("eviction", _("Eviction")),
    ("family_breakdown", _("Family breakdown")),
    ("domestic_violence", _("Domestic violence")),
    ("addiction", _("Addiction")),
    ("debt", _("Debt")),
    ("unemployment", _("Loss of work")),
    ("leaving_institution", _("Leaving prison, hospital or care")),
    ("health", _("Illness or disability")),
    ("migration", _("Migration")),
    ("other", _("Other")),
    *UNKNOWN_ANSWERS,
]
INCOME_SOURCES = [
    ("none", _("No income")),
    ("work", _("Work")),
    ("casual_work", _("Casual work")),
    ("social_benefit", _("Social assistance benefit")),
    ("pension", _("Pension")),
    ("disability_pension", _("Disability pension")),
    ("unemployment_benefit", _("Unemployment benefit")),
    ("other", _("Other")),
    *UNKNOWN_ANSWERS,
]
IDENTITY_DOCUMENTS = [
    ("id_card", _("Identity card")),
    ("passport", _("Passport")),
    ("residence_card", _("Residence card")),
    ("none", _("No document")),
    *UNKNOWN_ANSWERS,
]
DISABILITY_CHOICES = [
    ("none", _("No disability")),
    ("certified", _("Certified disability")),
    ("uncertified", _("Disability without a certificate")),
    *UNKNOWN_ANSWERS,
]
ADDICTION_CHOICES = [
    ("alcohol", _("Alcohol")),
    ("drugs", _("Drugs")),
    ("gambling", _("Gambling")),
    ("other", _("Other")),
    ("none", _("None")),
    *UNKNOWN_ANSWERS,
]
# The client's multi-choice facts (stored as lists of codes) and their choices.
MULTIPLE_CHOICES = {
    "homelessness_reasons": HOMELESSNESS_REASONS,
    "income_sources": INCOME_SOURCES,
    "identity_documents": IDENTITY_DOCUMENTS,
    "addictions": ADDICTION_CHOICES,
}


class Client(models.Model):
    """A person the foundation serves (podopieczny), and a data subject of the vault.

    The identity is encrypted under the person's own key. Only what reports need stays in clear:
    year of birth, sex, the responsible municipality and dates. URLs carry the subject's UUID.
    """

    subject = models.OneToOneField(
        Subject, primary_key=True, on_delete=models.PROTECT, related_name="client"
    )
    first_name = EncryptedCharField(_("first name"), label="client.first_name", max_length=100)
    # Blank only for a walk-in who refused to give it (WalkIn.surname_refused); the intake form
    # asks for it.
    surname = EncryptedCharField(_("surname"), label="client.surname", max_length=100, blank=True)
    pesel = EncryptedCharField(
        _("PESEL"), label="client.pesel", max_length=11, blank=True, validators=[validate_pesel]
    )
    birth_date = EncryptedDateField(
        _("date of birth"), label="client.birth_date", null=True, blank=True
    )
    phone = EncryptedCharField(_("phone"), label="client.phone", max_length=40, blank=True)
    email = EncryptedCharField(_("e-mail"), label="client.email", max_length=254, blank=True)
    contact_note = EncryptedTextField(
        _("how to reach"), label="client.contact_note", blank=True, max_length=2000
    )
    citizenship = EncryptedCharField(
        _("citizenship"), label="client.citizenship", max_length=60, blank=True
    )
    preferred_language = EncryptedCharField(
        _("preferred language"), label="client.preferred_language", max_length=60, blank=True
    )
    homelessness_reasons = EncryptedJSONField(
        _("reasons for homelessness"), label="client.homelessness_reasons", default=list, blank=True
    )
    income_sources = EncryptedJSONField(
        _("income sources"), label="client.income_sources", default=list, blank=True
    )
    identity_documents = EncryptedJSONField(
        _("identity documents held"), label="client.identity_documents", default=list, blank=True
    )
    health_note = EncryptedTextField(
        _("health"), label="client.health_note", blank=True, max_length=5000
    )
    disability = EncryptedCharField(
        _("disability"),
        label="client.disability",
        max_length=20,
        blank=True,
        choices=DISABILITY_CHOICES,
    )
    addictions = EncryptedJSONField(
        _("addiction"), label="client.addictions", default=list, blank=True
    )
    pregnancy_due_on = EncryptedDateField(
        _("pregnancy: due date"), label="client.pregnancy_due_on", null=True, blank=True
    )

    # In clear, for statistics: not identifying on their own.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.NOT_KNOWN)
    municipality_code = models.CharField(_("municipality (TERYT code)"), max_length=7, blank=True)
    ethos = models.CharField(
        _("homelessness situation (ETHOS Light)"),
        max_length=10,
        choices=Ethos.choices,
        default=Ethos.UNKNOWN,
    )
    episode_started_on = models.DateField(
        _("current homelessness episode began on"), null=True, blank=True
    )
    episodes_last_3_years = models.PositiveSmallIntegerField(
        _("episodes of homelessness in the last 3 years"), null=True, blank=True
    )
    pathway_stage = models.CharField(
        _("pathway stage"), max_length=20, choices=PathwayStage.choices, default=PathwayStage.STREET
    )
    # The case is open unless closed; closing and reopening keep one continuous record.
    closed_on = models.DateField(_("case closed on"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), default=datetime.date.today)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # Blind indexes (truncated HMACs); cleared on erasure; never copied to history.
    pesel_bidx = models.IntegerField(null=True, db_index=True, editable=False)
    name_bidx = models.IntegerField(null=True, db_index=True, editable=False)
    surname_birth_bidx = models.IntegerField(null=True, db_index=True, editable=False)

    BLIND_INDEX_FIELDS = BLIND_INDEX_FIELDS
    # Special categories (health, disability, addiction, pregnancy): the rule book's part
    # "sensitive", shown and changed only by ways that read it (not by break-glass).
    SENSITIVE_FIELDS = ("health_note", "disability", "addictions", "pregnancy_due_on")
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=BLIND_INDEX_FIELDS)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["-registered_on"]
        indexes = [
            # Clients served by sex and age band (reports.measures): the report joins the
            # period's clients to this narrow index instead of reading every wide, sealed row
            # (at 1,000,000 clients 41 MB against 868 MB). PostgreSQL only covers; SQLite
            # keeps a plain index of the key.
            models.Index(
                fields=["subject"], include=["sex", "birth_year"], name="cases_client_band"
            ),
        ]

    def __str__(self) -> str:
        # Never the name: str() and repr() end up in tracebacks, admin logs and error reports.
        return f"client {self.pk}"

    def save(self, *args, **kwargs):
        # The indexes are an invariant of the row: computed from the plaintext on every save.
        self.refresh_blind_indexes()
        if isinstance(self.birth_date, datetime.date):
            self.birth_year = self.birth_date.year
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        # An erased person is one neutral marker, not a marker per name part.
        if ERASED in (self.first_name, self.surname):
            return str(ERASED)
        return f"{self.first_name} {self.surname}".strip()

    @property
    def phone_for_display(self) -> str:
        """The number as people write it (+48 600 700 800); stored in E.164."""
        return phone_display(self.phone)

    @property
    def display_name(self) -> str:
        """First name and the initial of the surname: what a bed board shows."""
        if ERASED in (self.first_name, self.surname):
            return str(ERASED)
        surname = str(self.surname)
        return f"{self.first_name} {surname[:1]}." if surname else str(self.first_name)

    @property
    def is_erased(self) -> bool:
        return self.subject.is_erased

    def refresh_blind_indexes(self) -> None:
        # An erased person has no plaintext to index, and nothing of theirs may be written.
        if ERASED in (self.first_name, self.surname, self.pesel, self.birth_date):
            raise SubjectErased(str(self.pk))
        birth = self.birth_date.isoformat() if isinstance(self.birth_date, datetime.date) else ""
        self.pesel_bidx = blind.index_value("client.pesel", self.pesel or "")
        self.name_bidx = blind.index_value(
            "client.surname+first_name", self.surname, self.first_name
        )
        self.surname_birth_bidx = blind.index_value(
            "client.surname+birth_date", self.surname, birth
        )


class ClientUserObjectPermission(UserObjectPermissionBase):
    """Direct per-client permissions of a user (guardian), e.g. a social worker's caseload."""

    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    """Direct per-client permissions of a group (guardian), e.g. a team's caseload."""

    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


def _client_fk(related_name: str):
    return models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name=related_name, verbose_name=_("client")
    )


def _staff_fk(related_name: str = "+", *, null: bool = False):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        null=null,
        blank=null,
    )


class CaseEpisode(models.Model):
    """One opening-to-closing span of a client's case; reopening starts a new episode."""

    class Outcome(models.TextChoices):
        OWN_HOUSING = "own_housing", _("Moved to own housing")
        FAMILY = "family", _("Moved to family")
        OTHER_FACILITY = "other_facility", _("Moved to another facility")
        LOST_CONTACT = "lost_contact", _("Lost contact")
        DIED = "died", _("Died")
        OTHER = "other", _("Other")

    client = _client_fk("episodes")
    opened_on = models.DateField(_("opened on"))
    opened_by = _staff_fk(null=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = _staff_fk(null=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case episode")
        verbose_name_plural = _("case episodes")

    def __str__(self) -> str:
        return f"{self.opened_on}–{self.closed_on or ''}"


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        """Assignments in force: one per client (a partial unique index says so)."""
        return self.filter(ended_at__isnull=True)

    def held_in(self, organisation_id):
        """Assignments whose worker is of `organisation_id` (none for no organisation)."""
        if organisation_id is None:
            return self.none()
        return self.filter(worker__organisation_id=organisation_id)


class Assignment(models.Model):
    """Who holds a client's file: a worker (and optionally their team) from a date to a date."""

    client = _client_fk("assignments")
    worker = _staff_fk("assignments")
    team = models.ForeignKey(
        "auth.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = _staff_fk(null=True)
    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_holder_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.started_at:%Y-%m-%d}"


class HandoverRequestQuerySet(VaultQuerySet):
    def open(self):
        return self.filter(status=HandoverRequest.Status.OPEN)

    def held_in(self, organisation_id):
        """Requests for files held now in `organisation_id`: the ones its managers decide."""
        held = Assignment.objects.current().held_in(organisation_id)
        return self.filter(client__in=held.values("client_id"))

    def asked_by(self, user):
        return self.filter(requested_by=user)


class HandoverRequest(models.Model):
    """A worker asks for a file held by someone else; the holder's organisation decides.

    The manager of the organisation that holds the file when it is decided accepts or refuses
    (within one organisation, that organisation's manager): never the requester's manager alone,
    or a file could be taken across organisations. The requester states why (encrypted: it may
    name the person); both sides see the decision.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        DONE = "done", _("Handed over")
        REFUSED = "refused", _("Refused")

    client = _client_fk("handover_requests")
    requested_by = _staff_fk("handover_requests")
    requested_at = models.DateTimeField(auto_now_add=True)
    # Required of every new request (handover_request); requests made before reasons were
    # asked have an empty one, and can still be decided.
    reason = EncryptedTextField(
        _("why you need the file"),
        label="handover.reason",
        max_length=2000,
        blank=True,
        subject_field="client",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = _staff_fk(null=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    objects = HandoverRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handover request")
        verbose_name_plural = _("handover requests")

    def __str__(self) -> str:
        return f"handover {self.pk}"


class BreakGlassQuerySet(VaultQuerySet):
    def in_force(self):
        """Accesses not yet expired."""
        return self.filter(expires_at__gt=timezone.now())

    def of_staff_of(self, organisation_id):
        """Accesses opened by workers of `organisation_id`: their managers review them."""
        if organisation_id is None:
            return self.none()
        return self.filter(user__organisation_id=organisation_id)

    def unreviewed(self):
        return self.filter(reviewed_at__isnull=True)


class BreakGlassAccess(models.Model):
    """Emergency read access outside one's caseload: stated reason, time-limited, reviewed."""

    client = _client_fk("break_glass")
    user = _staff_fk("break_glass")
    reason = EncryptedTextField(
        _("reason"), label="breakglass.reason", max_length=1000, subject_field="client"
    )
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = _staff_fk(null=True)
    objects = BreakGlassQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")

    def __str__(self) -> str:
        return f"break-glass {self.pk}"


class Household(models.Model):
    """A household living together, e.g. a mother (the head, a client) and her children."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    head = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="household")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return str(self.id)


class HouseholdMember(models.Model):
    """A member of a household other than its head; each one a data subject with their own key."""

    class Relationship(models.TextChoices):
        CHILD = "child", _("Child")
        PARTNER = "partner", _("Partner")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Brother or sister")
        OTHER = "other", _("Other")

    subject = models.OneToOneField(
        Subject, primary_key=True, on_delete=models.PROTECT, related_name="household_member"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    first_name = EncryptedCharField(_("first name"), label="member.first_name", max_length=100)
    surname = EncryptedCharField(_("surname"), label="member.surname", max_length=100, blank=True)
    birth_date = EncryptedDateField(
        _("date of birth"), label="member.birth_date", null=True, blank=True
    )
    relationship = models.CharField(
        _("relationship to the head"), max_length=10, choices=Relationship.choices
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.NOT_KNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    is_active = models.BooleanField(_("lives in the household"), default=True)
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return f"household member {self.pk}"

    def save(self, *args, **kwargs):
        if isinstance(self.birth_date, datetime.date):
            self.birth_year = self.birth_date.year
        super().save(*args, **kwargs)


class DoNotDisclose(models.Model):
    """Someone the client's presence must never be disclosed to (e.g. a violent partner)."""

    client = _client_fk("do_not_disclose")
    person_name = EncryptedCharField(
        _("person"), label="dnd.person_name", max_length=200, subject_field="client"
    )
    other_client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the same person's file, if they are a client"),
    )
    note = EncryptedTextField(
        _("note"), label="dnd.note", blank=True, max_length=2000, subject_field="client"
    )
    created_by = _staff_fk(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("do-not-disclose entry")
        verbose_name_plural = _("do-not-disclose list")

    def __str__(self) -> str:
        return f"dnd {self.pk}"


class CaseNote(models.Model):
    class Kind(models.TextChoices):
        CONVERSATION = "conversation", _("Conversation")
        VISIT = "visit", _("Home or street visit")
        PHONE = "phone", _("Phone call")
        CRISIS = "crisis", _("Crisis intervention")
        OTHER = "other", _("Other")

    client = _client_fk("notes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    noted_on = models.DateField(_("date"))
    text = EncryptedTextField(
        _("note"), label="note.text", max_length=20_000, subject_field="client"
    )
    is_important = models.BooleanField(_("important"), default=False)
    # Sensitive notes (health, violence) are shown only to the caseload holders.
    is_sensitive = models.BooleanField(_("sensitive (health, violence)"), default=False)
    author = _staff_fk("case_notes")
    created_at = models.DateTimeField(auto_now_add=True)
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-noted_on", "-created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"note {self.pk}"


ASSESSMENT_DOMAINS = [
    ("housing", _("Housing")),
    ("income", _("Income")),
    ("employment", _("Employment")),
    ("education", _("Education and skills")),
    ("physical_health", _("Physical health")),
    ("mental_health", _("Mental health")),
    ("addiction", _("Addiction")),
    ("family", _("Family and social network")),
    ("documents", _("Documents and legal matters")),
    ("debt", _("Debt")),
]
# Health and addiction are special categories: shown only to ways that read "sensitive".
SENSITIVE_DOMAINS = frozenset({"physical_health", "mental_health", "addiction"})


class Assessment(models.Model):
    """Scores 1 (in crisis) to 5 (thriving) over the life domains, with a note per domain."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake assessment")
        REASSESSMENT = "reassessment", _("Reassessment")

    client = _client_fk("assessments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    assessed_on = models.DateField(_("date"))
    scores = EncryptedJSONField(_("scores"), label="assessment.scores", subject_field="client")
    notes = EncryptedJSONField(
        _("notes"), label="assessment.notes", default=dict, blank=True, subject_field="client"
    )
    author = _staff_fk("assessments")
    created_at = models.DateTimeField(auto_now_add=True)
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"assessment {self.pk}"


class Document(models.Model):
    """A scanned document (PDF, JPEG, PNG), stored encrypted on disk under the client's key."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("Identity document")
        CONSENT = "consent", _("Signed consent")
        PLAN = "plan", _("Signed plan or contract")
        DECISION = "decision", _("Decision or certificate")
        MEDICAL = "medical", _("Medical document")
        OTHER = "other", _("Other")

    # Kinds that are, or may well be, special categories (art. 9 and 10 GDPR), for ways that
    # read "sensitive" only: medical papers; decisions and certificates (a disability
    # certificate, a court's decision); and "other", whose content nobody has classified.
    SENSITIVE_KINDS = frozenset({Kind.MEDICAL, Kind.DECISION, Kind.OTHER})

    client = _client_fk("documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = EncryptedCharField(
        _("title"), label="document.title", max_length=200, subject_field="client"
    )
    file = models.OneToOneField("privacy.EncryptedFile", on_delete=models.PROTECT, related_name="+")
    uploaded_by = _staff_fk("documents")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"document {self.pk}"


class Consent(models.Model):
    """The client's consent for one purpose (and partner); withdrawal takes effect at once."""

    class Purpose(models.TextChoices):
        CASE_WORK = "case_work", _("Processing for case work")
        SHARE_PARTNER = "share_partner", _("Sharing with a named partner")
        REFERRAL = "referral", _("Sharing for a referral")
        PHOTO = "photo", _("Photo")

    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Consent (art. 6(1)(a) and 9(2)(a) GDPR)")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (art. 6(1)(c) GDPR)")
        PUBLIC_TASK = "public_task", _("Public task (art. 6(1)(e) GDPR)")
        VITAL_INTEREST = "vital_interest", _("Vital interest (art. 6(1)(d) GDPR)")

    client = _client_fk("consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    partner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("partner"),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    signed_form = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed form"),
    )
    recorded_by = _staff_fk("consents")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk}"


class ReferralQuerySet(VaultQuerySet):
    def to_partner(self, organisation_id):
        """Referrals sent to `organisation_id` (none for no organisation)."""
        if organisation_id is None:
            return self.none()
        return self.filter(partner_id=organisation_id)

    def consented(self, on=None):
        """Referrals whose client's consent to share with the partner holds on the day.

        Checked in the query itself, so a withdrawal cuts the partner off in the same request.
        """
        day = on or timezone.localdate()
        consent = Consent.objects.filter(
            client=OuterRef("client"),
            partner=OuterRef("partner"),
            purpose__in=REFERRAL_CONSENTS,
            given_on__lte=day,
        ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        return self.filter(Exists(consent))


# The consents a referral may rely on.
REFERRAL_CONSENTS = (Consent.Purpose.REFERRAL, Consent.Purpose.SHARE_PARTNER)


class Referral(models.Model):
    """A referral to a partner organisation's service; the partner sees only what it carries."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")

    client = _client_fk("referrals")
    partner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("partner"),
    )
    # Encrypted: a service ("addiction therapy") can say as much as a diagnosis, and free text
    # may name anyone.
    service = EncryptedCharField(
        _("service"), label="referral.service", max_length=200, subject_field="client"
    )
    summary = EncryptedTextField(
        _("what the partner needs to know"),
        label="referral.summary",
        max_length=5000,
        subject_field="client",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    decline_reason = EncryptedTextField(
        _("reason for declining"),
        label="referral.decline_reason",
        blank=True,
        max_length=2000,
        subject_field="client",
    )
    sent_on = models.DateField(_("sent on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = _staff_fk("referrals")
    objects = ReferralQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"referral {self.pk}"


class PlanQuerySet(VaultQuerySet):
    def awaiting_approval_in(self, organisation_id):
        """Plans written in `organisation_id` and waiting for its manager's approval."""
        if organisation_id is None:
            return self.none()
        return self.filter(
            status=Plan.Status.AWAITING_APPROVAL, created_by__organisation_id=organisation_id
        )


class Plan(models.Model):
    """An individual plan: IPWzB (art. 49) or a social contract (art. 108), typed and versioned."""

    class Kind(models.TextChoices):
        IPWZB = "ipwzb", _("Individual programme for leaving homelessness (IPWzB)")
        CONTRACT = "contract", _("Social contract")
        # The individual programme of social employment of a CIS participant (art. 13 of the
        # act on social employment): the same machinery, linked from the enrolment.
        IPZS = "ipzs", _("Individual programme of social employment (IPZS)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        ACTIVE = "active", _("In force")
        CLOSED = "closed", _("Closed")

    client = _client_fk("plans")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    situation = EncryptedTextField(
        _("situation"),
        label="plan.situation",
        blank=True,
        max_length=20_000,
        subject_field="client",
    )
    causes = EncryptedTextField(
        _("causes"), label="plan.causes", blank=True, max_length=20_000, subject_field="client"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    review_every_days = models.PositiveSmallIntegerField(_("review every (days)"), default=14)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    requires_approval = models.BooleanField(
        _("requires approval by the head of the centre"), default=True
    )
    approved_by = _staff_fk(null=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = _staff_fk("plans")
    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class PlanGoal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    client = _client_fk("+")
    position = models.PositiveSmallIntegerField(default=0)
    text = EncryptedTextField(_("goal"), label="goal.text", max_length=2000, subject_field="client")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    outcome = EncryptedTextField(
        _("outcome"), label="goal.outcome", blank=True, max_length=2000, subject_field="client"
    )
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"goal {self.pk}"


class PlanStep(models.Model):
    class Party(models.TextChoices):
        CLIENT = "client", _("Client")
        WORKER = "worker", _("Social worker")
        PARTNER = "partner", _("Partner")

    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="steps")
    client = _client_fk("+")
    party = models.CharField(_("who acts"), max_length=10, choices=Party.choices)
    text = EncryptedTextField(_("step"), label="step.text", max_length=2000, subject_field="client")
    responsible = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanGoal.Status.choices, default=PlanGoal.Status.OPEN
    )
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"step {self.pk}"


class PlanReview(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    client = _client_fk("+")
    reviewed_on = models.DateField(_("reviewed on"))
    note = EncryptedTextField(
        _("note"), label="review.note", max_length=5000, subject_field="client"
    )
    reviewed_by = _staff_fk("plan_reviews")
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"review {self.pk}"


class PathwayStep(models.Model):
    """A dated step on the client's ladder, up or down; reports count moves between stages.

    Derived steps are (re)computed from stays, enrolments, placements and case closure
    (cases.pathway); manual ones record what the system cannot see (the street, an own home
    after the case closed) and are never rewritten by the derivation.
    """

    class Source(models.TextChoices):
        DERIVED = "derived", _("Derived from the records")
        MANUAL = "manual", _("Recorded by a worker")

    client = _client_fk("pathway")
    stage = models.CharField(_("stage"), max_length=20, choices=PathwayStage.choices)
    on = models.DateField(_("date"))
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    recorded_by = _staff_fk(null=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")

    def __str__(self) -> str:
        return f"{self.stage} {self.on}"


class WalkInQuerySet(VaultQuerySet):
    def waiting(self):
        """Walk-ins no social worker has taken yet, whose file nobody holds."""
        held = Assignment.objects.current().filter(client=OuterRef("client"))
        return self.filter(taken_at__isnull=True).exclude(Exists(held))

    def of_organisation(self, organisation_id):
        """Walk-ins registered at a facility of `organisation_id` (none for no organisation)."""
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)


class WalkIn(models.Model):
    """A person registered at a facility's door by its staff: a short record, checked in at once.

    They wait in the "new walk-ins" list of the facility's organisation until a social worker
    takes the file (becomes its holder) and completes the intake. The year of birth may be an
    estimate; the surname may have been refused. The note for the social worker is encrypted
    under the person's key.
    """

    client = models.OneToOneField(
        Client,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="walk_in",
        verbose_name=_("client"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = _staff_fk()
    surname_refused = models.BooleanField(_("refused to give the surname"), default=False)
    birth_year_estimated = models.BooleanField(_("year of birth estimated"), default=False)
    note = EncryptedTextField(
        _("note for the social worker"),
        label="walkin.note",
        max_length=2000,
        blank=True,
        subject_field="client",
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    taken_by = _staff_fk(null=True)
    objects = WalkInQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["registered_at"]
        verbose_name = _("walk-in")
        verbose_name_plural = _("walk-ins")
        indexes = [
            models.Index(
                fields=["organisation"],
                condition=models.Q(taken_at__isnull=True),
                name="walkin_waiting_by_org",
            )
        ]

    def __str__(self) -> str:
        return f"walk-in {self.pk}"
