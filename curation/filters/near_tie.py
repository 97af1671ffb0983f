"""near_tie: rows whose `margin` knob is under the task's margin.

The margin is what a task family records in `difficulty` (its natural unit): the gap
in m between the two closest choices (object_rel_distance), degrees from the nearest
bin edge (object_rel_direction_*), frames between consecutive first appearances
(obj_appearance_order). Rows without a margin (other tasks, corpus or LLM rows) are
not measured; the perturbation filter covers them.
"""

import json
from collections.abc import Mapping

import polars as pl

from curation.errors import ParamError
from curation.filters.base import Filter, FilterContext, flag_frame, register

DEFAULT_MARGINS = {
    "object_rel_distance": 0.2,  # m; the programs already refuse gaps <= 0.15 m
    "object_rel_direction_easy": 12.0,  # degrees; the helpers refuse only 10 degrees *below* an edge
    "object_rel_direction_medium": 12.0,
    "object_rel_direction_hard": 12.0,
    "obj_appearance_order": 2.0,  # frames
}


@register("near_tie")
class NearTie(Filter):
    def __init__(self, margins: Mapping[str, float] | None = None):
        self.margins = dict(DEFAULT_MARGINS if margins is None else margins)
        for task, m in self.margins.items():
            if isinstance(m, bool) or not isinstance(m, int | float) or m < 0:
                raise ParamError("filters.near_tie", f"margins.{task}", f"expected a number >= 0, got {m!r}")

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        scores = [
            json.loads(d).get("margin") if task in self.margins else None
            for task, d in zip(rows["task"], rows["difficulty"], strict=True)
        ]
        return pl.DataFrame(
            {"score": scores, "threshold": [self.margins.get(t) for t in rows["task"]]},
            schema={"score": pl.Float64, "threshold": pl.Float64},
        )

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        reason = pl.format("near_tie: margin {} < {}", pl.col("score").round(3), pl.col("threshold"))
        return flag_frame(pl.col("score") < pl.col("threshold"), reason, stats)
