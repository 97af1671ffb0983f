"""GRPO's reward functions: registered by name, in TRL's signature, scored by VSI-Bench's own metric.

A reward function takes TRL's keywords: `completions` (per sampled answer, the assistant
turn [{"role": "assistant", "content": text}], special tokens removed) and the slice's
columns repeated per completion (`task`, `answer`, `answer_type`, `options`, ...), and
returns one float per completion (TRL: `(prompts, completions, **kwargs) -> list[float |
None]`; other keywords are ignored). `train.grpo.rewards` names the functions and their
weights; TRL sums the weighted rewards. Registered here:

- vsibench: the sample's VSI-Bench score (training.metrics.sample_score, the function
  evaluation averages): exact match of the option letter for choices, MRA for numbers. An
  answer that does not parse (no letter, no number) scores 0, like a wrong one; `parses`
  says which, and the rollouts table counts them (training.grpo).
- format: 1 when the answer parses as an answer of its type, else 0: a shaping term for a
  solver that does not yet write answers in the benchmark's form.

Add one with `@REWARDS.register("name")` on a function of that signature in a module that
is imported before params are loaded (this module's import of it, or the user's own).
"""

from collections.abc import Callable, Sequence

from plumbing.registry import Registry
from training.errors import UnknownRewardError
from training.metrics import answer_token, parse_number, sample_score
from training.prompts import option_letters

RewardFunc = Callable[..., list[float]]


class _Rewards(Registry[RewardFunc]):
    error = UnknownRewardError


REWARDS = _Rewards("reward function")


def text(completion) -> str:
    """The answer text of one TRL completion: a conversational turn list or a plain string."""
    return completion if isinstance(completion, str) else completion[-1]["content"]


def parses(answer_type: str, options: Sequence[str] | None, completion: str) -> bool:
    """Whether the benchmark reads `completion` as an answer: one of the option letters
    (case-insensitively, as training.metrics.mca_match compares) or a number float() reads."""
    if answer_type == "mca":
        return answer_token(completion).upper() in option_letters(options or [])
    return parse_number(completion) is not None


@REWARDS.register("vsibench")
def vsibench(completions: list, task: list[str], answer: list[str], **_) -> list[float]:
    """Per completion, its VSI-Bench score against the gold answer, in [0, 1]."""
    return [sample_score(t, a, text(c)) for c, t, a in zip(completions, task, answer, strict=True)]


@REWARDS.register("format")
def answer_format(completions: list, answer_type: list[str], options: list, **_) -> list[float]:
    """Per completion, 1.0 when it parses as an answer of its question's type, else 0.0."""
    return [float(parses(k, o, text(c))) for c, k, o in zip(completions, answer_type, options, strict=True)]
