"""Evaluation of a solver on a held-out sample table with VSI-Bench's metrics (training.metrics)."""

import polars as pl

from training.confidence import score
from training.metrics import vsibench_scores

__all__ = ["evaluate", "vsibench_scores"]


def evaluate(solver, samples: pl.DataFrame, frames: pl.DataFrame, blind: bool = False, batch_size: int = 16) -> dict:
    """VSI-Bench scores of `solver` on `samples` (see training.confidence.score for the
    table contract); `blind` scores with frames swapped between scenes."""
    scored = score(solver, samples, frames, batch_size=batch_size, blind=blind)
    joined = samples.select("qa_id", "task", "options", "answer_type", "answer").join(scored, on="qa_id")
    return vsibench_scores(
        {
            "question_type": r["task"],
            "options": r["options"] if r["answer_type"] == "mca" else None,
            "ground_truth": r["answer"],
            "prediction": r["prediction"],
        }
        for r in joined.iter_rows(named=True)
    )
