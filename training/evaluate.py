"""Evaluation of a solver on a held-out sample table with VSI-Bench's metrics (training.metrics)."""

import polars as pl

from training.confidence import score
from training.metrics import vsibench_scores

__all__ = ["evaluate", "predictions", "vsibench_scores"]


def predictions(solver, samples: pl.DataFrame, frames: pl.DataFrame, blind: bool = False,
                batch_size: int = 16) -> list[dict]:
    """One dict per sample, in `samples` order, as training.metrics reads them (qa_id,
    question_type, ground_truth, prediction); see training.confidence.score for the table
    contract. `blind` scores with frames swapped between scenes."""
    scored = score(solver, samples, frames, batch_size=batch_size, blind=blind).select("qa_id", "prediction")
    joined = samples.select("qa_id", "task", "answer").join(scored, on="qa_id", maintain_order="left")
    return [
        {"qa_id": r["qa_id"], "question_type": r["task"], "ground_truth": r["answer"], "prediction": r["prediction"]}
        for r in joined.iter_rows(named=True)
    ]


def evaluate(solver, samples: pl.DataFrame, frames: pl.DataFrame, blind: bool = False, batch_size: int = 16) -> dict:
    """VSI-Bench scores of `solver` on `samples` (see `predictions`)."""
    return vsibench_scores(predictions(solver, samples, frames, blind, batch_size))
