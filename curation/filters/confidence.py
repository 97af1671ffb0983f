"""Helpers for the confidence-based filters: per-row gold confidence from SCORES rows."""

import polars as pl


def per_round_confidence(scores: pl.DataFrame | None) -> pl.DataFrame:
    """(qa_id, round, confidence): mean non-blind gold confidence per row and scored round."""
    if scores is None or scores.is_empty():
        return pl.DataFrame(schema={"qa_id": pl.String, "round": pl.Int32, "confidence": pl.Float64})
    return (
        scores.filter(~pl.col("blind"))
        .group_by("qa_id", "round")
        .agg(pl.col("confidence").mean())
        .with_columns(pl.col("round").cast(pl.Int32))
        # group_by emits groups in any order; the filters then sum per qa_id, and float sums
        # depend on their order, so fix it (the content fingerprint must not see the order)
        .sort("qa_id", "round")
    )


def latest_confidence(scores: pl.DataFrame | None) -> pl.DataFrame:
    """(qa_id, confidence): each row's mean non-blind gold confidence in the latest round
    that scored it: what the solver now thinks of it."""
    return (
        per_round_confidence(scores).sort("qa_id", "round").group_by("qa_id", maintain_order=True)
        .agg(pl.col("confidence").last())
    )


def aligned(rows: pl.DataFrame, per_qa: pl.DataFrame) -> pl.DataFrame:
    """`per_qa` (keyed by qa_id) joined onto `rows` in row order; unknown ids give nulls."""
    return rows.select("qa_id").join(per_qa, on="qa_id", how="left", maintain_order="left").drop("qa_id")
