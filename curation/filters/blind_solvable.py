"""blind_solvable: rows the solver answers right without seeing the scene.

The idea behind VSI-Bench-Debiased: a question the solver gets right with another
scene's frames is answerable from priors (typical sizes, the usual answer letter),
so it teaches nothing about looking. Score: the solver's blind gold confidence in the
latest round that scored the row blind (null when never scored blind). Flagged when
that blind answer was correct and confident (>= tau_blind).
"""

import polars as pl

from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.filters.confidence import aligned
from curation.params import require_in_range


@register("blind_solvable")
class BlindSolvable(Filter):
    def __init__(self, tau_blind: float = 0.8):
        require_in_range("filters.blind_solvable", "tau_blind", tau_blind, 0.0, 1.0)
        self.tau_blind = tau_blind

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        schema = {"qa_id": pl.String, "score": pl.Float64, "correct": pl.Boolean}
        if ctx.scores is None or ctx.scores.is_empty():
            latest = pl.DataFrame(schema=schema)
        else:
            latest = (
                ctx.scores.filter(pl.col("blind"))
                .sort("round")
                .group_by("qa_id")
                .agg(pl.col("confidence").last().alias("score"), pl.col("correct").last())
            )
        return aligned(rows, latest).select(pl.col("score").cast(pl.Float64), pl.col("correct").cast(pl.Boolean))

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        flagged = pl.col("correct").fill_null(False) & (pl.col("score") >= self.tau_blind)
        reason = pl.format("blind_solvable: right without the scene, confidence {}", pl.col("score").round(3))
        return flag_frame(flagged, reason, stats)
