"""cartography: mean and std of gold confidence across rounds (Dataset Cartography).

High std (the solver flips between rounds) -> `ambiguous`; persistently low mean with
low std (confidently wrong every round) -> `audit`, a queue of possibly mislabelled
rows. Score: the std; rows scored in fewer than `min_rounds` rounds are not measured.
"""

import polars as pl

from curation.errors import ParamError
from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.filters.confidence import aligned
from curation.params import require_in_range, require_int
from store.views import confidence_spread, per_round_confidence


@register("cartography")
class Cartography(Filter):
    def __init__(self, min_rounds: int = 2, std_high: float = 0.2, mean_low: float = 0.2, std_low: float = 0.05):
        require_int("filters.cartography", "min_rounds", min_rounds, 2)
        for field, value in (("std_high", std_high), ("mean_low", mean_low), ("std_low", std_low)):
            require_in_range("filters.cartography", field, value, 0.0, 1.0)
        if std_low >= std_high:
            raise ParamError("filters.cartography", "std_low", f"must be below std_high ({std_high}), got {std_low}")
        self.min_rounds, self.std_high, self.mean_low, self.std_low = min_rounds, std_high, mean_low, std_low

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        per_qa = (
            per_round_confidence(ctx.scores)
            .group_by("qa_id")
            .agg(*confidence_spread())
            .filter(pl.col("rounds") >= self.min_rounds)
        )
        return aligned(rows, per_qa).select(
            pl.col("std").cast(pl.Float64).alias("score"), pl.col("mean").cast(pl.Float64),
            pl.col("rounds").cast(pl.Int64),
        )

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        ambiguous = pl.col("score") >= self.std_high
        audit = (pl.col("mean") <= self.mean_low) & (pl.col("score") <= self.std_low)
        detail = pl.format("mean {} std {} over {} rounds", pl.col("mean").round(3), pl.col("score").round(3),
                           pl.col("rounds"))
        reason = pl.when(ambiguous).then(pl.lit("ambiguous: ") + detail).otherwise(pl.lit("audit: ") + detail)
        return flag_frame(ambiguous | audit, reason, stats)
