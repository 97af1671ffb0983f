"""object_counting: "How many X(s) are in this room?"; gold = object_counts[X] (VSI-Bench).

Knob: the count itself (larger counts are harder to get right from video).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from curation.constants import DIFFICULTY_BINS
from curation.tasks.base import Candidate, Draw, TaskFamily, by_thresholds, literal, make_candidate, pick, spoken

PHRASINGS = (
    "How many {c}(s) are in this room?",
    "How many {c}(s) are there in this room?",
    "Count the {c}(s) in this room. How many are there?",
    "What is the number of {c}(s) in this room?",
)

PROGRAM = """def compute_answer():
    return object_counts[{c}]
"""


def program(category: str) -> str:
    """The program counting `category` (metadata spelling) by object_counts."""
    return PROGRAM.format(c=literal(category))


class ObjectCounting(TaskFamily):
    name = "object_counting"
    templates = {"object_counting": ("count",)}

    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        present = sorted(c for c, n in draw.scene.object_counts.items() if n >= 1)
        if not present:
            return None
        category = pick(present, rng)
        count = draw.scene.object_counts[category]
        return make_candidate(
            draw,
            pick(PHRASINGS, rng).format(c=spoken(category)),
            program(category),
            {"count": count},
            by_thresholds(count, DIFFICULTY_BINS[self.name]),
        )

    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:  # one referent per question whatever the reading
        return program(roles["object"])
