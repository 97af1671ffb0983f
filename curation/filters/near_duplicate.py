"""near_duplicate: questions that mean the same as an earlier one on the same scene and task.

`dedupe` compares word sets and program text; a rephrasing written by another program
("How far is the sofa from the lamp?" / "What is the distance between the lamp and the
sofa in metres?") shares few words and may run a different program. Here every question
is a vector from `ctx.embed_questions` (a sentence encoder, texts -> [n, dim]); a row's
score is its highest cosine similarity to an earlier row with the same scene, task and
gold answer (the option's text for MCA, so reshuffled options still match), and rows at
or above `threshold` are flagged, so the first of a group is kept (the reason names it by
qa_id, which stays the same when the rows are filtered in shards of scenes). The answer is part of
the key because a sentence encoder sees "How many chairs..." and "How many tables..."
as alike (cosine 0.80 under MiniLM), while two phrasings of one question always share
their answer.

Scores are rounded to SCORE_DECIMALS before the decision: encoder floats differ in their
last bits between CPUs, and a stored score (part of the round's fingerprint) should not.
"""

import numpy as np
import polars as pl

from curation.errors import ParamError
from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.params import require_in_range
from curation.tasks.base import normalise_answer
from plumbing.options import option_for, option_text

SCORE_DECIMALS = 4


def _gold(answer: str | None, answer_type: str, options: list[str] | None) -> str | None:
    """What the answer says: an MCA letter becomes its option's text."""
    option = option_for(answer, options) if answer_type == "mca" else None
    return normalise_answer(option_text(option)) if option is not None else answer


def _unit(vectors: np.ndarray, n: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != n:
        raise ValueError(f"filters.near_duplicate: the question encoder returned shape {matrix.shape} for {n} texts")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


@register("near_duplicate")
class NearDuplicate(Filter):
    def __init__(self, threshold: float = 0.85):
        require_in_range("filters.near_duplicate", "threshold", threshold, -1.0, 1.0)
        self.threshold = threshold

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        if ctx.embed_questions is None:
            raise ParamError("filters", "near_duplicate", "needs a question encoder (FilterContext.embed_questions)")
        scores: list[float] = [0.0] * rows.height
        of: list[str | None] = [None] * rows.height
        if rows.height:
            unit = _unit(ctx.embed_questions(rows["question"].to_list()), rows.height)
            gold = [_gold(*r) for r in rows.select("answer", "answer_type", "options").iter_rows()]
            ids = rows["qa_id"].to_list()
            keys = rows.select("scene_id", "task").with_columns(pl.Series("_gold", gold, dtype=pl.String))
            groups = keys.with_row_index("_i").group_by("scene_id", "task", "_gold")
            for _, group in groups:
                members = group["_i"].to_numpy()  # row positions, in row order
                sims = unit[members] @ unit[members].T  # [m, m] cosine similarities
                for a in range(1, len(members)):
                    b = int(np.argmax(sims[a, :a]))
                    scores[members[a]] = round(float(sims[a, b]), SCORE_DECIMALS)
                    of[members[a]] = ids[members[b]]
        return pl.DataFrame({"score": scores, "of_qa": of}, schema={"score": pl.Float64, "of_qa": pl.String})

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        reason = pl.format("near_duplicate: cosine {} to {}", pl.col("score"), pl.col("of_qa"))
        return flag_frame(pl.col("of_qa").is_not_null() & (pl.col("score") >= self.threshold), reason, stats)
