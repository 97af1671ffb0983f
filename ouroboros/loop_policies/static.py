"""`static`: one dataset proposed up front, the same whatever the round (round 1's random
stream, as many proposals as the other policies make over all rounds), trained on in equal
random chunks, one per round."""

import polars as pl

from ouroboros.loop_policies.base import LoopPolicy, register
from ouroboros.steps import curated_rows, random_slice, scorable


@register("static")
class Static(LoopPolicy):
    def rows(self, n, params, ws, scenes, frames, previous):
        ids = [r.id for r in params.rounds] or [n]
        rows = curated_rows(params.proposer, params.seed, params, scenes, frames,
                            params.proposer.per_round * len(ids), None, round=min(ids), split="train")
        return rows.with_columns(pl.lit(n, pl.Int32).alias("round"))

    def choose(self, n, rows, scores, feedback, params):
        budget = params.selection.budget
        ids = sorted(r.id for r in params.rounds) or [n]
        pool = random_slice(scorable(rows), budget * len(ids), params.seed)
        return pool.slice(ids.index(n) * budget, budget)
