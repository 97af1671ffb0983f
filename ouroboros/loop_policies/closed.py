"""`closed` (the method): the proposer reads round N-1's feedback and each scene's history,
the confidence filters drop easy and blind-solvable rows, and the selection takes frontier
rows with the task shares of this round's feedback."""

import polars as pl

from curation.selection import select
from ouroboros.inputs import load_history
from ouroboros.lakes import workspace_lake
from ouroboros.loop_policies.base import LoopPolicy, register, steps


@register("closed")
class Closed(LoopPolicy):
    filter_after_scoring = True

    def rows(self, n, params, ws, scenes, frames, previous):
        history = load_history(workspace_lake(ws), n, params.bands)
        return steps().curated_rows(params.proposer, params.seed, params, scenes, frames, params.proposer.per_round,
                            previous, round=n, split="train", history=history)

    def choose(self, n, rows, scores, feedback, params):
        picked, _ = select(rows, params.selection, seed=params.seed, scores=scores.filter(~pl.col("blind")),
                           bands=params.bands, task_weights=feedback.task_weights())
        return picked
