"""trivial: rows the previous solver already knows, the paper's "easy" band (curation.bands).

Score: the value the bands are drawn on (curation.bands.success: the chance-corrected gold
confidence q, or a numeric row's MRA under bands.signal `success`) of the latest round that
scored the row (mean over that round's non-blind scores; null when unscored, and unscored
rows are never flagged). Flagged when it is > bands.easy: the threshold is the bands', set once in
params `bands`, so the filter, the selection and the band counts agree.
"""

import polars as pl

from curation.bands import SIGNAL_COLUMNS, BandParams, success
from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.filters.confidence import aligned
from store.views import latest_confidence

_SCORE_NAMES = {"gold_prob": "chance-corrected confidence", "success": "success (MRA for numbers)"}


@register("trivial")
class Trivial(Filter):
    def __init__(self, bands: BandParams):
        self.bands = bands

    @classmethod
    def context_kwargs(cls, ctx: FilterContext) -> dict:
        return {"bands": ctx.bands}

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        latest = aligned(rows, latest_confidence(ctx.scores, SIGNAL_COLUMNS))
        q = rows.select("answer_type", "options").with_columns(latest)
        return q.select(success(self.bands).cast(pl.Float64).alias("score"))

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        easy = self.bands.easy
        reason = pl.format("trivial: {} {} > {}", pl.lit(_SCORE_NAMES[self.bands.signal]), pl.col("score").round(3),
                           pl.lit(easy))
        return flag_frame(pl.col("score") > easy, reason, stats)
