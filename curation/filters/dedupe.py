"""dedupe: near-identical questions about the same scene and task.

Within each (scene_id, task), in row order, a row's score is its highest similarity
to an earlier row: 1.0 when both run the same program over the same option set (two
phrasings of one question), else the Jaccard overlap of their question word sets.
The first of a group of near-identical rows is kept; later ones score >= threshold, and
their reason names the earlier row by qa_id (a position would change when the rows are
filtered in shards of scenes, as the Ray engine does).
"""

import re

import polars as pl

from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.params import require_in_range
from curation.tasks.base import normalise_answer
from plumbing.options import option_text

WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def _words(question: str) -> frozenset[str]:
    return frozenset(WORD.findall(question.casefold().replace("_", " ")))


def _program_key(program: str, options: list[str] | None) -> tuple[str, frozenset[str]]:
    return " ".join(program.split()), frozenset(normalise_answer(option_text(o)) for o in options or [])


@register("dedupe")
class Dedupe(Filter):
    def __init__(self, threshold: float = 0.97):
        require_in_range("filters.dedupe", "threshold", threshold, 0.0, 1.0)
        self.threshold = threshold

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        scores: list[float] = [0.0] * rows.height
        of: list[str | None] = [None] * rows.height
        seen: dict[tuple[str, str], list[tuple[str, frozenset[str], tuple]]] = {}
        cols = ("qa_id", "scene_id", "task", "question", "program", "options")
        for i, r in enumerate(rows.select(cols).iter_rows(named=True)):
            words, key = _words(r["question"]), _program_key(r["program"], r["options"])
            group = seen.setdefault((r["scene_id"], r["task"]), [])
            for other_id, other_words, other_key in group:
                sim = 1.0 if key == other_key else len(words & other_words) / max(len(words | other_words), 1)
                if sim > scores[i]:
                    scores[i], of[i] = sim, other_id
            group.append((r["qa_id"], words, key))
        return pl.DataFrame({"score": scores, "of_qa": of}, schema={"score": pl.Float64, "of_qa": pl.String})

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        reason = pl.format("duplicate: similarity {} to {}", pl.col("score").round(3), pl.col("of_qa"))
        return flag_frame(pl.col("score") >= self.threshold, reason, stats)
