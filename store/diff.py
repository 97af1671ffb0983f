"""Row-level diff of two versions of a table, by id.

Added and removed rows are anti-joins on the key; changed rows are those whose key is
in both versions but whose value columns differ. Everything stays lazy until the end,
so two 1M-row Lance versions are diffed without materialising either in Python.
"""

from dataclasses import dataclass

import polars as pl

from store.views import mix_shift, reward_summary, rollout_groups, selection_gap

# What makes a question that two rounds share "changed": its answer, or what the filters and selection made of it.
DECISION_COLUMNS = ["answer", "exec_status", "ambiguous", "drop_reason", "selected", "difficulty_bin"]
# ... and what makes a question two GRPO rounds both sampled "changed": what its answers earned.
REWARD_COLUMNS = ["mean_reward", "zero_variance"]


@dataclass(frozen=True)
class Diff:
    added: pl.DataFrame  # rows of `new` whose key is not in `old`
    removed: pl.DataFrame  # rows of `old` whose key is not in `new`
    changed: pl.DataFrame  # key + `<col>` (new) + `<col>_old` for rows whose values differ

    def summary(self) -> dict[str, int]:
        return {"added": self.added.height, "removed": self.removed.height, "changed": self.changed.height}


def diff(
    old: pl.LazyFrame,
    new: pl.LazyFrame,
    key: str | list[str] = "qa_id",
    columns: list[str] | None = None,
) -> Diff:
    """Compare `old` and `new` on `key`; `columns` are the value columns compared
    (default: every column the two share besides the key)."""
    keys = [key] if isinstance(key, str) else list(key)
    old_cols, new_cols = old.collect_schema().names(), new.collect_schema().names()
    for k in keys:
        if k not in old_cols or k not in new_cols:
            raise KeyError(f"diff key {k!r} is missing from {'old' if k not in old_cols else 'new'}")
    if columns is None:
        columns = [c for c in new_cols if c in old_cols and c not in keys]
    # Read only keys + compared columns of each side once; full rows are fetched just
    # for the (usually few) added and removed keys.
    old_v, new_v = pl.collect_all([old.select(keys + columns), new.select(keys + columns)])
    both = new_v.join(old_v, on=keys, how="inner", suffix="_old")
    differs = pl.lit(False)
    for c in columns:
        differs = differs | pl.col(c).ne_missing(pl.col(f"{c}_old"))
    changed = both.filter(differs)
    added_keys = new_v.select(keys).join(old_v.select(keys), on=keys, how="anti")
    removed_keys = old_v.select(keys).join(new_v.select(keys), on=keys, how="anti")
    added, removed = pl.collect_all([_rows_with(new, added_keys), _rows_with(old, removed_keys)])
    return Diff(added=added, removed=removed, changed=changed)


def _rows_with(frame: pl.LazyFrame, keys: pl.DataFrame) -> pl.LazyFrame:
    if keys.width == 1:  # an IN-list filter is pushed down into the Lance scan
        name = keys.columns[0]
        return frame.filter(pl.col(name).is_in(keys[name].implode()))
    return frame.join(keys.lazy(), on=keys.columns, how="semi")


@dataclass(frozen=True)
class RoundComparison:
    rows: Diff  # questions added, removed, and changed in DECISION_COLUMNS
    mix: pl.DataFrame  # store.views.mix_shift
    trained: pl.DataFrame  # store.views.selection_gap


def compare_rounds(a: pl.LazyFrame, b: pl.LazyFrame) -> RoundComparison:
    """How the qa rows of `b` differ from those of `a`: rows, difficulty mix, training selection."""
    return RoundComparison(diff(a, b, key="qa_id", columns=DECISION_COLUMNS), mix_shift(a, b),
                           selection_gap(a, b).collect())


@dataclass(frozen=True)
class RolloutComparison:
    rows: Diff  # questions sampled on one side only, and those both sampled whose REWARD_COLUMNS differ
    tasks: pl.DataFrame  # per task: groups, mean_reward, zero_variance on each side (_a, _b; 0 where none)


def compare_rollouts(a: pl.LazyFrame, b: pl.LazyFrame) -> RolloutComparison:
    """How the GRPO rollouts of `b` differ from those of `a`. Both are rollouts rows with their
    question's `task` (ouroboros.slicing.with_questions); a question's row is its groups,
    samples, mean reward per sampled answer and zero-variance groups (store.views.reward_summary)."""
    per_question = [reward_summary(rollout_groups(side, "task"), "qa_id", "task") for side in (a, b)]
    rows = diff(per_question[0], per_question[1], key="qa_id", columns=REWARD_COLUMNS)
    summaries = [reward_summary(rollout_groups(side, "task"), "task").select(
        "task", *[pl.col(c).alias(f"{c}_{name}") for c in ("groups", "mean_reward", "zero_variance")])
        for name, side in (("a", a), ("b", b))]
    tasks = summaries[0].join(summaries[1], on="task", how="full", coalesce=True).fill_null(0).sort("task")
    return RolloutComparison(rows, tasks.collect())
