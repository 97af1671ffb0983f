"""The score-free half of curation on one set of proposals: execute, then the filters before scoring.

`execute_and_filter` is what both engines run (ouroboros.steps in-process, ouroboros.on_ray
on each Ray actor's share of scenes), so a row means the same whichever ran it. Every
filter of a before-scoring recipe decides within a scene (dedupe and near_duplicate compare
rows of one scene and task; the others look at one row), so running it on whole scenes
apart gives the rows it gives on all of them at once.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from curation.filters import FilterContext, apply_recipe
from curation.gold import execute_proposals
from curation.scenes.metadata import Scene


def execute_and_filter(
    proposals: pl.DataFrame, scenes: Mapping[str, Scene], executor: Any, *, recipe: Sequence[Mapping],
    seed: int, frame_info: Mapping[str, dict], chat: Any = None, images: Mapping[str, list[bytes]] | None = None,
    embed_questions: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> pl.DataFrame:
    """`proposals` run in `executor`'s sandbox (an Executor: `map` of (code, scene, frame_info)),
    then `recipe` (params filters.before_scoring), whose re-executions share the warm workers."""
    rows = execute_proposals(proposals, scenes, executor, frame_info=frame_info)
    ctx = FilterContext(scenes=scenes, frame_info=frame_info, executor=executor, seed=seed, chat=chat,
                        images=images or {}, embed_questions=embed_questions)
    return apply_recipe(rows, recipe, ctx)
