"""`spatialevo`: weight = 1 - accuracy, a numeric row's accuracy being its MRA."""

import pytest

from curation.feedback import compute_feedback
from curation.params import FeedbackParams
from tests.curation.feedback_policies.cases import scored


def test_numeric_accuracy_is_mra_not_the_pass_mark():
    # counting: MRA 1.0 and 0.5 both pass (MRA >= 0.5) but average 0.75; room size: 0.2 and 0.0;
    # direction: one right, three wrong
    qa, scores = scored([{"task": "object_counting", "p": 0.1, "mra": m} for m in (1.0, 0.5)]
                        + [{"task": "room_size_estimation", "p": 0.1, "mra": m} for m in (0.2, 0.0)]
                        + [{"task": "object_rel_distance", "p": 0.5, "correct": c}
                           for c in (True, False, False, False)])
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="spatialevo", floor=0.0))
    assert fb.task_weights() == {"object_counting": pytest.approx(0.25), "room_size_estimation": pytest.approx(0.9),
                                 "object_rel_distance": pytest.approx(0.75)}
    assert {t.task: t.accuracy for t in fb.tasks}["object_counting"] == pytest.approx(0.75)
