"""invalid: rows whose execution gives no usable gold answer.

Score 1.0 when the program failed (status not ok), returned None, NaN/inf or
"ambiguous", when an MCA value matches no option (or the options repeat), or when no
gold answer was derived; else 0.0.
"""

import json
import math

import polars as pl

from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.tasks.base import AMBIGUOUS, normalise_answer
from plumbing.options import option_text


def problem(row: dict) -> str | None:
    """Why a row's execution result is not a usable gold answer, or None."""
    if row["exec_status"] != "ok":
        return f"exec {row['exec_status']}"
    value = json.loads(row["exec_value"]) if row["exec_value"] is not None else None
    if value is None:
        return "returned None"
    if isinstance(value, float) and not math.isfinite(value):
        return f"returned {value}"
    if isinstance(value, str) and normalise_answer(value) == AMBIGUOUS:
        return "returned ambiguous"
    if row["answer_type"] == "mca":
        texts = [normalise_answer(option_text(o)) for o in row["options"] or []]
        if len(set(texts)) != len(texts):
            return "duplicate options"
        if normalise_answer(str(value)) not in texts:
            return "answer not among options"
    if row["answer"] is None:
        return "no gold answer"
    return None


@register("invalid")
class Invalid(Filter):
    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        cols = ("exec_status", "exec_value", "answer_type", "options", "answer")
        problems = [problem(r) for r in rows.select(cols).iter_rows(named=True)]
        return pl.DataFrame(
            {"score": [0.0 if p is None else 1.0 for p in problems], "problem": problems},
            schema={"score": pl.Float64, "problem": pl.String},
        )

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        return flag_frame(pl.col("score") >= 0.5, pl.lit("invalid: ") + pl.col("problem"), stats)
