"""VSI-Bench prompts in the Qwen3-VL chat layout (no system turn, no thinking block).

The user turn holds the frames first, each as `<|vision_start|>` + n x `<|image_pad|>` +
`<|vision_end|>` (n = the frame's merged patch count), then VSI-Bench's own wording; the
assistant turn is opened and left for the answer. A training target is the answer text
followed by `<|im_end|>`, the token that ends a Qwen turn.
"""

from collections.abc import Sequence

from plumbing.options import option_letter
from training.errors import SampleError

VIDEO_PREFIX = "These are frames of a video."
NUMERIC_SUFFIX = "Please answer the question using a single word or phrase."
MCA_SUFFIX = "Answer with the option's letter from the given choices directly."
IMAGE_PAD, VISION_START, VISION_END = "<|image_pad|>", "<|vision_start|>", "<|vision_end|>"
IM_START, IM_END = "<|im_start|>", "<|im_end|>"


def question_text(question: str, options: Sequence[str] | None) -> str:
    """VSI-Bench's text for one question: numeric when `options` is None, else multiple choice
    with options already lettered ("A. chair")."""
    if options is None:
        return f"{VIDEO_PREFIX}\n{question}\n{NUMERIC_SUFFIX}"
    if len(options) == 0:
        raise SampleError(f"multiple-choice question has an empty options list: {question!r}")
    return f"{VIDEO_PREFIX}\n{question}\nOptions:\n" + "\n".join(options) + f"\n{MCA_SUFFIX}"


def option_letters(options: Sequence[str]) -> list[str]:
    """The letters of lettered options: ["A. chair", "B. door"] -> ["A", "B"]."""
    letters = []
    for option in options:
        letter = option_letter(option)
        if letter is None:
            raise SampleError(f"option {option!r} does not start with a capital letter and '.' like 'A. chair'")
        letters.append(letter)
    return letters


def chat_prompt(text: str, image_tokens: Sequence[int]) -> str:
    """The full prompt string up to where the answer starts; `image_tokens[i]` is the number of
    `<|image_pad|>` tokens frame i takes."""
    frames = "".join(f"{VISION_START}{IMAGE_PAD * n}{VISION_END}" for n in image_tokens)
    return f"{IM_START}user\n{frames}{text}{IM_END}\n{IM_START}assistant\n"


def answer_target(answer: str) -> str:
    """What the solver is trained to write after the prompt."""
    return f"{answer}{IM_END}"
