"""`open`: the same proposer without feedback; valid rows at random."""

from ouroboros.evalset import train_inputs
from ouroboros.loop_policies.base import LoopPolicy, register
from ouroboros.steps import curated_rows, random_slice, scorable


@register("open")
class Open(LoopPolicy):
    def rows(self, n, params, ws, previous):
        train_scenes, frames = train_inputs(params, ws)
        return curated_rows(params.proposer, params.seed, params, train_scenes, frames, params.proposer.per_round,
                            None, round=n, split="train"), frames

    def choose(self, n, rows, scores, feedback, params):
        return random_slice(scorable(rows), params.selection.budget, params.seed)
