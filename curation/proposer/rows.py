"""The proposal frame: qa rows before execution (store.schema.PROPOSAL_COLUMNS of the QA schema)."""

from collections.abc import Sequence
from typing import Any

import polars as pl

from curation.tasks.base import Candidate
from store import ids
from store.schema import PROPOSAL_COLUMNS, QA, polars_schema

PROPOSAL_SCHEMA = polars_schema(QA, PROPOSAL_COLUMNS)


def proposal_row(
    candidate: Candidate, scene_id: str, *, proposer: str, round: int, split: str = "train",
    frame_ids: Sequence[str] = (), model: str | None = None, prompt_version: str | None = None,
) -> dict[str, Any]:
    options = list(candidate.options) if candidate.options is not None else None
    return {
        "qa_id": ids.qa_id(scene_id, candidate.task, candidate.question, options, candidate.program),
        "round": round,
        "split": split,
        "scene_id": scene_id,
        "proposer": proposer,
        "proposer_model": model,
        "prompt_version": prompt_version,
        "task": candidate.task,
        "template": candidate.template,
        "difficulty": candidate.difficulty_json,
        "difficulty_bin": candidate.difficulty_bin,
        "question": candidate.question,
        "options": options,
        "answer_type": candidate.answer_type,
        "program": candidate.program,
        "frame_ids": list(frame_ids),
    }


def proposal_frame(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a frame with the proposal schema (typed even when empty)."""
    return pl.DataFrame(list(rows), schema=PROPOSAL_SCHEMA)
