"""Feedback: how the solver did per task and per (task, template, difficulty bin), as weights.

From scored rows (blind scores ignored), per group: n, accuracy, mean gold confidence
and the share of rows in each difficulty band (curation.bands). One statistic per group
is smoothed over rounds (an exponential moving average) and turned into a weight by a
named policy (curation.feedback_policies: `frontier`, the paper's share of frontier rows;
`spatialevo`, 1 - accuracy), with a floor so that no group is ever starved.

Two levels, so the split does not depend on how many templates or bins a task has:
`task_weights()` share the budget between task groups (curation.tasks.task_group: the
three relative-direction levels are one task), then `weights()` share a group's part
between its (task, template, bin) keys. The proposer (`proposal_counts`) and the
selection read the same task weights. Plus example questions per group for the LLM
proposer: ones the solver failed and ones it found easy. Serialised to JSON for the
next round.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from curation.bands import BandParams, band
from curation.feedback_policies import FEEDBACK_POLICIES
from curation.params import FeedbackParams
from curation.tasks import task_group, task_group_column


@dataclass(frozen=True)
class BinStats:
    task: str
    template: str
    bin: str
    n: int  # scored rows this round
    accuracy: float  # this round
    mean_confidence: float  # this round, p(gold)
    smoothed: float  # the policy's statistic, moving average over rounds
    weight: float  # under the policy
    easy: int = 0  # rows per band this round
    frontier: int = 0
    hard: int = 0


@dataclass(frozen=True)
class TaskStats:
    task: str  # a task group (curation.tasks.task_group)
    n: int
    accuracy: float
    mean_confidence: float
    smoothed: float
    weight: float
    easy: int = 0
    frontier: int = 0
    hard: int = 0


@dataclass(frozen=True)
class Feedback:
    round: int  # the round whose scores this summarises
    policy: str
    bins: tuple[BinStats, ...]
    examples: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)  # group -> kind -> questions
    tasks: tuple[TaskStats, ...] = ()

    def weights(self) -> dict[tuple[str, str, str], float]:
        return {(b.task, b.template, b.bin): b.weight for b in self.bins}

    def task_weights(self) -> dict[str, float]:
        """Weight per task group: its share of the proposer's and the selection's budget."""
        return {t.task: t.weight for t in self.tasks}

    def to_json(self) -> str:
        return json.dumps(
            {"round": self.round, "policy": self.policy, "bins": [asdict(b) for b in self.bins],
             "tasks": [asdict(t) for t in self.tasks],
             "examples": {t: dict(k) for t, k in self.examples.items()}},
            sort_keys=True, indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> "Feedback":
        raw = json.loads(text)
        return cls(
            round=int(raw["round"]), policy=str(raw["policy"]),
            bins=tuple(BinStats(**b) for b in raw["bins"]),
            tasks=tuple(TaskStats(**t) for t in raw.get("tasks", [])),
            examples={t: {k: list(v) for k, v in kinds.items()} for t, kinds in raw["examples"].items()},
        )


def _group_stats(per_row: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (
        per_row.group_by(keys)
        .agg(
            pl.len().alias("n"), pl.col("acc").mean().alias("accuracy"), pl.col("conf").mean().alias("mean_confidence"),
            *[(pl.col("band") == b).sum().cast(pl.Int64).alias(b) for b in ("easy", "frontier", "hard")],
        )
        .with_columns((pl.col("frontier") / pl.col("n")).alias("frontier_share"))
        .sort(keys)
    )


def _smooth(value: float, before: float | None, params: FeedbackParams) -> float:
    return value if before is None else params.smoothing * value + (1.0 - params.smoothing) * before


def compute_feedback(
    qa: pl.DataFrame, scores: pl.DataFrame, *, round: int, params: FeedbackParams = FeedbackParams(),
    bands: BandParams = BandParams(), previous: Feedback | None = None,
) -> Feedback:
    """Summarise `scores` (store.schema.SCORES rows) of `qa` rows per task group and per
    (task, template, bin).

    Blind scores (frames from another scene) are ignored; several solvers' scores of one
    row are averaged first, so every question counts once. Groups not scored this round
    keep their previous stats.
    """
    policy = FEEDBACK_POLICIES[params.policy]
    per_row = (
        scores.filter(~pl.col("blind"))
        .group_by("qa_id")
        .agg(pl.col("correct").cast(pl.Float64).mean().alias("acc"), pl.col("confidence").mean().alias("conf"))
        .join(qa.select("qa_id", "task", "template", "difficulty_bin", "question", "answer_type", "options"),
              on="qa_id")
        .with_columns(band(bands, "conf").alias("band"),
                      task_group_column().alias("group"))
        .sort("qa_id")  # group_by's output order varies; the per-group float means must not
    )
    old_bins = {(b.task, b.template, b.bin): b for b in previous.bins} if previous else {}
    bins: dict[tuple[str, str, str], BinStats] = dict(old_bins)
    for row in _group_stats(per_row, ["task", "template", "difficulty_bin"]).iter_rows(named=True):
        key = (row["task"], row["template"], row["difficulty_bin"])
        before = old_bins[key].smoothed if key in old_bins else None
        smoothed = _smooth(float(row[policy.statistic]), before, params)
        bins[key] = BinStats(
            task=key[0], template=key[1], bin=key[2], n=int(row["n"]), accuracy=float(row["accuracy"]),
            mean_confidence=float(row["mean_confidence"]), smoothed=float(smoothed),
            weight=max(params.floor, policy.weight(smoothed)),
            easy=int(row["easy"]), frontier=int(row["frontier"]), hard=int(row["hard"]),
        )
    old_tasks = {t.task: t for t in previous.tasks} if previous else {}
    tasks: dict[str, TaskStats] = dict(old_tasks)
    for row in _group_stats(per_row, ["group"]).iter_rows(named=True):
        before = old_tasks[row["group"]].smoothed if row["group"] in old_tasks else None
        smoothed = _smooth(float(row[policy.statistic]), before, params)
        tasks[row["group"]] = TaskStats(
            task=row["group"], n=int(row["n"]), accuracy=float(row["accuracy"]),
            mean_confidence=float(row["mean_confidence"]), smoothed=float(smoothed),
            weight=max(params.floor, policy.weight(smoothed)),
            easy=int(row["easy"]), frontier=int(row["frontier"]), hard=int(row["hard"]),
        )
    return Feedback(
        round=round, policy=params.policy, bins=tuple(bins[k] for k in sorted(bins)),
        tasks=tuple(tasks[k] for k in sorted(tasks)), examples=_examples(per_row, params),
    )


def _examples(per_row: pl.DataFrame, params: FeedbackParams) -> dict[str, dict[str, list[str]]]:
    """Per task group: questions the solver failed (least confident first) and found easy."""
    failed = per_row.filter(pl.col("acc") < 0.5).sort("conf", "qa_id")
    trivial = per_row.filter((pl.col("acc") >= 0.5) & (pl.col("band") == "easy")).sort(
        "conf", "qa_id", descending=[True, False]
    )
    out: dict[str, dict[str, list[str]]] = {}
    for kind, frame in (("failed", failed), ("trivial", trivial)):
        for group, part in frame.group_by("group", maintain_order=True):
            out.setdefault(str(group[0]), {})[kind] = part["question"].head(params.n_examples).to_list()
    return {t: out[t] for t in sorted(out)}


def group_weights(groups: list[str], feedback: Feedback | None) -> dict[str, float]:
    """A weight for every task group; groups the feedback has not seen get the mean seen weight."""
    known = feedback.task_weights() if feedback is not None else {}
    seen = [known[g] for g in groups if g in known]
    default = sum(seen) / len(seen) if seen else 1.0
    return {g: known.get(g, default) for g in groups}


def proposal_counts(
    keys: list[tuple[str, str, str]], feedback: Feedback | None, budget: int
) -> dict[tuple[str, str, str], int]:
    """How many proposals each (task, template, bin) key gets: the budget split between task
    groups by their weights, then within a group by its keys' weights."""
    groups = sorted({task_group(k[0]) for k in keys})
    per_group = apportion(group_weights(groups, feedback), budget)
    counts: dict[tuple[str, str, str], int] = {}
    for g in groups:
        members = [k for k in keys if task_group(k[0]) == g]
        counts |= apportion(budget_weights(members, feedback), per_group[g])
    return counts


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
