"""Walk-ins: a person registered at a facility's door, and the social worker who takes the file.

Shelter staff register someone who turns up with a short record (`walk_in_register`, called by
shelters' walk-in check-in in the same transaction as the stay); the person waits in the "new
walk-ins" list of the facility's organisation until one of its social workers takes the file
(`walk_in_take`: they become its holder) and completes the intake with the usual form.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import reach
from accounts.reach import Part
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.record import save_with_history
from audit.services import access_log_write
from cases.models import (
    Assignment,
    CaseEpisode,
    CaseNote,
    Client,
    Consent,
    PathwayStage,
    PathwayStep,
    Sex,
    WalkIn,
)
from cases.services.assignments import assignment_start
from privacy import vault

Action = AccessLogEntry.Action

# Whoever works at a facility's door may register a walk-in there (the caller checks the
# facility itself).
REGISTERING_ROLES = (Role.SHELTER_STAFF, Role.MANAGER, Role.SOCIAL_WORKER)
OLDEST_BIRTH_YEAR = 1900


def _check_record(
    *, first_name, surname, surname_refused, sex, birth_year, birth_year_estimated, legal_basis
) -> None:
    """Refuse a short record that says too little or contradicts itself (translated)."""
    errors = []
    if not first_name.strip():
        errors.append(ValidationError(_("Give the first name."), code="first_name"))
    if surname.strip() and surname_refused:
        errors.append(
            ValidationError(
                _("Give the surname, or mark that the person refused to give it: not both."),
                code="surname",
            )
        )
    if not surname.strip() and not surname_refused:
        errors.append(
            ValidationError(
                _("Give the surname, or mark that the person refused to give it."),
                code="surname",
            )
        )
    if sex not in Sex.values:
        errors.append(ValidationError(_("Choose the person's sex."), code="sex"))
    this_year = timezone.localdate().year
    if birth_year is not None and not OLDEST_BIRTH_YEAR <= birth_year <= this_year:
        errors.append(
            ValidationError(
                _("The year of birth must be between %(first)d and %(last)d.")
                % {"first": OLDEST_BIRTH_YEAR, "last": this_year},
                code="birth_year",
            )
        )
    if birth_year is None and birth_year_estimated:
        errors.append(ValidationError(_("Give the estimated year of birth."), code="birth_year"))
    if legal_basis not in Consent.LegalBasis.values:
        errors.append(
            ValidationError(_("Choose the legal basis for recording the data."), code="legal_basis")
        )
    if errors:
        raise ValidationError(errors)


def walk_in_register(
    *,
    by,
    organisation,
    first_name: str,
    surname: str = "",
    surname_refused: bool = False,
    sex: str,
    birth_year: int | None = None,
    birth_year_estimated: bool = False,
    note: str = "",
    legal_basis: str,
    pathway_stage: str = PathwayStage.EMERGENCY,
    at: datetime.datetime | None = None,
    request=None,
) -> Client:
    """Register a person who came to the door of a facility of `organisation`: no holder yet.

    The client is a data subject with their own key (names and the note encrypted); the legal
    basis is recorded as a case-work consent record, as the intake's; the first pathway step
    is the facility's stage. Shelters' walk-in check-in calls this inside its own transaction
    after checking that `by` works in the facility, so a refused check-in leaves nothing.
    """
    if not by.has_role(*REGISTERING_ROLES):
        raise PermissionDenied(_("Only staff of a facility register walk-ins."))
    if organisation is None:
        raise PermissionDenied(_("Only staff of a facility register walk-ins."))
    _check_record(
        first_name=first_name,
        surname=surname,
        surname_refused=surname_refused,
        sex=sex,
        birth_year=birth_year,
        birth_year_estimated=birth_year_estimated,
        legal_basis=legal_basis,
    )
    at = at or timezone.now()
    today = timezone.localdate(at)
    with transaction.atomic():
        subject = vault.subject_create(kind="client")
        client = save_with_history(
            Client(
                subject=subject,
                first_name=first_name.strip(),
                surname="" if surname_refused else surname.strip(),
                sex=sex,
                birth_year=birth_year,
                pathway_stage=pathway_stage,
                registered_on=today,
                registered_by=by,
            ),
            by=by,
            reason="walk_in_register",
        )
        save_with_history(
            WalkIn(
                client=client,
                organisation=organisation,
                registered_at=at,
                registered_by=by,
                surname_refused=surname_refused,
                birth_year_estimated=birth_year_estimated,
                note=note.strip(),
            ),
            by=by,
            reason="walk_in_register",
        )
        save_with_history(
            PathwayStep(client=client, stage=pathway_stage, on=today, recorded_by=by),
            by=by,
            reason="walk_in_register",
        )
        save_with_history(
            Consent(
                client=client,
                purpose=Consent.Purpose.CASE_WORK,
                legal_basis=legal_basis,
                given_on=today,
                recorded_by=by,
            ),
            by=by,
            reason="walk_in_register",
        )
        access_log_write(
            actor=by,
            action=Action.CREATE,
            subject_id=client.pk,
            purpose=Purpose.WALK_IN,
            request=request,
        )
    return client


def _door_note_carry(walk_in, client) -> None:
    """The note staff wrote at the door becomes the file's first case note (its author, its
    day), encrypted under the person's key like every note; the walk-in keeps its copy."""
    if not walk_in.note.strip():
        return
    heading = _("Note from the door intake")
    save_with_history(
        CaseNote(
            client=client,
            kind=CaseNote.Kind.OTHER,
            noted_on=timezone.localdate(walk_in.registered_at),
            text=f"{heading}:\n{walk_in.note}",
            author=walk_in.registered_by,
        ),
        by=walk_in.taken_by,
        reason="walk_in_take",
    )


def walk_in_take(*, by, client_id, request=None) -> Client:
    """A social worker of the walk-in's organisation takes the file: they become its holder.

    Opens the first case episode. Of two workers taking the same walk-in at once, one wins;
    the other is told a colleague has taken it (the walk-in's row is locked first).
    """
    if not by.has_role(Role.SOCIAL_WORKER):
        raise PermissionDenied(_("Only social workers take walk-ins' files."))
    with transaction.atomic():
        walk_in = WalkIn.objects.select_for_update().filter(pk=client_id).first()
        if walk_in is None:
            raise PermissionDenied(_("You may not take this file."))
        held = Assignment.objects.current().filter(client_id=walk_in.client_id).exists()
        if walk_in.taken_at is not None or held:
            raise ValidationError(_("A colleague has already taken this file."), code="taken")
        # Asked under the lock: the rule book's walk_in way (the worker's organisation).
        if "walk_in" not in reach.reach_of(by, walk_in.client_id, Part.IDENTITY).ways:
            raise PermissionDenied(_("You may not take this file."))
        now = timezone.now()
        walk_in.taken_at = now
        walk_in.taken_by = by
        save_with_history(walk_in, by=by, reason="walk_in_take")
        client = Client.objects.get(pk=walk_in.client_id)
        save_with_history(
            CaseEpisode(client=client, opened_on=timezone.localdate(now), opened_by=by),
            by=by,
            reason="walk_in_take",
        )
        assignment_start(client=client, worker=by, by=by)
        _door_note_carry(walk_in, client)
        access_log_write(
            actor=by,
            action=Action.UPDATE,
            subject_id=client.pk,
            purpose=Purpose.WALK_IN_TAKE,
            request=request,
        )
    return client
