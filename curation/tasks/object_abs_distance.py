"""object_abs_distance: distance in m between two single-instance objects, rounded to 0.1.

Distance mode `vsibench` (default) uses the point-sampled box distance VSI-Bench's
labels were made with; `exact` the closest-point distance (issue 7).
Knob: the approximate gap (very close objects carry the largest relative error).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from curation.constants import DIFFICULTY_BINS
from curation.tasks.base import (
    AMBIGUOUS,
    DISTANCE_FUNCTIONS,
    Candidate,
    Draw,
    TaskFamily,
    by_thresholds,
    literal,
    make_candidate,
    no_referent,
    single_box_categories,
    spoken,
)
from curation.tasks.knobs import aabb_gap

PHRASINGS = (
    "Measuring from the closest point of each object, what is the distance between the {a} and the {b} (in meters)?",
    "Measuring from the closest point of each object, how far apart are the {a} and the {b} (in meters)?",
    "What is the distance between the {a} and the {b} (in meters), measured between their closest points?",
)

PROGRAM = """def compute_answer():
    a = object_bboxes.get({a}, [])
    b = object_bboxes.get({b}, [])
    if {missing_a} or {missing_b}:
        return {ambiguous}
    return round({distance}(a, b), 1)
"""


def program(a: str, b: str, distance_mode: str = "vsibench", reading: str = "unique") -> str:
    """The program giving the distance (m, 0.1) between `a` and `b` in `distance_mode` (the closest
    pair of their boxes; single-instance under the `unique` reading)."""
    return PROGRAM.format(
        a=literal(a), b=literal(b), ambiguous=literal(AMBIGUOUS), distance=DISTANCE_FUNCTIONS[distance_mode],
        missing_a=no_referent("a", reading), missing_b=no_referent("b", reading),
    )


class ObjectAbsDistance(TaskFamily):
    name = "object_abs_distance"
    templates = {"object_abs_distance": ("closest_points",)}

    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        singles = single_box_categories(draw.scene)
        if len(singles) < 2:
            return None
        a, b = (sorted(singles)[i] for i in rng.choice(len(singles), 2, replace=False))
        gap = round(aabb_gap(singles[a], singles[b]), 2)
        phrasing = PHRASINGS[int(rng.integers(len(PHRASINGS)))]
        return make_candidate(
            draw,
            phrasing.format(a=spoken(a), b=spoken(b)),
            program(a, b, draw.distance_mode),
            {"gap_m": gap, "distance_mode": draw.distance_mode},
            by_thresholds(gap, DIFFICULTY_BINS[self.name]),
        )

    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:
        return program(roles["a"], roles["b"], distance_mode, reading)
