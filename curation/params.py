"""The curation layer's settings (params.yaml `selection`, `feedback`) and the validation
they share. Kept apart from the code that uses them, so that reading params.yaml imports
nothing heavier than this module."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from curation.errors import ParamError
from curation.feedback_policies import FEEDBACK_POLICIES


def require_in_range(section: str, field: str, value: Any, lo: float, hi: float) -> None:
    """Raise ParamError unless lo <= value <= hi (and value is a real number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ParamError(section, field, f"expected a number in [{lo}, {hi}], got {value!r}")


def require_int(section: str, field: str, value: Any, lo: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ParamError(section, field, f"expected an integer >= {lo}, got {value!r}")


def require_choice(section: str, field: str, value: Any, choices: Collection[str]) -> None:
    if value not in choices:
        raise ParamError(section, field, f"expected one of {sorted(choices)}, got {value!r}")


@dataclass(frozen=True)
class FeedbackParams:
    policy: str = "frontier"  # a name in curation.feedback_policies.FEEDBACK_POLICIES
    smoothing: float = 0.5  # weight of this round in the moving average; 1 = forget the past
    floor: float = 0.05  # no task or bin is ever starved: its weight never drops below this
    n_examples: int = 5  # example questions per task and kind for the LLM proposer

    def __post_init__(self) -> None:
        require_choice("feedback", "policy", self.policy, FEEDBACK_POLICIES)
        require_in_range("feedback", "smoothing", self.smoothing, 0.0, 1.0)
        require_in_range("feedback", "floor", self.floor, 0.0, 1.0)
        require_int("feedback", "n_examples", self.n_examples, 0)


@dataclass(frozen=True)
class SelectionParams:
    budget: int = 200  # training examples per round
    frontier: float = 0.5  # chance-corrected confidence the slice prefers (R-Zero)
    unscored_distance: float = 0.25  # rank of unscored rows, between frontier rows and extremes

    def __post_init__(self) -> None:
        require_int("selection", "budget", self.budget, 0)
        require_in_range("selection", "frontier", self.frontier, 0.0, 1.0)
        require_in_range("selection", "unscored_distance", self.unscored_distance, 0.0, 1.0)
