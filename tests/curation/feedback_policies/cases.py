"""Hand-checkable scored rows for the feedback-policy tests: one dict per question in, a
(qa, scores) pair out, so each test states its rows and the weights they must give."""

import polars as pl

from tests.curation.builders import qa_frame, scores_frame

FOUR = ["A. a", "B. b", "C. c", "D. d"]  # chance 1/4: q = (p - 1/4) / (3/4)
TEMPLATES = {"object_counting": "count", "room_size_estimation": "room_size", "object_rel_distance": "rel_distance"}


def scored(rows: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """rows: {task, bin?, p (gold confidence), mra? (numeric), correct?}; a task of TEMPLATES
    other than object_rel_distance is numeric, that one a 4-option choice."""
    qa, scores = [], []
    for k, r in enumerate(rows):
        qid = f"{r['task']}-{k}"
        mca = r["task"] == "object_rel_distance"
        qa.append({"qa_id": qid, "task": r["task"], "template": TEMPLATES[r["task"]],
                   "difficulty_bin": r.get("bin", "easy"), "answer_type": "mca" if mca else "numeric",
                   "options": FOUR if mca else None, "answer": "A" if mca else "2.0"})
        mra = r.get("mra")
        correct = r.get("correct", mra >= 0.5 if mra is not None else True)
        scores.append({"qa_id": qid, "confidence": r["p"], "mra": mra, "correct": correct})
    return qa_frame(qa), scores_frame(scores)
