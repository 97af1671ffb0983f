"""The curation layer's settings (params.yaml `selection`, `feedback`, frozen pydantic
dataclasses: plumbing.params) and the argument checks its functions share. Kept apart from
the code that uses them, so that reading params.yaml imports nothing heavier than this module."""

from collections.abc import Collection
from typing import Annotated, Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt
from pydantic.dataclasses import dataclass

from curation.errors import ParamError
from plumbing.params import STRICT

Share = Annotated[float, Field(ge=0, le=1)]


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


@dataclass(frozen=True, config=STRICT)
class FeedbackParams:
    # A name in curation.feedback_policies.FEEDBACK_POLICIES, checked at load by ouroboros.registered
    # (importing the policies here would make every stage that reads params depend on them).
    policy: str = "frontier"
    smoothing: Share = 0.5  # weight of this round in the moving average; 1 = forget the past
    floor: Share = 0.05  # no task or bin is ever starved: its weight never drops below this
    n_examples: NonNegativeInt = 5  # example questions per task and kind for the LLM proposer
    # A held-in probe cell with fewer rows gives no learning progress (10 rows move the mean
    # success in steps of 0.1, about the progress a round makes, so fewer is mostly noise).
    min_probe_rows: PositiveInt = 5


@dataclass(frozen=True, config=STRICT)
class SelectionParams:
    budget: NonNegativeInt = 200  # training examples per round
    frontier: Share = 0.5  # chance-corrected confidence the slice prefers (R-Zero)
    unscored_distance: Share = 0.25  # rank of unscored rows, between frontier rows and extremes
    # frontier: nearest `frontier`; learnability: largest q(1 - q) of the row's success (curation.selection)
    prefer: Literal["frontier", "learnability"] = "frontier"
