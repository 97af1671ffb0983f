"""Selection of the training slice from filtered, scored rows.

1. Drop rows the filters dropped (`drop_reason`), ambiguous rows, rows without a gold
   answer, and easy rows (curation.bands; in case the trivial filter was not in the
   recipe).
2. Split the budget over task groups (curation.tasks.task_group) by the feedback's task
   weights, evenly without them (a group with too few rows gives its share to the
   others), and inside a group take answer letters in turn, so MCA letters stay
   balanced (numeric rows form one group of their own).
3. Inside each (group, letter) take the preferred rows first (`prefer`):
   - frontier: nearest the solver's frontier, smallest |q - frontier| for the value the
     bands are drawn on (curation.bands.success: the chance-corrected confidence q, or a
     numeric row's MRA under bands.signal `success`);
   - learnability: largest q(1 - q) of the row's success (the `learnability` feedback's
     statistic, whatever bands.signal is), i.e. smallest |success - 1/2|.
   Unscored rows rank as if |.| = unscored_distance; ties break by a seeded random key,
   so the slice is deterministic for a seed.
"""

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import polars as pl

from curation.bands import SIGNAL_COLUMNS, BandParams, band, success
from curation.feedback import apportion
from curation.params import SelectionParams
from curation.tasks import task_group_column
from store.views import latest_confidence

REASONS = ("selected", "over_budget", "invalid", "ambiguous", "trivial")  # plus any filter drop codes


def _preference(params: SelectionParams, bands: BandParams) -> pl.Expr:
    """Distance of each row from what the slice prefers (module docstring, step 3); null unscored."""
    if params.prefer == "learnability":
        return (success(replace(bands, signal="success")) - 0.5).abs()  # q(1 - q) = 1/4 - (q - 1/2)^2
    return (success(bands) - params.frontier).abs()


def _reasons(bands: BandParams) -> pl.Expr:
    return (
        pl.when(pl.col("drop_reason").is_not_null()).then(pl.col("drop_reason"))
        .when(pl.col("ambiguous")).then(pl.lit("ambiguous"))
        .when(pl.col("answer").is_null()).then(pl.lit("invalid"))
        .when(band(bands) == "easy").then(pl.lit("trivial"))
        .otherwise(pl.lit(None, pl.String))
    )


def _quotas(available: dict[str, int], budget: int, weights: Mapping[str, float] | None) -> dict[str, int]:
    """Shares per group by `weights` (even without), capped by what each group has, the
    remainder refilled by the same weights."""
    quotas = dict.fromkeys(available, 0)
    left = min(budget, sum(available.values()))
    while left > 0:
        open_tasks = {t: (weights or {}).get(t, 1.0) for t in available if quotas[t] < available[t]}
        share = apportion(open_tasks, left)
        for t, n in share.items():
            quotas[t] += min(n, available[t] - quotas[t])
        left = min(budget, sum(available.values())) - sum(quotas.values())
    return quotas


def _take_letters_in_turn(group: pl.DataFrame, quota: int) -> list[int]:
    """Row positions (`_pos`) from `group`, cycling through answer letters best-first."""
    queues = {
        key[0]: part["_pos"].to_list()
        for key, part in group.sort("_rank", "_tie").group_by("_letter", maintain_order=True)
    }
    taken: list[int] = []
    cursor = dict.fromkeys(queues, 0)
    while len(taken) < quota:
        for letter in sorted(queues):
            if cursor[letter] < len(queues[letter]) and len(taken) < quota:
                taken.append(queues[letter][cursor[letter]])
                cursor[letter] += 1
    return taken


def select(
    rows: pl.DataFrame, params: SelectionParams = SelectionParams(), *, seed: int = 0,
    scores: pl.DataFrame | None = None, bands: BandParams = BandParams(),
    task_weights: Mapping[str, float] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the slice, a table of reason -> n). Rows are QA rows; `scores` (SCORES rows) or
    `confidence` (and `mra`) columns on `rows` give each row's gold confidence (and MRA);
    `task_weights` (task group -> weight, curation.feedback) share the budget between groups."""
    work = rows.with_row_index("_pos")
    if scores is not None:
        work = work.drop(*SIGNAL_COLUMNS, strict=False).join(
            latest_confidence(scores, SIGNAL_COLUMNS), on="qa_id", how="left", maintain_order="left")
    work = work.with_columns(pl.lit(None, pl.Float64).alias(c) for c in SIGNAL_COLUMNS if c not in work.columns)
    work = work.with_columns(_reasons(bands).alias("_reason"),
                             task_group_column().alias("_group"))
    rng = np.random.default_rng(seed)
    eligible = work.filter(pl.col("_reason").is_null()).with_columns(
        _preference(params, bands).fill_null(params.unscored_distance).alias("_rank"),
        pl.when(pl.col("answer_type") == "mca").then(pl.col("answer")).otherwise(pl.lit("numeric")).alias("_letter"),
    )
    ties = rng.random(work.height)  # one draw per input row, so the tie-break ignores filtering
    eligible = eligible.with_columns(pl.Series("_tie", ties[eligible["_pos"].to_numpy()]))
    available = {t: n for t, n in eligible.group_by("_group").len().sort("_group").iter_rows()}
    quotas = _quotas(available, params.budget, task_weights)
    chosen: list[int] = []
    for (task,), group in eligible.sort("_group").group_by("_group", maintain_order=True):
        chosen += _take_letters_in_turn(group, quotas[task])
    chosen_set = set(chosen)
    reasons = work["_reason"].to_list()
    for i in work["_pos"].to_list():
        if reasons[i] is None:
            reasons[i] = "selected" if i in chosen_set else "over_budget"
    counts = pl.DataFrame({"reason": reasons}).group_by("reason").len("n").sort("reason")
    picked = work.filter(pl.col("_pos").is_in(sorted(chosen_set))).sort("_pos")
    return picked.select(rows.columns), counts


def with_selected(rows: pl.DataFrame, picked: pl.DataFrame) -> pl.DataFrame:
    """`rows` with the QA `selected` column: True exactly for the qa_ids of `picked`."""
    return rows.with_columns(pl.col("qa_id").is_in(picked["qa_id"].implode()).alias("selected"))
