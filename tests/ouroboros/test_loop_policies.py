"""Loop policies are registered, one module each, and looked up by params `loop.policy`; a new
one, written to the LoopPolicy contract, steers a round run by ouroboros.stages.round.
(The tiny pipeline tests run `closed` and `open` through run_round; test_ablate runs all three.)"""

from dataclasses import replace

import polars as pl
import pytest

from curation.errors import UnknownNameError
from ouroboros.lakes import workspace_lake
from ouroboros.loop_policies import LOOP_POLICIES, LoopPolicy
from ouroboros.params import LoopParams
from ouroboros.stages.round import run_round
from ouroboros.steps import curated_rows, scorable
from tests.ouroboros.pipeline_fixtures import warm_started


class HardestFirst(LoopPolicy):
    """A toy: the proposer without feedback, and the slice is the rows the solver is least sure of."""

    calls: list[tuple[str, int]] = []

    def rows(self, n, params, ws, scenes, frames, previous):
        self.calls.append(("rows", n))
        return curated_rows(params.proposer, params.seed, params, scenes, frames, params.proposer.per_round,
                            None, round=n, split="train")

    def choose(self, n, rows, scores, feedback, params):
        self.calls.append(("choose", n))
        sighted = scores.filter(~pl.col("blind")).select("qa_id", "confidence")
        hardest = scorable(rows).join(sighted, on="qa_id").sort("confidence", "qa_id")
        return hardest.head(params.selection.budget).select(rows.columns)


@pytest.fixture
def hardest_first():
    HardestFirst.calls = []
    with LOOP_POLICIES.registered("test_hardest_first", HardestFirst):
        yield "test_hardest_first"


def test_the_shipped_policies_are_registered_and_a_toy_leaves_after_its_test(hardest_first):
    assert {"closed", "open", "static", hardest_first} <= set(LOOP_POLICIES)
    assert [LOOP_POLICIES[p].filter_after_scoring for p in ("closed", "open", "static")] == [True, False, False]


def test_an_unknown_policy_lists_the_registered_ones():
    assert "test_hardest_first" not in LOOP_POLICIES  # the fixture of another test took it out again
    with pytest.raises(UnknownNameError, match=r"no loop policy named 'nope'; known: closed, open, static"):
        LOOP_POLICIES["nope"]


@pytest.mark.pipeline
def test_a_new_policy_named_in_params_steers_the_round(hardest_first, tmp_path):
    params, ws = warm_started(tmp_path)
    params = replace(params, loop=LoopParams(policy=hardest_first))
    run_round(1, 0, params, ws)
    assert HardestFirst.calls == [("rows", 1), ("choose", 1)]
    lake = workspace_lake(ws)
    qa, scores = lake.read("qa__r1"), lake.read("scores__r1").filter(~pl.col("blind"))
    # the oracle: the least confident scored rows, from what the round stored
    expected = (scorable(qa).join(scores.select("qa_id", "confidence"), on="qa_id")
                .sort("confidence", "qa_id").head(params.selection.budget)["qa_id"].sort().to_list())
    assert 0 < len(expected) and qa.filter(pl.col("selected"))["qa_id"].sort().to_list() == expected
    # the toy does not filter after scoring, so no row carries a confidence filter's drop reason
    assert not {"trivial", "blind_solvable"} & set(qa["drop_reason"].drop_nulls())
