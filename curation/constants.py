"""Tuning constants of curation, each with the reason for its value.

Lengths are metres, angles degrees. The task families (curation.tasks) read the
difficulty bins and pre-screens; the program API (curation.executor.geometry) reads the
tie and direction margins, which every executed program's answer depends on.
This module imports nothing, so the sandbox worker may import it.
"""

import math
from typing import NamedTuple


class KnobBins(NamedTuple):
    """A knob's difficulty bins, each a range [lo, hi): a value in `hard` is hard, else
    one in `easy` is easy, else medium (curation.tasks.base.by_thresholds)."""

    easy: tuple[float, float]
    hard: tuple[float, float]


# Difficulty bins per task family (keyed by TaskFamily.name) of its knob, a cheap estimate
# of what makes the question hard (curation.tasks.knobs). The comment says which way the
# knob runs and why; the edges are where the bins were drawn when the families were
# written, and changing one changes every later round's difficulty_bin and feedback.
DIFFICULTY_BINS: dict[str, KnobBins] = {
    # object count: one object is counted at a glance; four or more are spread over the
    # walk and partly hidden, so some are missed or counted twice
    "object_counting": KnobBins(easy=(-math.inf, 2), hard=(4, math.inf)),
    # longest edge, cm: small objects carry the largest relative error
    "object_size_estimation": KnobBins(easy=(100, math.inf), hard=(-math.inf, 40)),
    # floor area, m^2: large, open spaces are the hardest to judge from a walk-through
    "room_size_estimation": KnobBins(easy=(-math.inf, 15), hard=(35, math.inf)),
    # approximate gap between the two objects, m: very close objects carry the largest
    # relative error; beyond 3 m the gap is medium again, not easy
    "object_abs_distance": KnobBins(easy=(1.0, 3.0), hard=(-math.inf, 0.5)),
    # approximate gap between the two closest choices' distances, m: a small one is a near-tie
    "object_rel_distance": KnobBins(easy=(1.0, math.inf), hard=(-math.inf, 0.3)),
    # degrees from the query's angle to the nearest direction-bin edge: near an edge a small
    # error in the boxes changes the answer
    "object_rel_direction": KnobBins(easy=(40.0, math.inf), hard=(-math.inf, 20.0)),
    # smallest gap between consecutive first appearances, as a fraction of the video's
    # frames: close gaps are near-ties
    "obj_appearance_order": KnobBins(easy=(0.15, math.inf), hard=(-math.inf, 0.05)),
}

# Tie margin of "which choice is closest" (VQAGen / VSI-Bench rule): ambiguous when the
# closest is nearer than this or two choices' distances are within it, because box
# annotations are only that precise.
CHOICE_MARGIN_M = 0.15
# object_rel_distance proposes only when its cheap bounds-gap estimate clears this; the
# estimate runs below the box distance by up to ~0.1 m, so rows under it would almost
# surely execute to "ambiguous".
REL_DISTANCE_SCREEN_M = 0.1

# Degrees from a direction-bin edge within which the program API answers "ambiguous":
# a centroid this near the edge flips bins under annotation noise.
DIRECTION_MARGIN_DEG = 10.0
# Corners of the querying box (of 8) allowed in another direction bin than its centroid
# before the direction is "ambiguous": a large box straddling an edge has no one answer.
MAX_CORNERS_OFF = 2
# object_rel_direction does not propose centroid angles this close to a bin edge: they
# would mostly execute to "ambiguous", and the sandbox run would be wasted.
DIRECTION_SCREEN_DEG = 5.0
# Standing and facing objects closer than this give no usable heading.
MIN_FACING_M = 0.3
