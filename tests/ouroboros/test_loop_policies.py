"""Loop policies are registered, one module each, and looked up by params `loop.policy`.
(The tiny pipeline tests run `closed` through ouroboros.stages.round; test_ablate runs all three.)"""

import polars as pl
import pytest

from curation.errors import UnknownNameError
from ouroboros.loop_policies import LOOP_POLICIES, LoopPolicy, register
from ouroboros.params import LoopParams, Params


@register("test_everything")
class TrainOnEverything(LoopPolicy):
    """A toy: no proposals of its own, every scored row is trained on."""

    def rows(self, n, params, ws, previous):
        return pl.DataFrame(), pl.DataFrame()

    def choose(self, n, rows, scores, feedback, params):
        return rows


def test_the_shipped_policies_and_a_new_one_are_registered():
    assert {"closed", "open", "static", "test_everything"} <= set(LOOP_POLICIES)
    assert [LOOP_POLICIES[p].filter_after_scoring for p in ("closed", "open", "static")] == [True, False, False]
    params = Params(loop=LoopParams(policy="test_everything"))
    rows = pl.DataFrame({"qa_id": ["a", "b"]})
    assert LOOP_POLICIES[params.loop.policy]().choose(1, rows, pl.DataFrame(), None, params).equals(rows)


def test_an_unknown_policy_lists_the_registered_ones():
    with pytest.raises(UnknownNameError, match=r"no loop policy named 'nope'; known: closed, open, static"):
        LOOP_POLICIES["nope"]
