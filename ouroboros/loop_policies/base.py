"""The loop policy registry (params `loop.policy`): what steers a round's data.

A policy decides three things of round N (ouroboros.stages.round runs the rest): which rows are
proposed (`rows`), whether the confidence filters (params filters.after_scoring) run on
the scored rows, and which rows make the training slice (`choose`). The ablation's arms
are runs of the same pipeline under different policies.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from types import ModuleType

import polars as pl

from curation.feedback import Feedback
from curation.registry import Registry
from curation.scenes.metadata import Scene
from ouroboros.params import Params
from ouroboros.workspace import Workspace


class LoopPolicy(ABC):
    filter_after_scoring: bool = False  # drop easy / blind-solvable / ambiguous rows by their scores

    @abstractmethod
    def rows(self, n: int, params: Params, ws: Workspace, scenes: list[Scene], frames: pl.DataFrame,
             previous: Feedback) -> pl.DataFrame:
        """The curated rows of round `n` on the training `scenes`; `previous` is round N-1's feedback."""

    @abstractmethod
    def choose(self, n: int, rows: pl.DataFrame, scores: pl.DataFrame, feedback: Feedback,
               params: Params) -> pl.DataFrame:
        """The training slice of round `n` from its scored `rows`; `feedback` is this round's."""


LOOP_POLICIES: Registry[type[LoopPolicy]] = Registry("loop policy")


def steps() -> ModuleType:
    """ouroboros.steps, imported when a policy runs: it imports the solver (torch), and the
    registry must import without it so that checking a params name stays cheap."""
    import ouroboros.steps

    return ouroboros.steps


def register(name: str) -> Callable[[type[LoopPolicy]], type[LoopPolicy]]:
    return LOOP_POLICIES.register(name)
