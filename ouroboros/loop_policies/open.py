"""`open`: the same proposer without feedback; valid rows at random."""

from ouroboros.loop_policies.base import LoopPolicy, register, steps


@register("open")
class Open(LoopPolicy):
    def rows(self, n, params, ws, scenes, frames, previous):
        return steps().curated_rows(params.proposer, params.seed, params, scenes, frames, params.proposer.per_round,
                            None, round=n, split="train")

    def choose(self, n, rows, scores, feedback, params):
        return steps().random_slice(steps().scorable(rows), params.selection.budget, params.seed)
