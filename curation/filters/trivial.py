"""trivial: rows the previous solver already answers with confidence >= tau_easy.

Score: mean non-blind gold confidence in the latest round that scored the row
(null when unscored; unscored rows are never flagged).
"""

import polars as pl

from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.filters.confidence import aligned, per_round_confidence
from curation.params import require_in_range


@register("trivial")
class Trivial(Filter):
    def __init__(self, tau_easy: float = 0.9):
        require_in_range("filters.trivial", "tau_easy", tau_easy, 0.0, 1.0)
        self.tau_easy = tau_easy

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        latest = (
            per_round_confidence(ctx.scores)
            .sort("round")
            .group_by("qa_id")
            .agg(pl.col("confidence").last().alias("score"))
        )
        return aligned(rows, latest).select(pl.col("score").cast(pl.Float64))

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        reason = pl.format("trivial: confidence {} >= {}", pl.col("score").round(3), pl.lit(self.tau_easy))
        return flag_frame(pl.col("score") >= self.tau_easy, reason, stats)
