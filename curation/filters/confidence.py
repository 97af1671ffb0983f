"""Per-question values (keyed by qa_id) lined up with a filter's rows."""

import polars as pl


def aligned(rows: pl.DataFrame, per_qa: pl.DataFrame) -> pl.DataFrame:
    """`per_qa` (keyed by qa_id) joined onto `rows` in row order; unknown ids give nulls."""
    return rows.select("qa_id").join(per_qa, on="qa_id", how="left", maintain_order="left").drop("qa_id")
