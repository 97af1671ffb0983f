"""`static`: one dataset proposed up front, the same whatever the round (round 1's random
stream, as many proposals as the other policies make over all rounds), trained on in
chunks, one per round, in one fixed random order.

The pool is proposed, executed and filtered (deduped too) once and kept in the workspace
(keyed by what it depends on), so later rounds neither re-execute nor re-score it: round N
scores only its chunk, the next `budget` pool rows that no earlier round took.
"""

import hashlib
import json
from dataclasses import asdict

import polars as pl

from ouroboros.lakes import workspace_lake
from ouroboros.loop_policies.base import LoopPolicy, register, steps


def pool_path(params, ws, ids):
    inputs = json.dumps([params.seed, asdict(params.proposer), asdict(params.filters), ids,
                         ws.scenes_fingerprint.read_text()], sort_keys=True, default=str)
    return ws.runs / "static_pool" / f"{hashlib.sha256(inputs.encode()).hexdigest()[:16]}.parquet"


@register("static")
class Static(LoopPolicy):
    def pool(self, params, ws, scenes, frames, ids):
        """The scorable pool in training order, proposed at most once per workspace."""
        path = pool_path(params, ws, ids)
        if path.is_file():
            return pl.read_parquet(path)
        rows = steps().curated_rows(params.proposer, params.seed, params, scenes, frames,
                            params.proposer.per_round * len(ids), None, round=min(ids), split="train")
        pool = steps().random_slice(steps().scorable(rows), rows.height, params.seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        pool.write_parquet(path)
        return pool

    def rows(self, n, params, ws, scenes, frames, previous):
        ids = sorted(r.id for r in params.rounds) or [n]
        pool = self.pool(params, ws, scenes, frames, ids)
        taken = workspace_lake(ws).scan("qa").filter(pl.col("round").is_between(1, n - 1) & pl.col("selected"))
        chunk = pool.filter(~pl.col("qa_id").is_in(taken.select("qa_id").collect()["qa_id"].implode()))
        return chunk.head(params.selection.budget).with_columns(pl.lit(n, pl.Int32).alias("round"))

    def choose(self, n, rows, scores, feedback, params):
        return steps().scorable(rows).head(params.selection.budget)
