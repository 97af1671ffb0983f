"""object_rel_distance: which of 2-4 choices is closest to a single-instance primary object.

VSI-Bench's rules, written into the program: distance from the primary to a choice's
nearest instance (box distance in the chosen mode); "ambiguous" when the closest is
under 0.15 m or any two choice distances are within 0.15 m of each other.
Knobs: number of choices and `margin`, the approximate gap (m) between the two
closest choices, which the near_tie filter also reads.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from curation.constants import CHOICE_MARGIN_M, DIFFICULTY_BINS, REL_DISTANCE_SCREEN_M
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
    pick,
    shuffled,
    spoken,
)
from curation.tasks.knobs import category_gap

PHRASINGS = (
    "Measuring from the closest point of each object, which of these objects ({choices}) is the closest to the {p}?",
    "Measuring from the closest point of each object, which of these objects ({choices}) is nearest to the {p}?",
    "Which of these objects ({choices}) is the closest to the {p}, measuring from the closest point of each object?",
)

PROGRAM = """def compute_answer():
    primary = object_bboxes.get({p}, [])
    if {missing}:
        return {ambiguous}
    distances = {{}}
    for choice in {choices}:
        boxes = object_bboxes.get(choice, [])
        if boxes:
            distances[choice] = {distance}(primary, boxes)
    if len(distances) < 2:
        return {ambiguous}
    ranked = sorted(distances.values())
    if ranked[0] < {tie}:
        return {ambiguous}
    for i in range(len(ranked) - 1):
        if ranked[i + 1] - ranked[i] <= {tie}:
            return {ambiguous}
    return min(distances, key=distances.get)
"""

TEMPLATES = {"choices4": 4, "choices3": 3, "choices2": 2}


def program(primary: str, choices: Sequence[str], distance_mode: str = "vsibench", reading: str = "unique") -> str:
    """The program naming which of `choices` is closest to `primary` (single-instance under the
    `unique` reading), or "ambiguous"."""
    return PROGRAM.format(
        p=literal(primary), choices=literal(list(choices)), ambiguous=literal(AMBIGUOUS),
        missing=no_referent("primary", reading),
        distance=DISTANCE_FUNCTIONS[distance_mode], tie=CHOICE_MARGIN_M,
    )


class ObjectRelDistance(TaskFamily):
    name = "object_rel_distance"
    templates = {"object_rel_distance": tuple(TEMPLATES)}

    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        n_choices = TEMPLATES[draw.template]
        boxes = dict(sorted(draw.scene.boxes_by_category().items()))  # the draws below index this order
        primaries = [c for c, bs in boxes.items() if len(bs) == 1]
        if not primaries or len(boxes) < n_choices + 1:
            return None
        primary = pick(primaries, rng)
        others = [c for c in boxes if c != primary]
        choices = shuffled([others[i] for i in rng.choice(len(others), n_choices, replace=False)], rng)
        gaps = sorted(category_gap(boxes[primary], boxes[c]) for c in choices)
        screen = REL_DISTANCE_SCREEN_M
        if gaps[0] < screen or min(b - a for a, b in zip(gaps, gaps[1:], strict=False)) < screen:
            return None  # would almost surely execute to "ambiguous": do not spend a sandbox run on it
        margin = round(gaps[1] - gaps[0], 3)
        texts = [spoken(c) for c in choices]
        return make_candidate(
            draw,
            pick(PHRASINGS, rng).format(choices=", ".join(texts), p=spoken(primary)),
            program(primary, choices, draw.distance_mode),
            {
                "n_choices": n_choices, "margin": margin, "closest_m": round(gaps[0], 3),
                "distance_mode": draw.distance_mode,
            },
            by_thresholds(margin, DIFFICULTY_BINS[self.name]),
            texts,
        )

    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:
        return program(roles["target"], roles["choices"], distance_mode, reading)
