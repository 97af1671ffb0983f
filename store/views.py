"""Polars views over the lake's tables: difficulty slices, the difficulty mix, each
question's gold confidence over the rounds that scored it, and GRPO's groups of sampled answers.

Pure functions of LazyFrames (the confidence views of DataFrames, as the filters hold
them), so the filters they add are pushed into the Lance scans by whoever collects them.
"""

import polars as pl

from store.schema import SCORE_COLUMNS, SCORES, polars_schema

KEPT = "kept"  # the reason name for rows no filter dropped


def with_scores(qa: pl.LazyFrame, scores: pl.LazyFrame, *, blind: bool = False) -> pl.LazyFrame:
    """qa rows with the solver's score of the same round (left join: unscored rows keep nulls)."""
    own = scores.filter(pl.col("blind") == blind).select("qa_id", "round", *SCORE_COLUMNS)
    return qa.join(own, on=["qa_id", "round"], how="left")


def difficulty_slice(
    qa: pl.LazyFrame,
    scores: pl.LazyFrame,
    *,
    round: int | None = None,
    task: str | None = None,
    min_confidence: float | None = None,
    max_confidence: float | None = None,
    reason: str | None = None,
    split: str | None = None,
    selected: bool | None = None,
    scene: str | None = None,
    contains: str | None = None,
) -> pl.LazyFrame:
    """Rows matching every given condition, by round and qa_id; confidence bounds are inclusive.

    `reason` matches `drop_reason`, or "kept" for rows no filter dropped; `contains` is a
    literal, case-sensitive substring of the question. A condition that can match nothing
    (a round, task, split, reason or scene no qa row has; a confidence bound outside
    [0, 1]; min above max) is a ValueError that names it and lists the valid values.
    """
    for name, bound in (("min_confidence", min_confidence), ("max_confidence", max_confidence)):
        if bound is not None and not 0 <= bound <= 1:
            raise ValueError(f"{name} {bound} is outside [0, 1] (confidence is a probability)")
    if min_confidence is not None and max_confidence is not None and min_confidence > max_confidence:
        raise ValueError(f"min_confidence {min_confidence} > max_confidence {max_confidence}")
    for name, column, value in (("round", "round", round), ("task", "task", task), ("split", "split", split),
                                ("reason", "drop_reason", reason), ("scene", "scene_id", scene)):
        if value is not None:
            _require_value(qa, name, column, value)
    conditions = []
    if round is not None:
        conditions.append(pl.col("round") == round)
    if task is not None:
        conditions.append(pl.col("task") == task)
    if split is not None:
        conditions.append(pl.col("split") == split)
    if selected is not None:
        conditions.append(pl.col("selected") == selected)
    if reason is not None:
        conditions.append(pl.col("drop_reason").is_null() if reason == KEPT else pl.col("drop_reason") == reason)
    if scene is not None:
        conditions.append(pl.col("scene_id") == scene)
    if contains:
        conditions.append(pl.col("question").str.contains(contains, literal=True))
    rows = qa.filter(*conditions) if conditions else qa
    if round is not None:
        scores = scores.filter(pl.col("round") == round)
    rows = with_scores(rows, scores)
    if min_confidence is not None:
        rows = rows.filter(pl.col("confidence") >= min_confidence)
    if max_confidence is not None:
        rows = rows.filter(pl.col("confidence") <= max_confidence)
    return rows.sort("round", "qa_id")  # the same rows print in the same order every time


def _require_value(qa: pl.LazyFrame, name: str, column: str, value: object) -> None:
    """A ValueError listing the values `column` holds, when `value` is not one of them."""
    if name == "reason" and value == KEPT:
        return
    have = qa.select(pl.col(column).drop_nulls().unique().sort()).collect().to_series().to_list()
    if name == "reason":
        have.append(KEPT)
    if value not in have:
        raise ValueError(f"{name} {value!r} matches no qa row; valid: {', '.join(map(str, have)) or 'none (no rows)'}")


