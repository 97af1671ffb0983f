"""Feedback: how the solver did per task and per (task, template, difficulty bin), as weights.

From scored rows (blind scores ignored), per group: n, accuracy (VSI-Bench's sample score:
exact match for choices, MRA for numbers), mean gold confidence, the share of rows in each
difficulty band (curation.bands), learnability (mean q(1 - q) of each row's success
q, curation.bands.success under the `success` signal) and learning progress on the held-in
probe (`probe`, below). One statistic per group is smoothed over rounds (an exponential
moving average) and turned into a weight by a named policy (curation.feedback_policies),
with a floor so that no group is ever starved.

The held-in probe: the warm start's `probe` rows, scored after every round's training by
that round's solver (`probe_cells`). Its cells are (task, difficulty bin); a cell's gain is
its mean success now minus under the previous solver, and absolute learning progress
|gain| is the `progress` statistic of the *next* feedback. A group without a measured gain
(a cell with fewer than `feedback.min_probe_rows` rows either time) has no evidence: it
keeps its previous smoothed statistic, or, never measured, takes the mean of this round's
measured groups (1 when none is), and is marked `fallback`.

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
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import polars as pl

from curation.bands import BandParams, band, success
from curation.feedback_policies import FEEDBACK_POLICIES
from curation.params import FeedbackParams
from curation.tasks import task_group, task_group_column


@dataclass(frozen=True)
class BinStats:
    task: str
    template: str
    bin: str
    n: int  # scored rows this round
    accuracy: float  # this round: exact match for choices, MRA for numbers
    mean_confidence: float  # this round, p(gold)
    smoothed: float  # the policy's statistic, moving average over rounds
    weight: float  # under the policy
    easy: int = 0  # rows per band this round
    frontier: int = 0
    hard: int = 0
    learnability: float = 0.0  # mean q(1 - q) of the rows' success q, this round
    progress: float | None = None  # |gain| on the held-in probe under the last training; None: unmeasured
    fallback: bool = False  # the policy's statistic had no evidence this round (module docstring)


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
    learnability: float = 0.0
    progress: float | None = None
    fallback: bool = False


@dataclass(frozen=True)
class ProbeCell:
    """One (task, difficulty bin) cell of the held-in probe under one solver."""

    task: str
    bin: str
    n: int  # probe rows in the cell
    success: float  # their mean success (curation.bands.success), this solver
    gain: float | None = None  # success minus the previous solver's; None with too few rows either time


@dataclass(frozen=True)
class Feedback:
    round: int  # the round whose scores this summarises
    policy: str
    bins: tuple[BinStats, ...]
    examples: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)  # group -> kind -> questions
    tasks: tuple[TaskStats, ...] = ()
    probe: tuple[ProbeCell, ...] = ()  # the held-in probe under the round's trained solver
    probe_solver: str = ""  # the solver that scored it

    def weights(self) -> dict[tuple[str, str, str], float]:
        return {(b.task, b.template, b.bin): b.weight for b in self.bins}

    def task_weights(self) -> dict[str, float]:
        """Weight per task group: its share of the proposer's and the selection's budget."""
        return {t.task: t.weight for t in self.tasks}

    def to_json(self) -> str:
        return json.dumps(
            {"round": self.round, "policy": self.policy, "bins": [asdict(b) for b in self.bins],
             "tasks": [asdict(t) for t in self.tasks], "probe": [asdict(c) for c in self.probe],
             "probe_solver": self.probe_solver,
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
            probe=tuple(ProbeCell(**c) for c in raw.get("probe", [])), probe_solver=str(raw.get("probe_solver", "")),
            examples={t: {k: list(v) for k, v in kinds.items()} for t, kinds in raw["examples"].items()},
        )


def _group_stats(per_row: pl.DataFrame, keys: list[str], progress: pl.DataFrame) -> pl.DataFrame:
    """Per group of `keys`: n, accuracy, mean_confidence, band counts, frontier_share,
    learnability, and `progress` (null without a measured probe gain) joined from `progress`."""
    stats = (
        per_row.group_by(keys)
        .agg(
            pl.len().alias("n"), pl.col("score").mean().alias("accuracy"),
            pl.col("conf").mean().alias("mean_confidence"),
            *[(pl.col("band") == b).sum().cast(pl.Int64).alias(b) for b in ("easy", "frontier", "hard")],
            (pl.col("q") * (1.0 - pl.col("q"))).mean().alias("learnability"),
        )
        .with_columns((pl.col("frontier") / pl.col("n")).alias("frontier_share"))
    )
    return stats.join(progress, on=[c for c in progress.columns if c != "progress"], how="left").sort(keys)


def _smooth(value: float | None, before: float | None, prior: float, params: FeedbackParams) -> float:
    """The moving average; a group without evidence (`value` None) keeps `before`, else `prior`."""
    if value is None:
        return prior if before is None else before
    return value if before is None else params.smoothing * value + (1.0 - params.smoothing) * before


def _prior(table: pl.DataFrame, statistic: str) -> float:
    """What a group never measured starts from: the mean of this round's measured groups (1 if none)."""
    measured = table[statistic].drop_nulls()
    return float(measured.mean()) if measured.len() else 1.0


