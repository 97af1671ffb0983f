"""object_size_estimation: longest edge of a single-instance object in cm.

Gold = round(max(axesLengths) * 100) (VSI-Bench rounds, the corpus truncated).
Knob: the longest edge (small objects carry the largest relative error).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from curation.constants import DIFFICULTY_BINS
from curation.tasks.base import (
    AMBIGUOUS,
    Candidate,
    Draw,
    TaskFamily,
    by_thresholds,
    literal,
    make_candidate,
    no_referent,
    pick,
    single_box_categories,
    spoken,
)

PHRASINGS = (
    "What is the length of the longest dimension (length, width, or height) of the {c}, measured in centimeters?",
    "Measured in centimeters, what is the length of the longest dimension (length, width, or height) of the {c}?",
    "How long is the longest side (length, width, or height) of the {c}, in centimeters?",
)

PROGRAM = """def compute_answer():
    boxes = object_bboxes.get({c}, [])
    if {missing}:
        return {ambiguous}
    return round({longest} * 100)
"""
LONGEST = {  # metres; the benchmark's reading takes the longest edge over every box of the category
    "unique": 'max(boxes[0]["axesLengths"])',
    "benchmark": 'max(max(b["axesLengths"]) for b in boxes)',
}


def program(category: str, reading: str = "unique") -> str:
    """The program giving the longest edge of `category` in cm (single-instance under the `unique` reading)."""
    return PROGRAM.format(c=literal(category), ambiguous=literal(AMBIGUOUS), missing=no_referent("boxes", reading),
                          longest=LONGEST[reading])


class ObjectSizeEstimation(TaskFamily):
    name = "object_size_estimation"
    templates = {"object_size_estimation": ("longest_dimension",)}

    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        singles = single_box_categories(draw.scene)
        if not singles:
            return None
        category = pick(sorted(singles), rng)
        longest_cm = round(max(singles[category].axes_lengths) * 100)
        return make_candidate(
            draw,
            pick(PHRASINGS, rng).format(c=spoken(category)),
            program(category),
            {"longest_cm": longest_cm},
            by_thresholds(longest_cm, DIFFICULTY_BINS[self.name]),
        )

    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:
        return program(roles["object"], reading)
