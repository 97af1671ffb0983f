"""`learnability`: weight = 4 x mean q(1 - q) of the rows' success q (chance-corrected
confidence for choices, MRA for numbers)."""

import pytest

from curation.bands import BandParams
from curation.feedback import compute_feedback
from curation.params import FeedbackParams
from tests.curation.feedback_policies.cases import scored


@pytest.mark.parametrize("signal", ["gold_prob", "success"])
def test_the_weight_peaks_at_even_odds_whatever_the_bands_signal(signal):
    # direction: p = 0.625 -> q = 0.5 -> q(1-q) = 0.25; p = 1.0 -> q = 1 -> 0; mean 0.125 -> weight 0.5.
    # counting: MRA 0.9 and 0.1 -> 0.09 each -> weight 0.36, its gold confidence 0.01 notwithstanding.
    # room size: MRA 0.5 -> 0.25 -> weight 1.
    qa, scores = scored([{"task": "object_rel_distance", "p": p} for p in (0.625, 1.0)]
                        + [{"task": "object_counting", "p": 0.01, "mra": m} for m in (0.9, 0.1)]
                        + [{"task": "room_size_estimation", "p": 0.01, "mra": 0.5}])
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="learnability", floor=0.0),
                          bands=BandParams(signal=signal))
    assert fb.task_weights() == {"object_rel_distance": pytest.approx(0.5), "object_counting": pytest.approx(0.36),
                                 "room_size_estimation": pytest.approx(1.0)}
    assert [b.learnability for b in fb.bins] == [pytest.approx(0.09), pytest.approx(0.125), pytest.approx(0.25)]


def test_known_and_hopeless_rows_fall_to_the_floor():
    qa, scores = scored([{"task": "object_rel_distance", "p": 1.0}, {"task": "object_counting", "p": 0.9, "mra": 0.0}])
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="learnability", floor=0.05))
    assert set(fb.task_weights().values()) == {0.05}


def test_a_previous_round_under_another_policy_is_neither_averaged_in_nor_carried_over():
    counting = {"task": "object_counting", "p": 0.5, "mra": 0.5}
    frontier = compute_feedback(*scored([counting, {"task": "room_size_estimation", "p": 0.5, "mra": 0.5}]),
                                round=0, params=FeedbackParams(policy="frontier"))
    assert {t.smoothed for t in frontier.tasks} == {1.0}  # every row frontier: a share, not a learnability
    fb = compute_feedback(*scored([counting]), round=1, params=FeedbackParams(policy="learnability", floor=0.0),
                          previous=frontier)
    assert fb.task_weights() == {"object_counting": pytest.approx(1.0)}  # 4 x 0.25, not 4 x (0.25 + 1) / 2