def difficulty_mix(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Row counts and share per (task, difficulty_bin)."""
    counts = rows.group_by("task", "difficulty_bin").len("n")
    return counts.with_columns((pl.col("n") / pl.col("n").sum()).alias("share")).sort("task", "difficulty_bin")


def reason_counts(rows: pl.LazyFrame) -> pl.LazyFrame:
    """How many rows each filter reason dropped ("kept" for the survivors)."""
    return rows.group_by(pl.col("drop_reason").fill_null(KEPT).alias("reason")).len("n").sort("reason")


def selection_gap(a: pl.LazyFrame, b: pl.LazyFrame) -> pl.LazyFrame:
    """Per (task, difficulty_bin): rows selected for training in `a` only, in `b` only, and in both.

    A row the other side never proposed, or proposed and did not select, counts for one
    side only; rows neither side selected do not appear. Cells are those of the side
    that selected the row (`a`'s when both did).
    """
    cells = ["task", "difficulty_bin"]
    picked = pl.concat([
        rows.filter(pl.col("selected")).select("qa_id", *cells, pl.lit(side).alias("side"))
        for side, rows in (("a", a), ("b", b))
    ])
    per_row = picked.group_by("qa_id").agg(
        pl.col(cells).first(),
        in_a=(pl.col("side") == "a").any(),
        in_b=(pl.col("side") == "b").any(),
    )
    return per_row.group_by(cells).agg(
        only_a=(pl.col("in_a") & ~pl.col("in_b")).sum(),
        only_b=(~pl.col("in_a") & pl.col("in_b")).sum(),
        both=(pl.col("in_a") & pl.col("in_b")).sum(),
    ).sort(cells)


def per_round_confidence(scores: pl.DataFrame | None, columns: tuple[str, ...] = ("confidence",)) -> pl.DataFrame:
    """(qa_id, round, confidence) of SCORES rows: the mean sighted (non-blind) gold confidence
    per question and scored round, sorted by (qa_id, round); typed and empty without scores.
    `columns` names the numeric score columns averaged (e.g. also `mra`, null for choices)."""
    if scores is None or scores.is_empty():
        return pl.DataFrame(schema=polars_schema(SCORES, ("qa_id", "round", *columns)))
    return (
        scores.filter(~pl.col("blind"))
        .group_by("qa_id", "round")
        .agg(pl.col(*columns).mean())
        .with_columns(pl.col("round").cast(pl.Int32))
        # group_by emits groups in any order; callers sum per qa_id, and float sums depend
        # on their order, so fix it (the content fingerprint must not see the order)
        .sort("qa_id", "round")
    )


def latest_confidence(scores: pl.DataFrame | None, columns: tuple[str, ...] = ("confidence",)) -> pl.DataFrame:
    """(qa_id, confidence): each question's mean sighted gold confidence in the latest round
    that scored it: what the solver now thinks of it (and so for the other `columns`)."""
    return per_round_confidence(scores, columns).group_by("qa_id", maintain_order=True).agg(pl.col(*columns).last())


def confidence_spread() -> list[pl.Expr]:
    """Aggregations for Dataset Cartography's map: `mean` and `std` (population, ddof=0) of
    the `confidence` column over a group, and `rounds`, how many values it had."""
    values = pl.col("confidence")
    return [values.mean().alias("mean"), values.std(ddof=0).alias("std"), pl.len().alias("rounds")]


def mix_shift(a: pl.LazyFrame, b: pl.LazyFrame) -> pl.DataFrame:
    """Per (task, difficulty_bin): rows and share on each side (n_a, share_a, n_b, share_b; 0 where
    a side has none) and the change of share in percentage points (shift_pts)."""
    mixes = [difficulty_mix(rows).rename({"n": f"n_{side}", "share": f"share_{side}"})
             for side, rows in (("a", a), ("b", b))]
    joined = mixes[0].join(mixes[1], on=["task", "difficulty_bin"], how="full", coalesce=True).fill_null(0)
    return joined.with_columns(((pl.col("share_b") - pl.col("share_a")) * 100).alias("shift_pts")).sort(
        "task", "difficulty_bin").collect()


def rollout_groups(rollouts, *carry: str):
    """One row per GRPO group of a `rollouts` frame (lazy or not; by round and group when it has
    a round column, else by group): its qa_id and `carry` columns, `samples`, `reward_sum`, and
    `zero` (its rewards were all equal: every advantage 0, the group taught nothing)."""
    keys = [c for c in ("round", "group") if c in rollouts.collect_schema().names()]
    return rollouts.group_by(keys).agg(pl.col("qa_id", *carry).first(), pl.len().alias("samples"),
                                       pl.col("reward").sum().alias("reward_sum"),
                                       (pl.col("reward").n_unique() == 1).alias("zero"))


def reward_summary(groups, *by: str):
    """`rollout_groups` rows summed per `by`: groups, samples, mean_reward (per sampled answer)
    and zero_variance (groups whose rewards were all equal)."""
    return groups.group_by(by).agg(pl.len().alias("groups"), pl.col("samples").sum(),
                                   (pl.col("reward_sum").sum() / pl.col("samples").sum()).alias("mean_reward"),
                                   pl.col("zero").sum().alias("zero_variance"))
