"""The lettered-option format of QA rows' `options`: "B. chair" is option B, text "chair".

Proposers write options with `lettered`; gold answers, prompts and scorers read the
letter back with `option_letter` and the text with `option_text`. Both curation and
training read this format, so it lives in the layer they share.
"""

import re
from collections.abc import Sequence

LETTERS = "ABCDEFGHIJ"  # ten: more options than any task writes (VSI-Bench asks at most four)

# A capital letter, a dot, optional spaces, then the text. The benchmark's own options
# are "A. chair"; the looser spacing is what a model writing options sometimes returns.
_LETTERED = re.compile(r"([A-Z])\.\s*(.*)", re.DOTALL)


def lettered(texts: Sequence[str]) -> tuple[str, ...]:
    """Option texts as lettered options, in order: ["chair", "door"] -> ("A. chair", "B. door")."""
    return tuple(f"{LETTERS[i]}. {t}" for i, t in enumerate(texts))


def option_letter(option: str) -> str | None:
    """The letter of a lettered option ("B. chair" -> "B"); None when `option` is not lettered."""
    match = _LETTERED.fullmatch(option)
    return match.group(1) if match else None


def option_text(option: str) -> str:
    """The text of a lettered option ("B. chair" -> "chair"); an unlettered option is its own text."""
    match = _LETTERED.fullmatch(option)
    return match.group(2) if match else option


def option_for(letter: str | None, options: Sequence[str] | None) -> str | None:
    """The option among `options` whose letter is `letter`, or None."""
    return next((o for o in options or () if option_letter(o) == letter), None) if letter else None
