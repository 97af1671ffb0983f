"""Difficulty bands: the paper's easy / frontier / hard split of the solver's gold confidence.

confidence p = geometric mean of the gold answer tokens' probabilities under teacher
forcing (training.confidence). A row is

- easy      when p > easy  (0.9): the solver already knows it; training on it teaches nothing;
- hard      when p < hard  (0.1): the solver is confidently wrong or lost;
- frontier  otherwise: where learning happens.

This module is the one place those thresholds are applied; the trivial filter, the
selection, the feedback and the per-round band counts all read `BandParams`.

Chance. A k-option question has a floor of 1/k for a solver that has learned the
answer format but not the answer, so p = 0.5 on a yes/no-like two-option question
means "knows nothing", not "half learned". `frontier_target` therefore moves the
selection's preferred confidence up by chance: target = c + t (1 - c) with c = 1/k for
multiple choice and c = 0 for numeric answers (an open vocabulary has no floor). The
bands themselves need no correction: easy (> 0.9) is far above the 2-option floor of
0.5, and hard (< 0.1) is below every floor, so it always means "confidently wrong".
"""

from dataclasses import dataclass

import polars as pl

from curation.errors import ParamError
from curation.params import require_in_range

BANDS = ("easy", "frontier", "hard")


@dataclass(frozen=True)
class BandParams:
    easy: float = 0.9  # p above this is easy (trivial): dropped from training
    hard: float = 0.1  # p below this is hard

    def __post_init__(self) -> None:
        require_in_range("bands", "easy", self.easy, 0.0, 1.0)
        require_in_range("bands", "hard", self.hard, 0.0, 1.0)
        if self.hard >= self.easy:
            raise ParamError("bands", "hard", f"must be below bands.easy ({self.easy}), got {self.hard}")


def band(confidence: pl.Expr, params: BandParams = BandParams()) -> pl.Expr:
    """The band of each confidence (null stays null: an unscored row has no band)."""
    return (
        pl.when(confidence.is_null()).then(pl.lit(None, pl.String))
        .when(confidence > params.easy).then(pl.lit("easy"))
        .when(confidence < params.hard).then(pl.lit("hard"))
        .otherwise(pl.lit("frontier"))
    )


def chance(answer_type: pl.Expr, options: pl.Expr) -> pl.Expr:
    """The confidence a solver that knows only the answer format puts on the gold answer."""
    n = options.list.len().cast(pl.Float64)
    return pl.when((answer_type == "mca") & (n > 0)).then(1.0 / n).otherwise(0.0)


def frontier_target(target: float, answer_type: pl.Expr, options: pl.Expr) -> pl.Expr:
    """The confidence the selection prefers, corrected for chance (module docstring)."""
    c = chance(answer_type, options)
    return c + target * (1.0 - c)
