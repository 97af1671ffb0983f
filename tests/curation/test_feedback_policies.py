"""Feedback policies: the registered ones, and a new one joining the registry as a module's
decorator would (for its test only) and used through FeedbackParams and compute_feedback, as a round does."""

import pytest

from curation.errors import UnknownNameError
from curation.feedback import compute_feedback
from curation.feedback_policies import FEEDBACK_POLICIES, FeedbackPolicy, register
from curation.params import FeedbackParams
from tests.curation.builders import qa_frame, scores_frame


class LowConfidenceFirst(FeedbackPolicy):
    """A toy: the less confident the solver, the more budget."""

    statistic = "mean_confidence"

    @staticmethod
    def weight(smoothed: float) -> float:
        return 1.0 - smoothed


@pytest.fixture
def low_confidence_first():
    with FEEDBACK_POLICIES.registered("test_confidence", LowConfidenceFirst):
        yield "test_confidence"


def test_the_shipped_policies_are_registered_with_their_statistic():
    assert {"frontier", "spatialevo"} <= set(FEEDBACK_POLICIES)
    frontier, evo = FEEDBACK_POLICIES["frontier"], FEEDBACK_POLICIES["spatialevo"]
    assert (frontier.statistic, frontier.weight(0.6)) == ("frontier_share", 0.6)
    assert (evo.statistic, evo.weight(0.75)) == ("accuracy", 0.25)


def test_a_policy_in_a_new_module_is_valid_in_params_and_steers_the_weights(low_confidence_first):
    qa = qa_frame([{"qa_id": "q1", "task": "object_counting"}, {"qa_id": "q2", "task": "room_size_estimation"}])
    scores = scores_frame([{"qa_id": "q1", "confidence": 0.8}, {"qa_id": "q2", "confidence": 0.3}])
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy=low_confidence_first, floor=0.0))
    assert fb.policy == low_confidence_first
    assert fb.task_weights() == {"object_counting": pytest.approx(0.2), "room_size_estimation": pytest.approx(0.7)}


def test_an_unknown_policy_lists_the_registered_ones():
    assert "test_confidence" not in FEEDBACK_POLICIES  # the toy left with its test
    qa, scores = qa_frame([{"qa_id": "q1"}]), scores_frame([{"qa_id": "q1", "confidence": 0.5}])
    with pytest.raises(UnknownNameError, match=r"no feedback policy named 'nope'; known: .*frontier.*spatialevo"):
        compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="nope"))


def test_a_taken_name_cannot_be_registered_again():
    with pytest.raises(ValueError, match="'frontier' is already registered by Frontier"):
        register("frontier")(LowConfidenceFirst)
