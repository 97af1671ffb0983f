"""room_size_estimation: floor area in m^2; gold = round(room_size, 1) (VSI-Bench).

Knob: the area (large, open spaces are the hardest to judge from a walk-through).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from curation.constants import DIFFICULTY_BINS
from curation.tasks.base import Candidate, Draw, TaskFamily, by_thresholds, make_candidate, pick

COMBINED = "If multiple rooms are shown, estimate the size of the combined space."
PHRASINGS = (
    "What is the size of this room (in square meters)? \n" + COMBINED,
    "What is the floor area of this room (in square meters)? \n" + COMBINED,
    "How many square meters is this room? \n" + COMBINED,
)

PROGRAM = """def compute_answer():
    return round(room_size, 1)
"""


class RoomSizeEstimation(TaskFamily):
    name = "room_size_estimation"
    templates = {"room_size_estimation": ("floor_area",)}

    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        area = round(draw.scene.room_size, 1)
        return make_candidate(
            draw,
            pick(PHRASINGS, rng),
            PROGRAM,
            {"room_size_m2": area},
            by_thresholds(area, DIFFICULTY_BINS[self.name]),
        )

    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:  # one referent per question whatever the reading
        return PROGRAM
