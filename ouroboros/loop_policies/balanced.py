"""`balanced`: the control for everything the closed loop does besides steering. Open's
proposer (no feedback) and the closed loop's selection (task quotas, answer-letter balance,
the ambiguity exclusion) with no scores and no feedback weights, so a closed-loop win over
it is a win of the difficulty signal, not of balancing a macro-averaged score."""

from curation.selection import select
from ouroboros.loop_policies.base import register
from ouroboros.loop_policies.open import Open


@register("balanced")
class Balanced(Open):
    def choose(self, n, rows, scores, feedback, params):
        picked, _ = select(rows, params.selection, seed=params.seed)
        return picked
