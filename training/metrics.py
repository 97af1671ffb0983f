"""VSI-Bench metrics, exactly as the benchmark's scorer computes them (lmms-eval task `vsibench`,
thinking-in-space repository): pure functions from predictions to scores.

Reading a prediction (`answer_token`): the text before the first ' ' (a space only: tabs and
newlines do not split), every trailing '.' removed, then surrounding whitespace stripped.
A prediction that starts with a space therefore reads as "" and scores 0: cleaning the
solver's text is the decoder's job (training.confidence), never the metric's.

- multiple choice (question types in MCA_TASKS): answer_token(pred).lower() == gold.lower()
  (the gold is compared as given, not stripped);
- numeric (NUMERIC_TASKS): MRA = mean over the 10 thresholds θ of [|pred − gold| / gold ≤ 1 − θ]
  with θ = np.linspace(0.5, 0.95, 10) and 1 − θ computed in float64, so an error of exactly
  0.10 passes θ = 0.9 (1 − 0.8999999999999999). pred = float(answer_token(pred)); a prediction
  Python's float() refuses scores 0; "nan"/"inf" parse and then fail every threshold. The
  error is divided by the signed gold, as the benchmark's is;
- per question type: the mean of its samples (numpy's pairwise sum / count, as pandas does);
  `object_rel_direction` = (easy + medium + hard) / 3 where a missing level counts 0, and it is
  reported even when no direction question is present; overall = the mean of the reported
  task scores, in the benchmark's order (question types sorted, direction last). x100.

Outside the benchmark's domain: gold 0 (its scorer raises ZeroDivisionError) scores 1 when
the prediction is 0, else 0.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

import numpy as np

# The benchmark's thresholds, np.linspace(.5, .95, 10) (its 9th is 0.8999999999999999),
# and the tolerances 1 - θ it compares errors with, both bit for bit.
THRESHOLDS = tuple(float(t) for t in np.linspace(0.50, 0.95, 10))
TOLERANCES = tuple(1.0 - t for t in THRESHOLDS)
REL_DIRECTION = "object_rel_direction"
REL_DIRECTION_LEVELS = tuple(f"{REL_DIRECTION}_{level}" for level in ("easy", "medium", "hard"))
MCA_TASKS = frozenset({*REL_DIRECTION_LEVELS, "object_rel_distance", "route_planning", "obj_appearance_order"})
NUMERIC_TASKS = frozenset({"object_abs_distance", "object_counting", "object_size_estimation", "room_size_estimation"})
FIELDS = ("question_type", "ground_truth", "prediction")


def answer_token(prediction: str) -> str:
    """The benchmark's reading of a prediction: before the first space, trailing dots removed, stripped."""
    return prediction.split(" ")[0].rstrip(".").strip()


def parse_number(prediction: str) -> float | None:
    """float() of the answer token (nan and inf included), or None when float() refuses it."""
    try:
        return float(answer_token(prediction))
    except ValueError:
        return None


def mean_relative_accuracy(prediction: float | None, gold: float | None) -> float:
    """MRA in [0, 1] of one numeric prediction; None on either side scores 0 (as the benchmark does)."""
    if prediction is None or gold is None:
        return 0.0
    if gold == 0:  # the benchmark divides by zero here; see the module docstring
        return 1.0 if prediction == 0 else 0.0
    error = abs(prediction - gold) / gold
    return sum(error <= tol for tol in TOLERANCES) / len(TOLERANCES)


def mca_match(prediction: str, gold: str) -> bool:
    """Exact match of the answer token and the gold letter, case-insensitively."""
    return answer_token(prediction).lower() == gold.lower()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def sample_score(question_type: str, ground_truth: str, prediction: str) -> float:
    """One sample's score in [0, 1]: exact match for MCA question types, MRA for numeric ones."""
    if question_type in MCA_TASKS:
        return float(mca_match(prediction, ground_truth))
    if question_type in NUMERIC_TASKS:
        return mean_relative_accuracy(parse_number(prediction), _number(ground_truth))
    raise ValueError(f"unknown VSI-Bench question type {question_type!r}: expected one of "
                     f"{sorted(MCA_TASKS | NUMERIC_TASKS)}")


def task_group(question_type: str) -> str:
    """The task a question type reports under (rel_direction levels share one)."""
    return REL_DIRECTION if question_type in REL_DIRECTION_LEVELS else question_type


def vsibench_scores(predictions: Iterable[Mapping]) -> dict[str, float]:
    """{"overall": x, <task>: x, ...} (x100) from dicts with question_type, ground_truth and prediction
    (other keys are ignored)."""
    per_type: dict[str, list[float]] = defaultdict(list)
    for i, p in enumerate(predictions):
        missing = [f for f in FIELDS if f not in p]
        if missing:
            raise KeyError(f"prediction {i} lacks field(s) {missing}")
        per_type[p["question_type"]].append(sample_score(p["question_type"], str(p["ground_truth"]),
                                                         str(p["prediction"])))
    means = {t: float(np.sum(np.asarray(s, dtype=np.float64)) / len(s)) for t, s in sorted(per_type.items())}
    tasks = {t: m for t, m in means.items() if t not in REL_DIRECTION_LEVELS}
    tasks[REL_DIRECTION] = sum(means.get(level, 0.0) for level in REL_DIRECTION_LEVELS) / 3.0
    overall = sum(tasks.values()) / len(tasks)
    return {"overall": 100.0 * overall, **{t: 100.0 * v for t, v in tasks.items()}}


def debiased_scores(predictions: Iterable[Mapping], pruned_ids: Collection[int]) -> dict[str, float]:
    """`vsibench_scores` of the VSI-Bench-Debiased subset (report it beside the full one)."""
    return vsibench_scores(debiased(predictions, pruned_ids))


def debiased(predictions: Iterable[Mapping], pruned_ids: Collection[int]) -> list[Mapping]:
    """The predictions VSI-Bench-Debiased keeps: those whose benchmark `id` is not in `pruned_ids`.

    Every prediction needs an `id` (the benchmark's question id)."""
    kept = []
    for i, p in enumerate(predictions):
        if "id" not in p or p["id"] is None:
            raise KeyError(f"prediction {i} has no benchmark `id`: the debiased subset is defined by id")
        if int(p["id"]) not in pruned_ids:
            kept.append(p)
    return kept