def cell_progress(cells: tuple[ProbeCell, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Absolute learning progress |gain| per (task, difficulty_bin) and per task group (the
    n-weighted mean gain of the group's measured cells), from a probe's cells."""
    measured = pl.DataFrame(
        [{"task": c.task, "difficulty_bin": c.bin, "n": c.n, "gain": c.gain} for c in cells if c.gain is not None],
        schema={"task": pl.String, "difficulty_bin": pl.String, "n": pl.Int64, "gain": pl.Float64},
    )
    per_cell = measured.select("task", "difficulty_bin", pl.col("gain").abs().alias("progress"))
    per_group = (
        measured.with_columns(task_group_column().alias("group"))
        .group_by("group").agg(((pl.col("gain") * pl.col("n")).sum() / pl.col("n").sum()).abs().alias("progress"))
    )
    return per_cell, per_group


def compute_feedback(
    qa: pl.DataFrame, scores: pl.DataFrame, *, round: int, params: FeedbackParams = FeedbackParams(),
    bands: BandParams = BandParams(), previous: Feedback | None = None,
) -> Feedback:
    """Summarise `scores` (store.schema.SCORES rows) of `qa` rows per task group and per
    (task, template, bin).

    Blind scores (frames from another scene) are ignored; several solvers' scores of one
    row are averaged first, so every question counts once. Groups not scored this round
    keep their previous stats. `progress` reads the gains of `previous.probe`. A `previous`
    under another policy smoothed another statistic (an ablation arm that starts from a
    shared round 0): its groups are neither averaged in nor carried over.
    """
    policy = FEEDBACK_POLICIES[params.policy]
    per_row = (
        row_outcomes(scores, qa.select("qa_id", "task", "template", "difficulty_bin", "question", "answer_type",
                                       "options"), bands)
        .rename({"confidence": "conf"})
        .with_columns(band(bands, "conf").alias("band"), task_group_column().alias("group"))
        .sort("qa_id")  # group_by's output order varies; the per-group float means must not
    )
    cells, groups = cell_progress(previous.probe if previous else ())
    comparable = previous is not None and previous.policy == params.policy
    old_bins = {(b.task, b.template, b.bin): b for b in previous.bins} if comparable else {}
    bins: dict[tuple[str, str, str], BinStats] = dict(old_bins)
    table = _group_stats(per_row, ["task", "template", "difficulty_bin"], cells)
    prior = _prior(table, policy.statistic)
    for row in table.iter_rows(named=True):
        key = (row["task"], row["template"], row["difficulty_bin"])
        before = old_bins[key].smoothed if key in old_bins else None
        smoothed = _smooth(row[policy.statistic], before, prior, params)
        bins[key] = BinStats(task=key[0], template=key[1], bin=key[2], **_stats(row, smoothed, policy, params))
    old_tasks = {t.task: t for t in previous.tasks} if comparable else {}
    tasks: dict[str, TaskStats] = dict(old_tasks)
    table = _group_stats(per_row, ["group"], groups)
    prior = _prior(table, policy.statistic)
    for row in table.iter_rows(named=True):
        before = old_tasks[row["group"]].smoothed if row["group"] in old_tasks else None
        smoothed = _smooth(row[policy.statistic], before, prior, params)
        tasks[row["group"]] = TaskStats(task=row["group"], **_stats(row, smoothed, policy, params))
    return Feedback(
        round=round, policy=params.policy, bins=tuple(bins[k] for k in sorted(bins)),
        tasks=tuple(tasks[k] for k in sorted(tasks)), examples=_examples(per_row, params),
    )


def _stats(row: dict, smoothed: float, policy, params: FeedbackParams) -> dict:
    """The BinStats / TaskStats fields of one group-table row but its key."""
    return {
        "n": int(row["n"]), "accuracy": float(row["accuracy"]), "mean_confidence": float(row["mean_confidence"]),
        "smoothed": float(smoothed), "weight": max(params.floor, policy.weight(smoothed)),
        "easy": int(row["easy"]), "frontier": int(row["frontier"]), "hard": int(row["hard"]),
        "learnability": float(row["learnability"]), "progress": row["progress"],
        "fallback": row[policy.statistic] is None,
    }


def row_outcomes(scores: pl.DataFrame, qa: pl.DataFrame, bands: BandParams) -> pl.DataFrame:
    """`qa` rows (qa_id, answer_type, options and any others) with their sighted outcome: acc
    (share of scores correct), score (VSI-Bench's sample score: MRA for numbers, else acc),
    confidence, mra and q, the row's success (curation.bands.success under the `success`
    signal, whatever bands.signal steers: learnability and the probe always judge success)."""
    return (
        scores.filter(~pl.col("blind"))
        .group_by("qa_id")
        .agg(pl.col("correct").cast(pl.Float64).mean().alias("acc"), pl.col("confidence").mean(), pl.col("mra").mean())
        .join(qa, on="qa_id")
        .with_columns(pl.coalesce(pl.col("mra"), pl.col("acc")).alias("score"),
                      success(replace(bands, signal="success")).alias("q"))
    )


def probe_cells(
    qa: pl.DataFrame, scores: pl.DataFrame, *, bands: BandParams, before: tuple[ProbeCell, ...] = (),
    min_rows: int = 1,
) -> tuple[ProbeCell, ...]:
    """The held-in probe's cells under the solver that gave `scores` of its `qa` rows; a cell's
    gain is against `before` (the previous solver's cells), None when either side has fewer
    than `min_rows` rows."""
    outcomes = row_outcomes(scores, qa.select("qa_id", "task", "difficulty_bin", "answer_type", "options"), bands)
    per_cell = outcomes.sort("qa_id").group_by("task", "difficulty_bin").agg(
        pl.len().alias("n"), pl.col("q").mean().alias("success")).sort("task", "difficulty_bin")
    earlier = {(c.task, c.bin): c for c in before}
    cells = []
    for task, b, n, value in per_cell.iter_rows():
        old = earlier.get((task, b))
        measured = old is not None and min(n, old.n) >= min_rows
        cells.append(ProbeCell(task=task, bin=b, n=n, success=value, gain=value - old.success if measured else None))
    return tuple(cells)


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
