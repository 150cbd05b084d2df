"""The ladder: a client's pathway stages, derived from what the records say, plus manual steps.

Facts come from sources other apps register (cases cannot import them): shelters' stays and
activation's enrolments and placements are registered by activation (ActivationConfig.ready);
cases itself gives the manual steps and the case closures. Each fact is a span of days
(`starts_on` .. `ends_on`, open-ended when None) on one of two tracks:
- housing: where the person lives (a stay's facility, the street, an own home...). A manual
  step or a closure "moved to own housing" lasts until the next housing fact begins;
- work: training, supported or open-market employment (an enrolment, a placement).
On each day the stage is the higher of the two tracks' rungs (someone living in a shelter and
taking part in a CIS is "in training"; the same person back in a night shelter is one rung
down again, recorded as honestly as a step up). A step is written wherever the stage changes.

`pathway_recompute(client=...)` rewrites the derived steps (idempotently: an unchanged ladder
writes nothing) and the client's current stage. It is called after the writes in activation
that change a ladder, and on reading a ladder (the file's activation page, the timeline), so
that a stay recorded at night is on the ladder the next time anyone looks: see
docs/activation.md, "The ladder".
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.record import save_with_history
from cases.models import CaseEpisode, Client, PathwayStage, PathwayStep

HOUSING = "housing"
WORK = "work"

# The rungs, from the bottom (GLOSSARY.md): a higher rung wins when both tracks have one.
RUNGS = {stage: number for number, stage in enumerate(PathwayStage.values)}
# The stages a worker records by hand: what the system cannot see.
MANUAL_STAGES = (PathwayStage.STREET, PathwayStage.OWN_HOME)
# Manual steps of these stages are housing facts (the rest, e.g. an old intake's "training",
# stay on the ladder as recorded but do not steer the derivation).
HOUSING_STAGES = (
    PathwayStage.STREET,
    PathwayStage.EMERGENCY,
    PathwayStage.SHELTER,
    PathwayStage.TRAINING_FLAT,
    PathwayStage.OWN_HOME,
)


@dataclass(frozen=True)
class Fact:
    """A span of days on one track at one stage (ends_on None: still going)."""

    track: str
    stage: str
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    # Point facts (manual steps, closures) last until the next fact of their track begins.
    until_next: bool = False


# source(client_ids) -> iterable of (client_id, Fact); one or two queries for all the clients.
Source = Callable[[list], Iterable[tuple]]
SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add a source of facts (from an app's AppConfig.ready)."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


@register
def _closures(client_ids):
    """A case closed with "moved to own housing": an own home from that day."""
    closed = CaseEpisode.objects.filter(
        client_id__in=client_ids,
        closed_on__isnull=False,
        outcome=CaseEpisode.Outcome.OWN_HOUSING,
    ).values_list("client_id", "closed_on")
    for client_id, closed_on in closed:
        yield client_id, Fact(HOUSING, PathwayStage.OWN_HOME, closed_on, until_next=True)


def _manual_facts(steps: Iterable[PathwayStep]) -> list[Fact]:
    return [
        Fact(HOUSING, step.stage, step.on, until_next=True)
        for step in steps
        if step.source == PathwayStep.Source.MANUAL and step.stage in HOUSING_STAGES
    ]


def _spans(facts: list[Fact]) -> list[tuple[Fact, datetime.date, datetime.date | None]]:
    """Each fact with its days (first, last or None); a point fact is cut by the next fact of
    its track (a stay starting the same day replaces it)."""
    spans = []
    for fact in facts:
        if not fact.until_next:
            spans.append((fact, fact.starts_on, fact.ends_on))
            continue
        later = [
            other.starts_on
            for other in facts
            if other is not fact
            and other.track == fact.track
            and (
                other.starts_on > fact.starts_on
                or (other.starts_on == fact.starts_on and not other.until_next)
            )
        ]
        last = min(later) - datetime.timedelta(days=1) if later else None
        if last is not None and last < fact.starts_on:
            continue
        spans.append((fact, fact.starts_on, last))
    return spans


def _stage_on(day: datetime.date, spans) -> str | None:
    """The higher rung of the two tracks' best stage on `day` (None: nothing known)."""
    best = None
    for fact, first, last in spans:
        on = first <= day and (last is None or day <= last)
        if on and (best is None or RUNGS[fact.stage] > RUNGS[best]):
            best = fact.stage
    return best


