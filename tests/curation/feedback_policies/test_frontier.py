"""`frontier`: weight = the share of frontier rows (chance-corrected q in [0.1, 0.9])."""

import pytest

from curation.feedback import compute_feedback
from curation.params import FeedbackParams
from tests.curation.feedback_policies.cases import scored


def test_the_weight_is_the_share_of_frontier_rows():
    # q = (p - 1/4) / (3/4): 0.95 -> 0.93 easy, 0.5 -> 0.33 and 0.6 -> 0.47 frontier, 0.2 -> 0 hard
    qa, scores = scored([{"task": "object_rel_distance", "p": p} for p in (0.95, 0.5, 0.6, 0.2)]
                        + [{"task": "object_counting", "p": 0.95, "mra": 1.0}])
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="frontier", floor=0.0))
    assert fb.task_weights() == {"object_counting": 0.0, "object_rel_distance": pytest.approx(0.5)}
    (direction,) = [t for t in fb.tasks if t.task == "object_rel_distance"]
    assert (direction.easy, direction.frontier, direction.hard) == (1, 2, 1)
