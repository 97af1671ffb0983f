"""zero_variance: rows whose last GRPO group taught nothing (DAPO's dynamic sampling, on the data side).

Score: the variance of the rewards of the row's group of sampled answers in the latest round
that trained on it by GRPO (training.grpo; the lake's `rollouts`, ctx.rollouts); null when no
GRPO round sampled it, and such rows are never flagged. Flagged when it is 0: every answer
earned the same reward (all right or all wrong), so every advantage was 0 and the row moved
nothing. Add it to `filters.after_scoring` for `train.method: grpo`, beside `selection.prefer:
learnability`, which prefers rows whose predicted reward variance q(1 - q) is largest.
"""

import polars as pl

from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.filters.confidence import aligned


@register("zero_variance")
class ZeroVariance(Filter):
    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        if ctx.rollouts is None or ctx.rollouts.is_empty():
            return aligned(rows, pl.DataFrame(schema={"qa_id": pl.String, "score": pl.Float64}))
        # one row may be sampled in several groups of a round (epochs): its latest group counts
        groups = ctx.rollouts.group_by("qa_id", "round", "group").agg(pl.col("reward").var(ddof=0).alias("score"))
        latest = groups.sort("round", "group").group_by("qa_id").agg(pl.col("score").last())
        return aligned(rows, latest)

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        return flag_frame(pl.col("score") == 0, pl.lit("zero_variance: its last GRPO group's rewards were all equal"),
                          stats)
