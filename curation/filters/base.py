"""The filter registry and the contract every operator follows (Data-Juicer style).

An operator measures and decides in two separate steps: `measure(rows, ctx)` returns a
frame of statistics aligned with `rows` (its first column, `score`, is what the filter
records), and `decide(stats)` applies the thresholds, returning `flagged` (bool) and
`reason` ("<code>: <detail>", null when not flagged). Changing a threshold re-runs only
`decide`. Codes become the row's `drop_reason`; curation.flags.AMBIGUOUS_CODES also
set `ambiguous`.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curation.bands import BandParams
from curation.registry import Registry
from curation.scenes.metadata import Scene


@dataclass(frozen=True)
class FilterContext:
    """What operators may need besides the rows themselves."""

    scenes: Mapping[str, Scene] = field(default_factory=dict)  # scene_id -> scene
    frame_info: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # scene_id -> frame_info
    executor: Any = None  # curation.executor.Executor (for re-execution)
    scores: pl.DataFrame | None = None  # store.schema.SCORES rows from earlier rounds
    rollouts: pl.DataFrame | None = None  # store.schema.ROLLOUTS rows of earlier GRPO rounds (zero_variance)
    chat: Any = None  # curation.chat.ChatClient of the proposer's model (for llm_check)
    images: Mapping[str, Sequence[bytes]] = field(default_factory=dict)  # scene_id -> PNG frames a model sees
    seed: int = 0
    bands: BandParams = field(default_factory=BandParams)  # the difficulty bands (params `bands`)
    embed_questions: Callable[[Sequence[str]], Any] | None = None  # texts -> [n, dim] vectors (near_duplicate)


class Filter(ABC):
    name: str = ""

    @classmethod
    def context_kwargs(cls, ctx: FilterContext) -> dict[str, Any]:
        """Constructor arguments taken from the context rather than the recipe (a setting
        owned by another params section, so it is written once)."""
        return {}

    @abstractmethod
    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        """Statistics per row: a `score` column (Float64, null = not measured) and any others."""

    @abstractmethod
    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        """Columns `flagged` (Boolean, never null) and `reason` (String, null unless flagged)."""


FILTERS: Registry[type[Filter]] = Registry("filter")


def register(name: str) -> Callable[[type[Filter]], type[Filter]]:
    """Class decorator adding an operator to FILTERS under `name` (its `name` attribute too)."""

    def add(cls: type[Filter]) -> type[Filter]:
        FILTERS.register(name)(cls)
        cls.name = name
        return cls

    return add


def get_filter(name: str) -> type[Filter]:
    return FILTERS[name]


def flag_frame(flagged: pl.Series | pl.Expr, reason: pl.Expr, stats: pl.DataFrame) -> pl.DataFrame:
    """The decide() result: reason only where flagged."""
    out = stats.select(flagged.fill_null(False).alias("flagged"))
    reasons = stats.with_columns(out["flagged"]).select(
        pl.when(pl.col("flagged")).then(reason).otherwise(None).cast(pl.String).alias("reason")
    )
    return pl.concat([out, reasons], how="horizontal")