def derive_steps(facts: list[Fact]) -> list[tuple[datetime.date, str]]:
    """The dated stages a list of facts gives: one step wherever the stage changes.

    A day when nothing is known (between a check-out and the next record) keeps the last
    stage: the ladder does not guess a fall it has not seen.
    """
    spans = _spans(sorted(facts, key=lambda f: (f.starts_on, f.track, f.stage)))
    # The days the stage may change on: a span's first day and the day after its last.
    days = sorted(
        {first for _fact, first, _last in spans}
        | {last + datetime.timedelta(days=1) for _fact, _first, last in spans if last}
    )
    steps: list[tuple[datetime.date, str]] = []
    for day in days:
        stage = _stage_on(day, spans)
        if stage is not None and (not steps or steps[-1][1] != stage):
            steps.append((day, stage))
    return steps


def facts_for(client_ids: list, manual_steps: dict) -> dict:
    """{client_id: [Fact, ...]} from every source and the manual steps."""
    found: dict = {
        client_id: _manual_facts(manual_steps.get(client_id, ())) for client_id in client_ids
    }
    for source in SOURCES:
        for client_id, fact in source(client_ids):
            found.setdefault(client_id, []).append(fact)
    return found


def pathway_recompute(*, client: Client, by=None) -> list[PathwayStep]:
    """Rewrite the client's derived steps from the records, and their current stage.

    Idempotent: the derived steps that still hold are kept, the rest deleted (history keeps
    them), the missing ones added; a derived step that repeats a manual step of the same day
    and stage is not written twice. Returns the ladder, oldest first.
    """
    if client.is_erased:
        # Nothing of an erased person is written again: their ladder stays as it was erased
        # (the steps hold no personal data and still count in the reports).
        return list(PathwayStep.objects.filter(client=client).order_by("on", "pk"))
    with transaction.atomic():
        # The client's row serialises two recomputations of one ladder.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        steps = list(PathwayStep.objects.filter(client=client).order_by("on", "pk"))
        manual = [s for s in steps if s.source == PathwayStep.Source.MANUAL]
        derived = [s for s in steps if s.source == PathwayStep.Source.DERIVED]
        facts = facts_for([client.pk], {client.pk: manual})[client.pk]
        wanted = set(derive_steps(facts))
        recorded_by_hand = {(s.on, s.stage) for s in manual}
        wanted -= recorded_by_hand
        for step in derived:
            if (step.on, step.stage) in wanted:
                wanted.discard((step.on, step.stage))
                continue
            step._history_user = by
            step._change_reason = "pathway_recompute"
            step.delete()
        for on, stage in sorted(wanted):
            save_with_history(
                PathwayStep(client=client, stage=stage, on=on, source=PathwayStep.Source.DERIVED),
                by=by,
                reason="pathway_recompute",
            )
        ladder = list(PathwayStep.objects.filter(client=client).order_by("on", "pk"))
        today = timezone.localdate()
        current = next((s.stage for s in reversed(ladder) if s.on <= today), None)
        if current and current != client.pathway_stage:
            fresh = Client.objects.get(pk=client.pk)
            fresh.pathway_stage = current
            save_with_history(fresh, by=by, reason="pathway_recompute", validate=False)
            client.pathway_stage = current
    return ladder


def pathway_step_record(
    *, by, client: Client, stage: str, on: datetime.date, request=None
) -> PathwayStep:
    """Record by hand what the system cannot see: the street, or an own home after the case
    closed. The derivation then runs again (a manual step starts a housing span)."""
    from audit.purposes import Purpose
    from audit.record import record

    if stage not in MANUAL_STAGES:
        raise ValidationError(
            _(
                "Only the street or an own home is recorded by hand; the rest comes from "
                "the records."
            ),
            code="stage",
        )
    if on > timezone.localdate():
        raise ValidationError(_("A step cannot be dated in the future."), code="future")
    if on < client.registered_on:
        raise ValidationError(
            _("A step cannot be dated before the person was registered."), code="date_order"
        )
    with transaction.atomic():
        step = record(
            PathwayStep(
                client=client, stage=stage, on=on, source=PathwayStep.Source.MANUAL, recorded_by=by
            ),
            by=by,
            reason="pathway_step_record",
            subject_id=client.pk,
            action="create",
            purpose=Purpose.PATHWAY,
            request=request,
        )
        pathway_recompute(client=client, by=by)
    return step
