"""The loop policy registry (params `loop.policy`): what steers a round's data.

A policy decides three things of round N (ouroboros.stages.round runs the rest): which rows are
proposed (`rows`), whether the confidence filters (params filters.after_scoring) run on
the scored rows, and which rows make the training slice (`choose`). The ablation's arms
are runs of the same pipeline under different policies.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable

import polars as pl

from curation.feedback import Feedback
from curation.filters import FilterContext
from curation.filters.dedupe import Dedupe
from curation.registry import Registry
from curation.scenes.metadata import Scene
from ouroboros.lakes import workspace_lake
from ouroboros.params import Params, Recipe
from ouroboros.workspace import Workspace


class LoopPolicy(ABC):
    filter_after_scoring: bool = False  # drop easy / blind-solvable / ambiguous rows by their scores

    def candidates(self, n: int, params: Params, ws: Workspace, scenes: list[Scene], frames: pl.DataFrame,
                   previous: Feedback) -> pl.DataFrame:
        """`rows`, less those that repeat a row this run trained on in an earlier round: one dedupe
        rule for every policy, so no arm gets extra distinct data by reusing rows."""
        rows = self.rows(n, params, ws, scenes, frames, previous)
        trained = workspace_lake(ws).scan("qa").filter((pl.col("round") < n) & pl.col("selected")).collect()
        return drop_repeats(rows, trained, params.filters.before_scoring)

    @abstractmethod
    def rows(self, n: int, params: Params, ws: Workspace, scenes: list[Scene], frames: pl.DataFrame,
             previous: Feedback) -> pl.DataFrame:
        """The curated rows of round `n` on the training `scenes`; `previous` is round N-1's feedback."""

    @abstractmethod
    def choose(self, n: int, rows: pl.DataFrame, scores: pl.DataFrame, feedback: Feedback,
               params: Params) -> pl.DataFrame:
        """The training slice of round `n` from its scored `rows`; `feedback` is this round's."""


def drop_repeats(rows: pl.DataFrame, trained: pl.DataFrame, recipe: Recipe) -> pl.DataFrame:
    """`rows` with drop_reason set where the recipe's `dedupe` step (its own threshold) finds a
    near-identical row in `trained`; without a dedupe step, `rows` as they are."""
    kwargs = next((step["dedupe"] or {} for step in recipe if "dedupe" in step), None)
    if kwargs is None or trained.is_empty() or rows.is_empty():
        return rows
    dedupe = Dedupe(**kwargs)
    cols = ["scene_id", "task", "question", "program", "options"]
    both = pl.concat([trained.select(cols), rows.select(cols)], how="vertical_relaxed")
    stats = dedupe.measure(both, FilterContext()).slice(trained.height)
    repeat = (stats["of_row"] < trained.height) & (stats["score"] >= dedupe.threshold)
    reason = pl.format("trained before: similarity {} to an earlier round's row", stats["score"].round(3))
    return rows.with_columns(
        pl.when(pl.Series(repeat) & pl.col("drop_reason").is_null()).then(reason)
        .otherwise(pl.col("drop_reason")).alias("drop_reason"))


LOOP_POLICIES: Registry[type[LoopPolicy]] = Registry("loop policy")


def register(name: str) -> Callable[[type[LoopPolicy]], type[LoopPolicy]]:
    return LOOP_POLICIES.register(name)
