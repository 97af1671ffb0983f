"""llm_check: the frozen proposer model re-checks each (frames, question, executed answer).

The method's self-check. The model sees the scene's frames, the question, its options and
the answer the program computed, and votes keep or drop with a reason. It drops what the
metadata-derived gold cannot be trusted for: questions that language priors alone answer
(no need to look) and answers that the frames contradict (noisy or incomplete metadata).
Score: 1.0 keep, 0.0 drop, null when not checked (no gold answer to check, or no usable
verdict: those rows are kept, and the failures are counted in the client's stats).

Off by default (one model call per row); enable it in `filters.before_scoring`, after
`invalid`, with `proposer.kind: llm`: it asks the proposer's server, at temperature 0.
"""

from collections.abc import Sequence

import polars as pl

from curation.chat import MalformedReply, fenced_blocks, json_object, user_message
from curation.errors import ParamError
from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.params import require_in_range

SYSTEM = (
    "You check spatial questions about an indoor scene before they are used to train a model. You see "
    "the scene's video frames, a question, its options and the answer computed from the scene's 3D "
    "metadata. Vote drop if the question can be answered without looking at the scene (common sense or "
    "typical sizes give it away), or if the frames show the given answer is wrong (the metadata is noisy "
    "or incomplete); otherwise vote keep. Reply with one ```json block "
    "{\"keep\": true or false, \"reason\": str}."
)


def check_text(question: str, options: Sequence[str] | None, answer: str) -> str:
    lines = [f"Question: {question}"]
    if options:
        lines += ["Options:", *options]
    lines.append(f"Computed answer: {answer}")
    return "\n".join(lines)


def parse_verdict(text: str) -> tuple[bool, str]:
    """(keep, reason) from a reply's ```json block; MalformedReply when it has none."""
    verdict = json_object(fenced_blocks(text))
    if not isinstance(verdict.get("keep"), bool):
        raise MalformedReply("verdict needs a boolean keep")
    return verdict["keep"], str(verdict.get("reason") or "no reason given")


@register("llm_check")
class LLMCheck(Filter):
    def __init__(self, threshold: float = 0.5):
        require_in_range("filters.llm_check", "threshold", threshold, 0.0, 1.0)
        self.threshold = threshold  # scores are 0 or 1 today; a vote share fits the same decide

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        if ctx.chat is None:
            raise ParamError("filters", "llm_check", "needs the proposer's model: set proposer.kind: llm "
                                                     "with base_url and model")
        todo = [i for i, answer in enumerate(rows["answer"]) if answer is not None]
        conversations = [
            ([{"role": "system", "content": SYSTEM},
              user_message(check_text(r["question"], r["options"], r["answer"]), ctx.images.get(r["scene_id"], ()))],
             i)
            for i, r in ((i, rows.row(i, named=True)) for i in todo)
        ]
        replies = ctx.chat.complete_many(conversations, temperature=0.0)
        score: list[float | None] = [None] * rows.height
        why: list[str | None] = [None] * rows.height
        for i, text in zip(todo, replies, strict=True):
            if text is None:
                continue
            try:
                keep, reason = parse_verdict(text)
            except MalformedReply as exc:
                ctx.chat.stats.count("malformed", f"verdict: {exc}")
                continue
            ctx.chat.stats.count("ok")
            score[i], why[i] = float(keep), reason
        return pl.DataFrame({"score": score, "why": why}, schema={"score": pl.Float64, "why": pl.String})

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        return flag_frame(pl.col("score") < self.threshold, pl.format("llm_check: {}", pl.col("why")), stats)
