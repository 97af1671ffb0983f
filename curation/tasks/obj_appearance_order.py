"""obj_appearance_order: the order in which four categories first appear in the video.

Reads frame_info = {"n_frames": int, "first_frame": {category: int}, ...}, so it is
only proposed for scenes with frames. The proposer reads the same frame_info to build
options that contain the true order plus three other permutations; the gold letter
still comes from the sandboxed program. Knob `margin`: the smallest gap in frames
between consecutive first appearances (close gaps are near-ties).
"""

from collections.abc import Mapping, Sequence
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
    pick,
    spoken,
)

N_CATEGORIES = 4
N_OPTIONS = 4

PHRASINGS = (
    "What will be the first-time appearance order of the following categories in the video: {cats}?",
    "In what order do the following categories first appear in the video: {cats}?",
    "Which is the order in which the following categories first appear in the video: {cats}?",
)

PROGRAM = """def compute_answer():
    first = frame_info.get("first_frame", {{}})
    categories = {cats}
    if any(c not in first for c in categories):
        return {ambiguous}
    frames = [first[c] for c in categories]
    if len(set(frames)) < len(frames):
        return {ambiguous}
    return ", ".join(sorted(categories, key=lambda c: first[c]))
"""


def program(categories: Sequence[str]) -> str:
    """The program giving the first-appearance order of `categories` from frame_info, or "ambiguous"."""
    return PROGRAM.format(cats=literal(list(categories)), ambiguous=literal(AMBIGUOUS))


def _first_frames(frame_info: Mapping[str, Any] | None) -> dict[str, int]:
    if not frame_info:
        return {}
    return {str(c): int(f) for c, f in frame_info.get("first_frame", {}).items()}


class ObjAppearanceOrder(TaskFamily):
    name = "obj_appearance_order"
    templates = {"obj_appearance_order": ("first_appearance",)}
    needs_frames = True

    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        first = _first_frames(draw.frame_info)
        if len(first) < N_CATEGORIES:
            return None
        names = sorted(first)
        cats = [names[i] for i in rng.choice(len(names), N_CATEGORIES, replace=False)]
        order = sorted(cats, key=lambda c: first[c])
        gaps = [first[y] - first[x] for x, y in zip(order, order[1:], strict=False)]
        margin = min(gaps)
        if margin <= 0:
            return None  # simultaneous first appearances have no order
        n_frames = max(int(draw.frame_info.get("n_frames", 0)), max(first.values()) + 1)
        orders = [tuple(order)]
        while len(orders) < N_OPTIONS:
            candidate = tuple(cats[i] for i in rng.permutation(N_CATEGORIES))
            if candidate not in orders:
                orders.append(candidate)
        texts = [", ".join(spoken(c) for c in orders[i]) for i in rng.permutation(N_OPTIONS)]
        return make_candidate(
            draw,
            pick(PHRASINGS, rng).format(cats=", ".join(spoken(c) for c in cats)),
            program(cats),
            {"margin": margin, "margin_frac": round(margin / n_frames, 4)},
            by_thresholds(margin / n_frames, DIFFICULTY_BINS[self.name]),
            texts,
        )

    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:  # one referent per question whatever the reading
        return program(roles["order"])
