"""The signal's measures against cases worked out by hand."""

import math

import polars as pl
import pytest

from curation.feedback import BinStats, Feedback, ProbeCell
from curation.signal import (
    auroc,
    band_shares,
    confidence_signal,
    effective_cells,
    expected_calibration_error,
    reliability,
    steering,
)


def test_auroc_counts_pairs_ranked_right_and_ties_as_half():
    # positives 0.9, 0.7, 0.6 against negatives 0.8, 0.6: 2 + 1 + 0.5 of 6 pairs
    assert auroc([0.9, 0.8, 0.7, 0.6, 0.6], [True, False, True, False, True]) == pytest.approx(3.5 / 6)
    assert auroc([0.1, 0.2], [True, False]) == 0.0  # pointing the wrong way
    assert auroc([0.3, 0.4], [True, True]) is None  # no negatives: undefined, not a number
    with pytest.raises(ValueError, match="3 scores but 2 labels"):
        auroc([0.1, 0.2, 0.3], [True, False])


def test_reliability_bins_and_calibration_error():
    curve = reliability([0.05, 0.15, 0.12, 1.0], [0, 1, 0, 1])
    assert [(b["lo"], b["n"]) for b in curve] == [(0.0, 1), (0.1, 2), (0.9, 1)]  # 1.0 in the last bin
    assert curve[1]["confidence"] == pytest.approx(0.135) and curve[1]["accuracy"] == 0.5
    assert expected_calibration_error(curve) == pytest.approx((0.05 + 2 * 0.365 + 0.0) / 4)
    assert expected_calibration_error([]) is None


def test_effective_cells_of_uniform_one_hot_and_skewed_allocations():
    assert effective_cells(dict.fromkeys("abcd", 5)) == {"cells": 4, "exp_entropy": pytest.approx(4.0),
                                                         "inverse_simpson": pytest.approx(4.0)}
    assert effective_cells({"a": 7, "b": 0, "c": 0}) == {"cells": 3, "exp_entropy": 1.0, "inverse_simpson": 1.0}
    skewed = effective_cells({"a": 3, "b": 1})
    assert skewed["exp_entropy"] == pytest.approx(math.exp(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25))))
    assert skewed["inverse_simpson"] == pytest.approx(1 / (0.75**2 + 0.25**2))
    assert effective_cells({})["exp_entropy"] == 0.0


ROWS = pl.DataFrame({
    "qa_id": ["a", "b", "c", "d", "e"],
    "group": ["room_size_estimation"] * 3 + ["object_rel_distance"] * 2,
    "answer_type": ["numeric"] * 3 + ["mca"] * 2,
    "options": [None, None, None, ["A. x", "B. y"], ["A. x", "B. y"]],
    "confidence": [0.3, 0.2, 0.05, 0.9, 0.7],
    "mra": [1.0, 0.9, 0.0, None, None],
    "acc": [1.0, 1.0, 0.0, 1.0, 0.0],
})


def test_confidence_signal_per_task_and_overall():
    signal = confidence_signal(ROWS)
    assert set(signal) == {"overall", "room_size_estimation", "object_rel_distance"}
    assert signal["room_size_estimation"]["auroc"] == 1.0  # 0.3, 0.2 right above 0.05 wrong
    # q of the choices: (0.9 - 0.5) / 0.5 = 0.8 right, 0.4 wrong
    assert signal["object_rel_distance"]["mean_q"] == pytest.approx(0.6)
    # overall: right 0.3, 0.2, 0.8 against wrong 0.05, 0.4: 1 + 1 + 2 of 6
    assert signal["overall"]["auroc"] == pytest.approx(4 / 6) and signal["overall"]["n"] == 5
    assert confidence_signal(ROWS.clear()) == {}


def test_band_shares_under_both_signals():
    shares = band_shares(ROWS)
    # gold probability: room size never easy although two answers are within 10%
    assert shares["gold_prob"]["room_size_estimation"] == {"easy": 0.0, "frontier": pytest.approx(2 / 3),
                                                           "hard": pytest.approx(1 / 3)}
    assert shares["success"]["room_size_estimation"] == {"easy": pytest.approx(1 / 3),
                                                         "frontier": pytest.approx(1 / 3), "hard": pytest.approx(1 / 3)}
    assert shares["success"]["object_rel_distance"] == shares["gold_prob"]["object_rel_distance"]
    assert shares["success"]["overall"] == {"easy": pytest.approx(0.2), "frontier": pytest.approx(0.6),
                                            "hard": pytest.approx(0.2)}
    assert band_shares(ROWS.clear()) == {"gold_prob": {}, "success": {}}


def _bin(task: str, accuracy: float, frontier: int, weight: float, progress: float | None = None) -> BinStats:
    return BinStats(task=task, template="t", bin="easy", n=10, accuracy=accuracy, mean_confidence=0.5,
                    smoothed=weight, weight=weight, frontier=frontier, learnability=accuracy * (1 - accuracy),
                    progress=progress)


def test_steering_ranks_each_policy_weight_against_the_next_gain():
    tasks = ["object_counting", "room_size_estimation", "object_abs_distance", "object_size_estimation"]
    accuracy = [0.2, 0.4, 0.6, 0.8]
    fb = Feedback(round=1, policy="frontier", bins=tuple(
        _bin(t, a, frontier=f, weight=w, progress=p)
        for t, a, f, w, p in zip(tasks, accuracy, [1, 9, 5, 3], [0.9, 0.1, 0.5, 0.3], [0.1, None, 0.3, 0.2],
                                 strict=True)))
    # the less accurate, the more the cell gained: spatialevo (1 - accuracy) ranks them right
    probe = [ProbeCell(t, "easy", 10, 0.5, gain=g) for t, g in zip(tasks, [0.4, 0.3, 0.2, 0.1], strict=True)]
    probe.append(ProbeCell("route_planning", "easy", 2, 0.5, gain=None))  # too few probe rows: no cell
    out = steering(fb, probe)
    assert out["spatialevo"] == {"cells": 4, "spearman": pytest.approx(1.0), "p": pytest.approx(0.0)}
    assert out["weight"]["spearman"] == pytest.approx(0.4)  # 0.9, 0.1, 0.5, 0.3 against 4, 3, 2, 1
    assert out["frontier"]["spearman"] == pytest.approx(-0.2)  # shares 1, 9, 5, 3 tenths
    assert out["progress"]["cells"] == 3  # a cell without measured progress is left out, and counted
    assert steering(fb, probe[:2])["spatialevo"] == {"cells": 2, "spearman": None, "p": None}
