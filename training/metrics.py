"""VSI-Bench metrics: pure functions from predictions to scores.

Scoring rules (VSI-Bench, "Thinking in Space"):
- multiple choice: the first space-separated token of the prediction, with a trailing '.'
  removed, equals the gold letter, case-insensitively ("A." and "a" both match "A").
  Leading whitespace is stripped first: a decoded answer can start with a space, and
  VSI-Bench's split(' ')[0] would then read an empty token.
- numeric: mean relative accuracy, MRA = mean over θ in {0.50, 0.55, ..., 0.95} of
  [|pred - gold| / |gold| <= 1 - θ]; the prediction is parsed from the same first token;
  an unparsable or non-finite prediction scores 0; gold 0 scores 1 only for pred 0.
- per task: the mean sample score; the three object_rel_direction levels are averaged
  into one `object_rel_direction` task; overall = mean of the task scores. All scores are
  reported x100.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

THRESHOLDS = tuple(round(0.50 + 0.05 * i, 2) for i in range(10))
# 1 - θ rounded so that an error of exactly 0.1 passes θ = 0.9 (1 - 0.9 is 0.0999... in floats).
TOLERANCES = tuple(round(1.0 - t, 10) for t in THRESHOLDS)
REL_DIRECTION = "object_rel_direction"


def first_token(prediction: str) -> str:
    """The first whitespace-separated token with one trailing '.' removed ("" when empty)."""
    parts = prediction.strip().split()
    token = parts[0] if parts else ""
    return token[:-1] if token.endswith(".") else token


def parse_number(prediction: str) -> float | None:
    """The number a numeric prediction states, or None when its first token is not a finite number."""
    try:
        value = float(first_token(prediction))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def mean_relative_accuracy(prediction: float | None, gold: float) -> float:
    """MRA in [0, 1] of one numeric prediction (None -> 0)."""
    if prediction is None:
        return 0.0
    if gold == 0:
        return 1.0 if prediction == 0 else 0.0
    error = abs(prediction - gold) / abs(gold)
    return sum(error <= tol + 1e-12 for tol in TOLERANCES) / len(TOLERANCES)


def mca_match(prediction: str, gold: str) -> bool:
    return first_token(prediction).lower() == gold.strip().lower()


def sample_score(options: object, ground_truth: str, prediction: str) -> float:
    """One sample's VSI-Bench score in [0, 1]: exact match when `options` is not None, else MRA."""
    if options is not None:
        return float(mca_match(prediction, ground_truth))
    return mean_relative_accuracy(parse_number(prediction), float(ground_truth))


def task_group(question_type: str) -> str:
    """The task a question type reports under (rel_direction levels share one)."""
    return REL_DIRECTION if question_type.startswith(REL_DIRECTION) else question_type


def vsibench_scores(predictions: Iterable[Mapping]) -> dict[str, float]:
    """{"overall": x, <task>: x, ...} (x100) from dicts with question_type, options (None for
    numeric), ground_truth and prediction."""
    per_type: dict[str, list[float]] = defaultdict(list)
    for i, p in enumerate(predictions):
        missing = {"question_type", "options", "ground_truth", "prediction"} - set(p)
        if missing:
            raise KeyError(f"prediction {i} lacks field(s) {sorted(missing)}")
        per_type[p["question_type"]].append(sample_score(p["options"], str(p["ground_truth"]), str(p["prediction"])))
    levels: dict[str, list[float]] = defaultdict(list)
    for question_type, scores in sorted(per_type.items()):
        levels[task_group(question_type)].append(sum(scores) / len(scores))
    tasks = {task: 100.0 * sum(means) / len(means) for task, means in levels.items()}
    overall = sum(tasks.values()) / len(tasks) if tasks else 0.0
    return {"overall": overall, **tasks}
