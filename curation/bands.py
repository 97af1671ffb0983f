"""Difficulty bands: the paper's easy / frontier / hard split of the solver's gold confidence.

confidence p = geometric mean of the gold answer tokens' probabilities under teacher
forcing (training.confidence). A row is

- easy      when q > easy  (0.9): the solver already knows it; training on it teaches nothing;
- hard      when q < hard  (0.1): the solver knows nothing about it (yet);
- frontier  otherwise: where learning happens.

Chance correction (on by default, `chance_correction`). q is p with chance taken out:
q = (p - c) / (1 - c), clipped at 0, where c = 1/k for a k-option question and c = 0
for a numeric answer (an open vocabulary has no floor), so numeric rows use the paper's
rule exactly. Without it, a solver that has learned the answer format but nothing else
puts p = 1/k on the gold letter: p = 0.5 on a two-option question would be "frontier"
for ever, and a task the solver cannot learn would keep its budget. With it, that row
is hard, and "easy" asks for the same certainty above chance on every question type.
`chance_correction: false` gives the paper's uncorrected rule (p > 0.9, p < 0.1).

Signal (`signal`). `gold_prob` bands every row on q as above (the paper's rule). It fails
numeric answers: the gold-token probability of a multi-digit number stays low even when
the prediction is close (room size at accuracy 0.77 had mean confidence 0.33 and was never
easy), because every digit's probability multiplies in although only the leading ones
matter to MRA. `success` bands on the row's success instead: q for a multiple-choice row,
and for a numeric row its MRA (scores column `mra`: VSI-Bench's own partial credit of the
solver's greedy answer, the share of the ten tolerances it falls within). A numeric row the
solver answers within 5% is then easy, one it misses by over 50% hard. Rows with the
`success` signal need an `mra` column beside `confidence` (SIGNAL_COLUMNS).

`success` is the default because the gold probability gives numeric tasks no signal: on a
small tiny-solver run (2 rounds, ~260 scored rows a round) not one row of any task was
easy under `gold_prob`, and every row of counting, absolute distance and room size was
frontier whatever their accuracy (0.25 to 0.48), so the `frontier` policy gave all three
the full weight; under `success` those tasks split easy / frontier / hard as 0.37 / 0.24 /
0.40 (counting), 0.11 / 0.50 / 0.39 (room size) and 0.03 / 0.08 / 0.89 (object size), and
multiple-choice rows band exactly as before.

This module is the one place the thresholds are applied: the trivial filter, the
selection, the feedback and the per-round band counts all call it.
"""

from typing import Annotated, Literal, get_args

import polars as pl
from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from plumbing.params import STRICT

BANDS = ("easy", "frontier", "hard")
Signal = Literal["gold_prob", "success"]  # params bands.signal (module docstring)
SIGNALS: tuple[str, ...] = get_args(Signal)
SIGNAL_COLUMNS = ("confidence", "mra")  # the score columns `success` reads per row


@dataclass(frozen=True, config=STRICT)
class BandParams:
    easy: Annotated[float, Field(ge=0, le=1)] = 0.9  # q above this is easy (trivial): dropped from training
    hard: Annotated[float, Field(ge=0, le=1)] = 0.1  # q below this is hard
    chance_correction: bool = True  # bands on q = (p - chance) / (1 - chance); False: on p
    signal: Signal = "success"  # success: MRA for numeric rows; gold_prob: q for every row (the paper's rule)

    @model_validator(mode="after")
    def _hard_below_easy(self):
        if self.hard >= self.easy:
            raise ValueError(f"hard: must be below bands.easy ({self.easy}), got {self.hard}")
        return self


def chance(answer_type: pl.Expr, options: pl.Expr) -> pl.Expr:
    """The confidence a solver that knows only the answer format puts on the gold answer."""
    n = options.list.len().cast(pl.Float64)
    return pl.when((answer_type == "mca") & (n > 0)).then(1.0 / n).otherwise(0.0)


def corrected(params: BandParams = BandParams(), confidence: str = "confidence") -> pl.Expr:
    """q of each row (module docstring) from its `confidence`, `answer_type` and `options`."""
    p = pl.col(confidence)
    if not params.chance_correction:
        return p
    c = chance(pl.col("answer_type"), pl.col("options"))
    return ((p - c) / (1.0 - c)).clip(lower_bound=0.0)


def success(params: BandParams = BandParams(), confidence: str = "confidence") -> pl.Expr:
    """The value bands are drawn on (params `signal`): q, or under `success` a numeric row's
    `mra` (falling back to q where a numeric row has no MRA, e.g. an older lake's scores)."""
    q = corrected(params, confidence)
    if params.signal == "gold_prob":
        return q
    return pl.when(pl.col("answer_type") == "numeric").then(pl.coalesce(pl.col("mra"), q)).otherwise(q)


def band(params: BandParams = BandParams(), confidence: str = "confidence") -> pl.Expr:
    """The band of each row; null where the row is unscored (null confidence)."""
    q = success(params, confidence)
    return (
        pl.when(q.is_null()).then(pl.lit(None, pl.String))
        .when(q > params.easy).then(pl.lit("easy"))
        .when(q < params.hard).then(pl.lit("hard"))
        .otherwise(pl.lit("frontier"))
    )


def band_counts(rows: pl.DataFrame, by: str, params: BandParams = BandParams()) -> pl.DataFrame:
    """(`by`, easy, frontier, hard, n): scored rows per band in each `by` group, sorted by it.
    `rows` needs confidence, answer_type and options."""
    scored = rows.filter(pl.col("confidence").is_not_null()).with_columns(band(params).alias("_band"))
    return (
        scored.group_by(by)
        .agg(*[(pl.col("_band") == b).sum().cast(pl.Int64).alias(b) for b in BANDS], pl.len().cast(pl.Int64).alias("n"))
        .sort(by)
    )
