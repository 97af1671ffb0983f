"""object_rel_direction_{easy,medium,hard}: stand at A, face B, where is C?

Angles are counter-clockwise in the xy-plane from the facing vector, degrees [0, 360)
(+z up). Bins (VSI-Bench): hard = quadrants [0,90) front-left, [90,180) back-left,
[180,270) back-right, [270,360) front-right; medium = [0,135) left, [135,225) back,
[225,360) right; easy = left/right only (the back sector is never asked).
The gold comes from the program API's direction helpers, which also return
"ambiguous" near bin edges. Knob `margin`: degrees from the nearest bin edge.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from curation.constants import DIFFICULTY_BINS, DIRECTION_SCREEN_DEG, MIN_FACING_M
from curation.tasks.base import (
    AMBIGUOUS,
    Candidate,
    Draw,
    TaskFamily,
    by_thresholds,
    check_reading,
    literal,
    make_candidate,
    pick,
    shuffled,
    single_box_categories,
    spoken,
)
from curation.tasks.knobs import boundary_margin, ccw_angle, centroid

QUADRANT_NOTE = (
    "\nThe directions refer to the quadrants of a Cartesian plane "
    "(if I am standing at the origin and facing along the positive y-axis)."
)
BACK_NOTE = "\nAn object is to my back if I would have to turn at least 135 degrees in order to face it."


def _spec(helper: str, labels: tuple[str, ...], edges: tuple[float, ...], phrasings: tuple[str, ...]) -> dict:
    return {"helper": helper, "labels": labels, "edges": edges, "phrasings": phrasings}


SPECS = {
    "object_rel_direction_hard": _spec(
        "get_rel_direction_quadrant",
        ("front-left", "front-right", "back-left", "back-right"),
        (0.0, 90.0, 180.0, 270.0),
        (
            "If I am standing by the {a} and facing the {b}, is the {c} to my front-left, front-right, back-left, "
            "or back-right?" + QUADRANT_NOTE,
            "Imagine I am standing by the {a} and facing the {b}. Is the {c} to my front-left, front-right, "
            "back-left, or back-right?" + QUADRANT_NOTE,
        ),
    ),
    "object_rel_direction_medium": _spec(
        "get_rel_direction_lrb",
        ("left", "right", "back"),
        (0.0, 135.0, 225.0),
        (
            "If I am standing by the {a} and facing the {b}, is the {c} to my left, right, or back?" + BACK_NOTE,
            "Imagine I am standing by the {a} and facing the {b}. Is the {c} to my left, right, or back?" + BACK_NOTE,
        ),
    ),
    "object_rel_direction_easy": _spec(
        "get_rel_direction_lr",
        ("left", "right"),
        (0.0, 135.0, 225.0),
        (
            "If I am standing by the {a} and facing the {b}, is the {c} to the left or the right of the {b}?",
            "Imagine I am standing by the {a} and facing the {b}. Is the {c} to the left or the right of the {b}?",
        ),
    ),
}

PROGRAM = """def compute_answer():
    for category in {cats}:
        if len(object_bboxes.get(category, [])) != 1:
            return {ambiguous}
    return {helper}({a}, {b}, {c}, object_bboxes)
"""


# The benchmark's reading: the first box of each object, and the bin of the query centroid's
# CCW angle with no near-edge margin (easy splits at 180 degrees: it has no back sector).
BENCHMARK_PROGRAM = """def compute_answer():
    boxes = [object_bboxes.get(category, [])[:1] for category in {cats}]
    if not all(boxes):
        return {ambiguous}
    origin = np.array(boxes[0][0]["centroid"][:2], dtype=float)
    ahead = np.array(boxes[1][0]["centroid"][:2], dtype=float) - origin
    target = np.array(boxes[2][0]["centroid"][:2], dtype=float) - origin
    angle = math.degrees(math.atan2(ahead[0] * target[1] - ahead[1] * target[0], float(ahead @ target))) % 360.0
    label = {ambiguous}
    for edge, name in zip({edges}, {labels}):
        if angle >= edge:
            label = name
    return label
"""
BENCHMARK_BINS = {  # task -> (bin start angles, their labels), counter-clockwise from facing
    "object_rel_direction_hard": ((0.0, 90.0, 180.0, 270.0), ("front-left", "back-left", "back-right", "front-right")),
    "object_rel_direction_medium": ((0.0, 135.0, 225.0), ("left", "back", "right")),
    "object_rel_direction_easy": ((0.0, 180.0), ("left", "right")),
}


def program(task: str, standing: str, facing: str, query: str, reading: str = "unique") -> str:
    """The program answering direction `task` (…_easy/_medium/_hard): under the `unique` reading
    with the API's bins and margins, under the `benchmark` reading as BENCHMARK_PROGRAM says."""
    cats, ambiguous = literal([standing, facing, query]), literal(AMBIGUOUS)
    if check_reading(reading) == "benchmark":
        edges, labels = BENCHMARK_BINS[task]
        return BENCHMARK_PROGRAM.format(cats=cats, ambiguous=ambiguous, edges=literal(edges), labels=literal(labels))
    return PROGRAM.format(
        cats=cats, ambiguous=ambiguous, helper=SPECS[task]["helper"],
        a=literal(standing), b=literal(facing), c=literal(query),
    )


class ObjectRelDirection(TaskFamily):
    name = "object_rel_direction"
    templates = {task: ("stand_face",) for task in SPECS}

    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        spec = SPECS[draw.task]
        singles = single_box_categories(draw.scene)
        if len(singles) < 3:
            return None
        names = sorted(singles)
        a, b, c = (names[i] for i in rng.choice(len(names), 3, replace=False))
        heading = centroid(singles[b])[:2] - centroid(singles[a])[:2]
        if float(np.hypot(*heading)) < MIN_FACING_M:
            return None
        angle = ccw_angle(singles[a], singles[b], singles[c])
        if draw.task == "object_rel_direction_easy" and 135.0 <= angle < 225.0:
            return None  # the back sector has no easy answer
        margin = round(boundary_margin(angle, spec["edges"]), 2)
        if margin < DIRECTION_SCREEN_DEG:
            return None  # the helpers answer "ambiguous" this close to an edge
        texts = shuffled(spec["labels"], rng)
        return make_candidate(
            draw,
            pick(spec["phrasings"], rng).format(a=spoken(a), b=spoken(b), c=spoken(c)),
            program(draw.task, a, b, c),
            {"margin": margin, "angle_deg": round(angle, 2)},
            by_thresholds(margin, DIFFICULTY_BINS[self.name]),
            texts,
        )

    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:
        return program(task, roles["standing"], roles["facing"], roles["query"], reading)
