"""`progress`: weight = |gain| of the cell on the held-in probe under the last training; a
cell without a measured gain falls back to its prior and is marked, never dividing by zero."""

import pytest

from curation.bands import BandParams
from curation.feedback import Feedback, ProbeCell, compute_feedback, probe_cells
from curation.params import FeedbackParams
from tests.curation.feedback_policies.cases import scored

PROGRESS = FeedbackParams(policy="progress", floor=0.0, smoothing=1.0)
ROWS = [{"task": "object_counting", "bin": "easy", "p": 0.5, "mra": 0.5},
        {"task": "object_counting", "bin": "hard", "p": 0.5, "mra": 0.5},
        {"task": "room_size_estimation", "bin": "easy", "p": 0.5, "mra": 0.5}]


def _previous(*cells: ProbeCell, bins=()) -> Feedback:
    return Feedback(round=0, policy="progress", bins=tuple(bins), probe=cells)


def test_weights_follow_absolute_gains_and_a_cell_without_one_takes_the_mean_prior():
    qa, scores = scored(ROWS)
    previous = _previous(ProbeCell("object_counting", "easy", 6, 0.7, gain=0.2),
                         ProbeCell("object_counting", "hard", 2, 0.1, gain=None),  # too few probe rows
                         ProbeCell("room_size_estimation", "easy", 10, 0.4, gain=-0.3))  # forgetting counts too
    fb = compute_feedback(qa, scores, round=1, params=PROGRESS, previous=previous)
    weights = {(b.task, b.bin): (b.weight, b.fallback) for b in fb.bins}
    assert weights == {("object_counting", "easy"): (pytest.approx(0.2), False),
                       ("object_counting", "hard"): (pytest.approx(0.25), True),  # mean of 0.2 and 0.3
                       ("room_size_estimation", "easy"): (pytest.approx(0.3), False)}
    # a task group's progress: its measured cells' n-weighted gain
    assert fb.task_weights() == {"object_counting": pytest.approx(0.2), "room_size_estimation": pytest.approx(0.3)}


def test_without_any_probe_every_cell_falls_back_to_uniform():
    qa, scores = scored(ROWS)
    fb = compute_feedback(qa, scores, round=1, params=PROGRESS, previous=_previous())
    assert {b.weight for b in fb.bins} == {1.0} and all(b.fallback for b in fb.bins)
    assert set(fb.task_weights().values()) == {1.0}


def test_a_cell_without_a_gain_keeps_its_previous_smoothed_statistic():
    qa, scores = scored(ROWS[:1])
    first = compute_feedback(qa, scores, round=1, params=PROGRESS,
                             previous=_previous(ProbeCell("object_counting", "easy", 6, 0.7, gain=0.2)))
    second = compute_feedback(qa, scores, round=2, params=PROGRESS,
                              previous=first)  # `first` carries no probe: no new evidence
    assert second.bins[0].smoothed == pytest.approx(0.2) and second.bins[0].fallback


def test_probe_cells_measure_gains_only_where_both_solvers_saw_enough_rows():
    qa, scores = scored([{"task": "object_counting", "bin": "easy", "p": 0.5, "mra": m} for m in (0.4, 0.8)]
                        + [{"task": "object_counting", "bin": "hard", "p": 0.5, "mra": 0.1}])
    before = (ProbeCell("object_counting", "easy", 2, 0.5), ProbeCell("object_counting", "hard", 1, 0.0))
    cells = probe_cells(qa, scores, bands=BandParams(), before=before, min_rows=2)
    assert cells == (ProbeCell("object_counting", "easy", 2, pytest.approx(0.6), gain=pytest.approx(0.1)),
                     ProbeCell("object_counting", "hard", 1, pytest.approx(0.1), gain=None))
    assert all(c.gain is None for c in probe_cells(qa, scores, bands=BandParams()))  # nothing before
    assert probe_cells(qa.clear(), scores.clear(), bands=BandParams()) == ()
