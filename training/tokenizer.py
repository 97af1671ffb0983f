"""The offline tokenizer of the tiny solver: a byte-level BPE trained on the task vocabulary.

Nothing is downloaded: the training corpus is built here from the VSI-Bench prompt and
question wording and common indoor object categories, so the same code always yields the
same vocabulary (BPE training has no randomness; ties break on byte order). Digits are
split one per token (as Qwen's own pre-tokenizer does) and every byte is in the initial
alphabet, so each digit and each option letter A-Z is always a single token: the
confidence scorer reads the answer position's distribution over exactly those tokens.

The Qwen special tokens keep their roles: `<|im_start|>`/`<|im_end|>` frame chat turns
(`<|im_end|>` ends an answer), `<|vision_start|>`, `<|image_pad|>` x n, `<|vision_end|>`
wrap each frame, `<|endoftext|>` pads. The tokenizer is saved with each checkpoint
(`tokenizer.json`), so a saved solver never retrains it.
"""

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
)
PAD_TOKEN = "<|endoftext|>"
EOS_TOKEN = "<|im_end|>"
DEFAULT_VOCAB_SIZE = 1024

CATEGORIES = (
    "chair table sofa bed door window cabinet shelf desk lamp sink toilet bathtub refrigerator "
    "stove oven microwave tv monitor computer keyboard laptop pillow blanket curtain towel trash can "
    "bin box bag backpack basket bottle cup plant picture mirror clock fan heater radiator stool "
    "bench counter dresser nightstand wardrobe printer telephone whiteboard blackboard bookshelf "
    "book suitcase shoe rug mat washing machine dryer kettle toaster piano guitar ceiling light "
    "coffee table tv stand office chair armchair couch ottoman"
).split()

TEMPLATES = (
    "How many {a}(s) are in this room?",
    "Measuring from the closest point of each object, what is the distance between the {a} and the {b} (in meters)?",
    "What is the length of the longest dimension (length, width, or height) of the {a}, measured in centimeters?",
    "What is the size of this room (in square meters)? If multiple rooms are shown, estimate the size of the "
    "combined space.",
    "Measuring from the closest point of each object, which of these objects ({a}, {b}) is the closest to the {c}?",
    "If I am standing by the {a} and facing the {b}, is the {c} to my left or to my right?",
    "If I am standing by the {a} and facing the {b}, is the {c} to my left, right, or back? An object is to my "
    "back if I would have to turn at least 135 degrees in order to face it.",
    "If I am standing by the {a} and facing the {b}, is the {c} to the front-left, front-right, back-left, or "
    "back-right? The directions refer to the quadrants of a Cartesian plane (if I am standing at the origin and "
    "facing along the positive y-axis).",
    "You are a robot beginning at the {a} facing the {b}. You want to navigate to the {c}. You will perform the "
    "following actions (Note: for each [please fill in], choose either 'turn back,' 'turn left,' or 'turn "
    "right.'): 1. Go forward until the {a} 2. [please fill in] 3. Go forward until the {c}. You have reached "
    "the final destination.",
    "What will be the first-time appearance order of the following categories in the video: {a}, {b}, {c}, {d}?",
)

PROMPT_TEXT = (
    "These are frames of a video.",
    "Please answer the question using a single word or phrase.",
    "Options:",
    "Answer with the option's letter from the given choices directly.",
    "user assistant system",
    "left right back front-left front-right back-left back-right turn back turn left turn right",
    "0 1 2 3 4 5 6 7 8 9 0.5 1.5 2.0 3.25 10 12 25 100 150",
)


def task_corpus() -> list[str]:
    """The deterministic text the BPE is trained on: every template filled with rotating
    categories, the prompt wording, and option lines "A. x" .. "D. x"."""
    lines: list[str] = list(PROMPT_TEXT)
    n = len(CATEGORIES)
    for i, template in enumerate(TEMPLATES):
        for j in range(n):
            a, b, c, d = (CATEGORIES[(j + k * (i + 1)) % n] for k in range(4))
            lines.append(template.format(a=a, b=b, c=c, d=d))
    for j, category in enumerate(CATEGORIES):
        lines.append(f"{'ABCD'[j % 4]}. {category}")
    return lines


def train_tokenizer(vocab_size: int = DEFAULT_VOCAB_SIZE) -> PreTrainedTokenizerFast:
    """Train the byte-level BPE on `task_corpus()`; the same vocab_size gives the same tokenizer."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(task_corpus(), trainer=trainer)
    return wrap(tok)


def wrap(tok: Tokenizer) -> PreTrainedTokenizerFast:
    """The transformers view of a `tokenizers.Tokenizer` with the Qwen pad/eos roles."""
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token=PAD_TOKEN, eos_token=EOS_TOKEN, padding_side="left")
