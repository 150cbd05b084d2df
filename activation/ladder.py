"""The ladder's facts from stays, enrolments and placements, and the picture of a ladder.

The derivation itself is cases.pathway (a client's steps are the case file's); this module
gives it the facts cases cannot read (registered from ActivationConfig.ready), and draws the
server-side SVG the file shows (no script, no style attribute: the strict CSP holds; the
classes are styled in static/css).
"""

import datetime
from dataclasses import dataclass

from django.utils import formats

from activation.models import Enrolment, Placement, PlacementKind, ProgrammeKind
from cases.models import PathwayStage
from cases.pathway import HOUSING, WORK, Fact
from shelters.models import FacilityKind, Stay

# Where a stay puts a person on the ladder, by the facility's kind.
FACILITY_STAGES = {
    FacilityKind.NIGHT_SHELTER: PathwayStage.EMERGENCY,
    FacilityKind.WARMING_CENTRE: PathwayStage.EMERGENCY,
    FacilityKind.SHELTER: PathwayStage.SHELTER,
    FacilityKind.SHELTER_WITH_CARE: PathwayStage.SHELTER,
    FacilityKind.SINGLE_MOTHER_HOUSE: PathwayStage.SHELTER,
    FacilityKind.TRAINING_FLAT: PathwayStage.TRAINING_FLAT,
}
# A programme's participation: training, or supported employment.
PROGRAMME_STAGES = {
    ProgrammeKind.WORKSHOP: PathwayStage.TRAINING,
    ProgrammeKind.CIS: PathwayStage.TRAINING,
    ProgrammeKind.KIS: PathwayStage.TRAINING,
    ProgrammeKind.COURSE: PathwayStage.TRAINING,
    ProgrammeKind.SUPPORTED_EMPLOYMENT: PathwayStage.SUPPORTED_WORK,
}
# A placement's kind: a training placement is training; a job in a cooperative, a supported or
# subsidised job is supported employment; the open market is the open market.
PLACEMENT_STAGES = {
    PlacementKind.TRAINING_PLACEMENT: PathwayStage.TRAINING,
    PlacementKind.SUPPORTED: PathwayStage.SUPPORTED_WORK,
    PlacementKind.COOPERATIVE: PathwayStage.SUPPORTED_WORK,
    PlacementKind.SUBSIDISED: PathwayStage.SUPPORTED_WORK,
    PlacementKind.OPEN_MARKET: PathwayStage.OPEN_MARKET,
}


def stays(client_ids):
    """Each stay: its facility's rung, from its first night to its last (open: still there)."""
    rows = Stay.objects.filter(client_id__in=client_ids).values_list(
        "client_id", "facility__kind", "night_of", "last_night"
    )
    for client_id, kind, first, last in rows:
        stage = FACILITY_STAGES.get(kind)
        if stage is not None:
            yield client_id, Fact(HOUSING, stage, first, last)


def enrolments(client_ids):
    """Each participation (started): training, or supported employment."""
    rows = Enrolment.objects.filter(client_id__in=client_ids, started_on__isnull=False).values_list(
        "client_id", "programme__kind", "started_on", "ended_on"
    )
    for client_id, kind, first, last in rows:
        yield client_id, Fact(WORK, PROGRAMME_STAGES[kind], first, last)


def placements(client_ids):
    """Each placement, by its kind."""
    rows = Placement.objects.filter(client_id__in=client_ids).values_list(
        "client_id", "kind", "started_on", "ended_on"
    )
    for client_id, kind, first, last in rows:
        yield client_id, Fact(WORK, PLACEMENT_STAGES[kind], first, last)


# --- The picture --------------------------------------------------------------------------------

WIDTH = 640
ROW = 26
# The rungs' labels end 8 px left of here, at 12 px: room for the longest Polish label
# ("Zatrudnienie na otwartym rynku", 30 characters, about 7 px each); 190 clipped it.
LEFT = 220
TOP = 10


@dataclass(frozen=True)
class Rung:
    label: str
    y: int
    reached: bool


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    stage: str
    label: str
    on: str
    is_down: bool
    is_manual: bool


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    rungs: tuple[Rung, ...]
    points: tuple[Point, ...]
    path: str
    left: int


def picture(steps) -> Picture:
    """The ladder as coordinates for an inline <svg>: a rung per stage (the top one highest),
    a point per step in date order, joined by a line; a step down is marked as one."""
    stages = PathwayStage.values
    height = TOP * 2 + ROW * len(stages)

    def y_of(stage: str) -> int:
        return TOP + ROW * (len(stages) - 1 - stages.index(stage)) + ROW // 2

    reached = {step.stage for step in steps}
    rungs = tuple(
        Rung(label=str(PathwayStage(stage).label), y=y_of(stage), reached=stage in reached)
        for stage in stages
    )
    points = []
    span = max(len(steps) - 1, 1)
    usable = WIDTH - LEFT - 20
    previous = None
    for number, step in enumerate(steps):
        x = LEFT + 10 + (usable * number) // span if len(steps) > 1 else LEFT + 10 + usable // 2
        points.append(
            Point(
                x=x,
                y=y_of(step.stage),
                stage=step.stage,
                label=str(PathwayStage(step.stage).label),
                on=formats.date_format(step.on, "SHORT_DATE_FORMAT")
                if isinstance(step.on, datetime.date)
                else "",
                is_down=previous is not None and stages.index(step.stage) < stages.index(previous),
                is_manual=getattr(step, "source", "") == "manual",
            )
        )
        previous = step.stage
    path = " ".join(f"{'M' if n == 0 else 'L'}{p.x},{p.y}" for n, p in enumerate(points))
    return Picture(
        width=WIDTH, height=height, rungs=rungs, points=tuple(points), path=path, left=LEFT
    )
