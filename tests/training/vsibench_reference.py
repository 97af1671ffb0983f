"""A second VSI-Bench scorer, written from the benchmark's description and its scorer's
behaviour, without importing training.metrics: the oracle of the property tests.

It follows the benchmark's own structure (a pandas frame grouped by question type, numpy's
linspace thresholds and mean, the rel-direction levels popped with a default of 0) so that
a difference in float evaluation order shows up as a failure.
"""

import numpy as np
import pandas as pd

CHOICE_TYPES = {
    "object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard",
    "object_rel_distance", "route_planning", "obj_appearance_order",
}
NUMBER_TYPES = {"object_abs_distance", "object_counting", "object_size_estimation", "room_size_estimation"}


def read_answer(text: str) -> str:
    head = text.split(" ")[0]
    while head.endswith("."):
        head = head[:-1]
    return head.strip()


def as_float(text):
    try:
        return float(text)
    except Exception:
        return None


def relative_accuracy(pred, target) -> float:
    thresholds = np.linspace(0.5, 0.95, int((0.95 - 0.5) / 0.05 + 2))
    try:
        hits = abs(pred - target) / target <= 1 - thresholds
    except TypeError:  # an unparsable prediction or gold
        return 0.0
    return float(hits.mean())


def score_one(question_type: str, gold: str, prediction: str) -> float:
    if question_type in CHOICE_TYPES:
        return 1.0 if read_answer(prediction).lower() == gold.lower() else 0.0
    if question_type in NUMBER_TYPES:
        return relative_accuracy(as_float(read_answer(prediction)), as_float(gold))
    raise ValueError(question_type)


def reference_scores(rows: list[dict]) -> dict[str, float]:
    """{"overall": x, task: x} in [0, 1], keys as training.metrics names them (without x100)."""
    frame = pd.DataFrame(rows)
    frame["score"] = [score_one(t, g, p) for t, g, p in
                      zip(frame["question_type"], frame["ground_truth"], frame["prediction"], strict=True)]
    out = {}
    for question_type, index in frame.groupby("question_type").groups.items():
        out[question_type] = frame.iloc[index]["score"].mean()
    levels = [out.pop(f"object_rel_direction_{lv}", 0.0) for lv in ("easy", "medium", "hard")]
    out["object_rel_direction"] = sum(levels) / 3.0
    out["overall"] = sum(out.values()) / len(out)
    return out
