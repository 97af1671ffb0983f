"""Parse a model's reply into a question: a ```json block and a ```python block.

The json block holds {"question": str, "answer_type": "mca"|"numeric", "options":
[str, ...] | null}; the python block defines compute_answer(). Anything else is a
`MalformedReply` with the reason, which the proposer counts and drops.
"""

from dataclasses import dataclass

from curation.chat import MalformedReply, fenced_blocks, json_object
from plumbing.options import option_text

__all__ = ["MalformedReply", "ParsedReply", "parse_reply"]


@dataclass(frozen=True)
class ParsedReply:
    question: str
    answer_type: str
    option_texts: tuple[str, ...] | None  # without letters; the proposer re-letters them
    program: str


def parse_reply(text: str) -> ParsedReply:
    blocks = fenced_blocks(text)
    if "json" not in blocks:
        raise MalformedReply("no ```json block")
    program = blocks.get("python") or blocks.get("py")
    if not program or "def compute_answer(" not in program:
        raise MalformedReply("no ```python block defining compute_answer()")
    spec = json_object(blocks)
    question, answer_type, options = spec.get("question"), spec.get("answer_type"), spec.get("options")
    if not isinstance(question, str) or not question.strip():
        raise MalformedReply("question missing or empty")
    if answer_type not in ("mca", "numeric"):
        raise MalformedReply(f"answer_type must be mca or numeric, got {answer_type!r}")
    texts = None
    if answer_type == "mca":
        if not isinstance(options, list) or not 2 <= len(options) <= 6 or not all(isinstance(o, str) for o in options):
            raise MalformedReply("mca needs 2-6 string options")
        texts = tuple(option_text(o.strip()) for o in options)
        if len(set(texts)) != len(texts) or not all(texts):
            raise MalformedReply("options repeat or are empty")
    return ParsedReply(question.strip(), answer_type, texts, program.strip() + "\n")
