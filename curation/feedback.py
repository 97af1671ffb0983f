"""Feedback: how the solver did per (task, template, difficulty bin), as proposer weights.

From scored rows: n, accuracy and mean gold confidence per bin, accuracy smoothed over
rounds (an exponential moving average), and a weight by a named policy:

- `frontier` (R-Zero): 4 s (1 - s), peaking at smoothed success s = 0.5, floor 0.05;
- `spatialevo` (SpatialEvo): max(0.05, 1 - s).

Plus example questions per task for the LLM proposer: ones the solver failed and ones
it found trivial. Serialised to JSON for the next round.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from curation.params import require_choice, require_in_range, require_int

POLICIES = ("frontier", "spatialevo")


@dataclass(frozen=True)
class FeedbackParams:
    policy: str = "frontier"  # frontier | spatialevo
    smoothing: float = 0.5  # weight of this round in the moving average; 1 = forget the past
    floor: float = 0.05  # no bin is ever starved: its weight never drops below this
    n_examples: int = 5  # example questions per task and kind for the LLM proposer
    tau_easy: float = 0.9  # gold confidence at or above which a correct row is "trivial"

    def __post_init__(self) -> None:
        require_choice("feedback", "policy", self.policy, POLICIES)
        require_in_range("feedback", "smoothing", self.smoothing, 0.0, 1.0)
        require_in_range("feedback", "floor", self.floor, 0.0, 1.0)
        require_int("feedback", "n_examples", self.n_examples, 0)
        require_in_range("feedback", "tau_easy", self.tau_easy, 0.0, 1.0)


@dataclass(frozen=True)
class BinStats:
    task: str
    template: str
    bin: str
    n: int  # scored rows this round
    accuracy: float  # this round
    mean_confidence: float  # this round, p(gold)
    smoothed_accuracy: float  # moving average over rounds
    weight: float  # under the policy


@dataclass(frozen=True)
class Feedback:
    round: int  # the round whose scores this summarises
    policy: str
    bins: tuple[BinStats, ...]
    examples: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)  # task -> kind -> questions

    def weights(self) -> dict[tuple[str, str, str], float]:
        return {(b.task, b.template, b.bin): b.weight for b in self.bins}

    def task_weights(self) -> dict[str, float]:
        """Mean bin weight per task (what the LLM proposer is told)."""
        per_task: dict[str, list[float]] = {}
        for b in self.bins:
            per_task.setdefault(b.task, []).append(b.weight)
        return {t: sum(ws) / len(ws) for t, ws in sorted(per_task.items())}

    def to_json(self) -> str:
        return json.dumps(
            {"round": self.round, "policy": self.policy, "bins": [asdict(b) for b in self.bins],
             "examples": {t: dict(k) for t, k in self.examples.items()}},
            sort_keys=True, indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> "Feedback":
        raw = json.loads(text)
        return cls(
            round=int(raw["round"]), policy=str(raw["policy"]),
            bins=tuple(BinStats(**b) for b in raw["bins"]),
            examples={t: {k: list(v) for k, v in kinds.items()} for t, kinds in raw["examples"].items()},
        )


def policy_weight(policy: str, smoothed_accuracy: float, floor: float) -> float:
    s = smoothed_accuracy
    raw = 4.0 * s * (1.0 - s) if policy == "frontier" else 1.0 - s
    return max(floor, raw)


def compute_feedback(
    qa: pl.DataFrame, scores: pl.DataFrame, *, round: int, params: FeedbackParams = FeedbackParams(),
    previous: Feedback | None = None,
) -> Feedback:
    """Summarise `scores` (store.schema.SCORES rows) of `qa` rows per (task, template, bin).

    Blind scores (frames from another scene) are ignored; several solvers' scores of one
    row are averaged first, so every question counts once.
    """
    per_row = (
        scores.filter(~pl.col("blind"))
        .group_by("qa_id")
        .agg(pl.col("correct").cast(pl.Float64).mean().alias("acc"), pl.col("confidence").mean().alias("conf"))
        .join(qa.select("qa_id", "task", "template", "difficulty_bin", "question"), on="qa_id")
        .sort("qa_id")  # group_by's output order varies; the per-bin float means must not
    )
    per_bin = (
        per_row.group_by("task", "template", "difficulty_bin")
        .agg(
            pl.len().alias("n"), pl.col("acc").mean().alias("accuracy"),
            pl.col("conf").mean().alias("mean_confidence"),
        )
        .sort("task", "template", "difficulty_bin")
    )
    before = {(b.task, b.template, b.bin): b for b in previous.bins} if previous else {}
    bins: dict[tuple[str, str, str], BinStats] = dict(before)
    for row in per_bin.iter_rows(named=True):
        key = (row["task"], row["template"], row["difficulty_bin"])
        smoothed = row["accuracy"]
        if key in before:
            smoothed = params.smoothing * smoothed + (1.0 - params.smoothing) * before[key].smoothed_accuracy
        bins[key] = BinStats(
            task=key[0], template=key[1], bin=key[2], n=int(row["n"]), accuracy=float(row["accuracy"]),
            mean_confidence=float(row["mean_confidence"]), smoothed_accuracy=float(smoothed),
            weight=policy_weight(params.policy, float(smoothed), params.floor),
        )
    return Feedback(
        round=round, policy=params.policy, bins=tuple(bins[k] for k in sorted(bins)),
        examples=_examples(per_row, params),
    )


def _examples(per_row: pl.DataFrame, params: FeedbackParams) -> dict[str, dict[str, list[str]]]:
    """Per task: questions the solver failed (least confident first) and found trivial."""
    failed = per_row.filter(pl.col("acc") < 0.5).sort("conf", "qa_id")
    trivial = per_row.filter((pl.col("acc") >= 0.5) & (pl.col("conf") >= params.tau_easy)).sort(
        "conf", "qa_id", descending=[True, False]
    )
    out: dict[str, dict[str, list[str]]] = {}
    for kind, frame in (("failed", failed), ("trivial", trivial)):
        for task, group in frame.group_by("task", maintain_order=True):
            out.setdefault(str(task[0]), {})[kind] = group["question"].head(params.n_examples).to_list()
    return {t: out[t] for t in sorted(out)}


def budget_weights(
    keys: list[tuple[str, str, str]], feedback: Feedback | None
) -> dict[tuple[str, str, str], float]:
    """Weights for every key; keys the feedback has not seen get the mean seen weight."""
    if feedback is None:
        return dict.fromkeys(keys, 1.0)
    known = feedback.weights()
    seen = [known[k] for k in keys if k in known]
    default = sum(seen) / len(seen) if seen else 1.0
    return {k: known.get(k, default) for k in keys}


def apportion(weights: Mapping[Any, float], budget: int) -> dict[Any, int]:
    """Integer counts summing to `budget`, proportional to `weights` (largest remainder)."""
    total = sum(weights.values())
    if budget <= 0 or total <= 0:
        return dict.fromkeys(weights, 0)
    exact = {k: budget * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    short = budget - sum(counts.values())
    for k in sorted(exact, key=lambda k: (counts[k] - exact[k], str(k)))[:short]:
        counts[k] += 1
    return counts
