"""Registering a client, changing the intake facts, closing and reopening the case."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.reach import Part
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.record import record, save_with_history
from audit.services import access_log_write
from cases.access import require_change
from cases.models import CaseEpisode, Client, PathwayStep
from cases.services.assignments import assignment_start
from privacy import vault
from privacy.models import Subject

Action = AccessLogEntry.Action

CLIENT_FIELDS = [
    "first_name",
    "surname",
    "pesel",
    "birth_date",
    "sex",
    "phone",
    "email",
    "contact_note",
    "municipality_code",
    "citizenship",
    "preferred_language",
    "ethos",
    "episode_started_on",
    "episodes_last_3_years",
    "homelessness_reasons",
    "income_sources",
    "identity_documents",
    "health_note",
    "disability",
    "addictions",
    "pregnancy_due_on",
    "pathway_stage",
]


def _check_fields(fields, where: str) -> None:
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"{where} got unknown fields {sorted(unknown)}")


def client_register(*, by, request=None, **fields) -> Client:
    """Register a new client as a data subject with their own key, in the registrar's caseload.

    Opens the first case episode and assigns the client to the registering worker.
    """
    if not by.has_role(Role.SOCIAL_WORKER):
        raise PermissionDenied(_("Only social workers register clients."))
    _check_fields(fields, "client_register")
    with transaction.atomic():
        subject = vault.subject_create(kind="client")
        client = save_with_history(
            Client(subject=subject, registered_by=by, **fields), by=by, reason="client_register"
        )
        today = timezone.localdate()
        save_with_history(
            CaseEpisode(client=client, opened_on=today, opened_by=by),
            by=by,
            reason="client_register",
        )
        save_with_history(
            PathwayStep(client=client, stage=client.pathway_stage, on=today, recorded_by=by),
            by=by,
            reason="client_register",
        )
        assignment_start(client=client, worker=by, by=by)
        access_log_write(
            actor=by,
            action=Action.CREATE,
            subject_id=client.pk,
            purpose=Purpose.REGISTER,
            request=request,
        )
    return client


def client_update(*, by, client: Client, request=None, **changes) -> Client:
    """Change a client's intake facts; the old values stay in the history.

    The sensitive facts (health, disability, addiction, pregnancy) change only through a way
    that changes the sensitive part. An erased person is refused under a lock on their subject
    row, so an erasure cannot commit between the check and the save: another process may still
    hold their key for a while, and a save would write the blind indexes back.
    """
    require_change(by, client.pk, Part.FILE)
    _check_fields(changes, "client_update")
    if set(changes) & set(Client.SENSITIVE_FIELDS):
        require_change(by, client.pk, Part.SENSITIVE)
    with transaction.atomic():
        if Subject.objects.select_for_update().get(pk=client.pk).is_erased:
            raise ValidationError(_("This person's data has already been erased."))
        # A move on the ladder, up or down, is recorded with its date.
        stage = changes.get("pathway_stage")
        if stage and stage != client.pathway_stage:
            save_with_history(
                PathwayStep(client=client, stage=stage, on=timezone.localdate(), recorded_by=by),
                by=by,
                reason="client_update",
            )
        for name, value in changes.items():
            setattr(client, name, value)
        record(
            client,
            by=by,
            reason="client_update",
            subject_id=client.pk,
            purpose=Purpose.EDIT,
            request=request,
        )
    return client


def case_close(*, by, client: Client, outcome: str, request=None) -> CaseEpisode:
    """Close the client's open case episode with an outcome; the record stays whole."""
    require_change(by, client.pk)
    if outcome not in CaseEpisode.Outcome.values:
        raise ValidationError(_("Choose an outcome."))
    with transaction.atomic():
        episode = (
            CaseEpisode.objects.select_for_update()
            .filter(client=client, closed_on__isnull=True)
            .first()
        )
        if episode is None and client.closed_on is not None:
            raise ValidationError(_("This case is already closed."))
        if episode is None:
            # A record from before episodes were kept: its open span began at registration.
            episode = CaseEpisode(client=client, opened_on=client.registered_on)
        episode.closed_on = timezone.localdate()
        episode.closed_by = by
        episode.outcome = outcome
        save_with_history(episode, by=by, reason="case_close")
        client.closed_on = episode.closed_on
        record(
            client,
            by=by,
            reason="case_close",
            subject_id=client.pk,
            purpose=Purpose.CLOSE,
            request=request,
        )
    return episode


def case_reopen(*, by, client: Client, request=None) -> CaseEpisode:
    """Reopen a closed case: a new episode of the same, continuous client record."""
    require_change(by, client.pk)
    with transaction.atomic():
        if CaseEpisode.objects.filter(client=client, closed_on__isnull=True).exists():
            raise ValidationError(_("This case is open."))
        episode = save_with_history(
            CaseEpisode(client=client, opened_on=timezone.localdate(), opened_by=by),
            by=by,
            reason="case_reopen",
        )
        client.closed_on = None
        record(
            client,
            by=by,
            reason="case_reopen",
            subject_id=client.pk,
            purpose=Purpose.REOPEN,
            request=request,
        )
    return episode
