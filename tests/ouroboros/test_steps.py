"""ouroboros.steps.propose builds the proposer that params `proposer.kind` names from the
registry: a new proposer, registered as a module's decorator would (for its test only), works in the pipeline."""

import pytest

from curation.errors import UnknownNameError
from curation.proposer import PROPOSERS, ProposalRequest, Proposer, TemplateProposer
from curation.proposer.rows import proposal_frame, proposal_row
from curation.tasks import Candidate
from ouroboros.params import ProposerParams
from ouroboros.steps import propose
from tests.curation.builders import make_box, make_scene

SCENES = [make_scene(f"room{k}", [make_box("chair", (k, 0.0, 0.45), (0.5, 0.5, 0.9))]) for k in range(3)]


class OneCountPerScene(Proposer):
    """A toy: one counting question per scene, while the budget lasts."""

    def __init__(self, seed: int):
        self.seed = seed

    @classmethod
    def from_params(cls, params, seed, chat):
        return cls(seed)

    def run(self, request: ProposalRequest):
        question = Candidate(task="object_counting", template="count", question="How many chair(s) are in this room?",
                             options=None, answer_type="numeric", program="def compute_answer():\n    return 1\n",
                             difficulty={}, difficulty_bin="easy")
        return proposal_frame([proposal_row(question, s.scene_id, proposer="test_counting", round=request.round,
                                            split=request.split) for s in request.scenes[: request.budget]])


@pytest.fixture
def one_count_per_scene():
    with PROPOSERS.registered("test_counting", OneCountPerScene):
        yield "test_counting"


def test_a_registered_proposer_is_built_from_params_and_runs_in_the_pipeline(one_count_per_scene):
    rows = propose(ProposerParams(kind=one_count_per_scene), 0, SCENES, 2, None, infos={}, round=3, split="eval")
    assert rows["scene_id"].to_list() == [s.scene_id for s in SCENES[:2]]
    assert set(rows["proposer"]) == {"test_counting"} and set(rows["round"]) == {3} and set(rows["split"]) == {"eval"}


def test_the_template_kind_is_the_template_proposer():
    assert {"template", "corpus", "llm"} <= set(PROPOSERS)
    rows = propose(ProposerParams(kind="template"), 7, SCENES, 12, None, infos={}, round=2, split="train")
    assert rows.equals(TemplateProposer(7).propose(SCENES, 12, round=2, split="train"))


def test_an_unknown_kind_lists_the_registered_ones():
    with pytest.raises(UnknownNameError, match=r"no proposer named 'nope'; known: .*corpus, llm, .*template"):
        propose(ProposerParams(kind="nope"), 0, SCENES, 1, None, infos={}, round=1, split="train")
