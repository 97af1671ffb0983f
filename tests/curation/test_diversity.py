"""curation.diversity: MMR on constructed cases whose right answer is known, and its selection hook."""

import numpy as np
import pytest

from curation.diversity import mmr_order, row_vectors
from curation.params import SelectionParams
from curation.selection import select
from tests.curation.builders import qa_frame, scores_frame

# Two tight look-alike clusters along x and one lone point along y.
VECTORS = np.array([[1.0, 0.0, 0.0], [0.99, 0.01, 0.0], [0.98, 0.0, 0.02], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def test_pure_relevance_is_a_sort_and_mmr_leaves_look_alikes_for_last():
    relevance = [0.9, 0.85, 0.8, 0.5, 0.4]
    assert mmr_order(relevance, VECTORS, trade_off=1.0) == [0, 1, 2, 3, 4]
    # Each of 1 and 2 is cos ~0.99 from 0: the two distinct points come first.
    assert mmr_order(relevance, VECTORS, trade_off=0.5) == [0, 3, 4, 1, 2]
    assert mmr_order(relevance, VECTORS, k=2, trade_off=0.5) == [0, 3]
    assert mmr_order([], np.zeros((0, 3))) == []


def test_scale_of_a_vector_does_not_matter_and_bad_vectors_are_named():
    assert mmr_order([1.0, 0.9, 0.8], [[1, 0], [10, 0.1], [0, 3]], trade_off=0.5) == [0, 2, 1]
    with pytest.raises(ValueError, match="vector 1 is zero"):
        mmr_order([1.0, 0.5], [[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="2 relevance values for vectors of shape"):
        mmr_order([1.0, 0.5], np.ones((3, 2)))


def test_row_vectors_average_the_unit_frame_vectors():
    frames = {"f0": np.array([2.0, 0.0]), "f1": np.array([0.0, 5.0])}
    assert row_vectors([["f0", "f1"], ["f0"]], frames).tolist() == [[0.5, 0.5], [1.0, 0.0]]
    with pytest.raises(KeyError, match=r"row 0 has no vector for frame\(s\) \['f9'\]"):
        row_vectors([["f9"]], frames)


def test_selection_with_diversity_spreads_the_slice_over_scenes():
    # Four rows on scene a (one look), two on scene b; a's rows sit nearer the frontier.
    rows = qa_frame([{"qa_id": f"a{i}", "answer": str(i)} for i in range(4)]
                    + [{"qa_id": f"b{i}", "answer": str(10 + i)} for i in range(2)])
    scores = scores_frame([{"qa_id": f"a{i}", "confidence": 0.5 + 0.01 * i} for i in range(4)]
                          + [{"qa_id": f"b{i}", "confidence": 0.3} for i in range(2)])
    vectors = {f"a{i}": np.array([1.0, 0.01 * i]) for i in range(4)} | {f"b{i}": np.array([0.0, 1.0]) for i in range(2)}
    plain, _ = select(rows, SelectionParams(budget=2), scores=scores)
    spread, _ = select(rows, SelectionParams(budget=2, diversity=0.5), scores=scores, vectors=vectors)
    assert sorted(plain["qa_id"]) == ["a0", "a1"]
    assert "a0" in spread["qa_id"] and {q[0] for q in spread["qa_id"]} == {"a", "b"}  # one per scene
    with pytest.raises(ValueError, match="needs a vector per row; none for qa_id 'a0'"):
        select(rows, SelectionParams(budget=2, diversity=0.5), scores=scores)
