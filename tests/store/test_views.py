import polars as pl
import pytest

from store.schema import SCORES, polars_schema
from store.views import (
    confidence_spread,
    difficulty_mix,
    difficulty_slice,
    latest_confidence,
    per_round_confidence,
    reason_counts,
    selection_gap,
)
from tests.store.test_schema import qa_row


def frames():
    qa = pl.LazyFrame([
        qa_row(qa_id="a", round=1, task="object_counting", difficulty_bin="easy"),
        qa_row(qa_id="b", round=1, task="object_counting", difficulty_bin="hard", drop_reason="trivial"),
        qa_row(qa_id="c", round=1, task="room_size_estimation", difficulty_bin="easy"),
        qa_row(qa_id="a", round=2, task="object_counting", difficulty_bin="easy"),
    ])
    score = {"solver": "tiny", "correct": True, "prediction": "2", "mra": 1.0}
    scores = pl.LazyFrame([
        {"qa_id": "a", "round": 1, "blind": False, "confidence": 0.4, **score},
        {"qa_id": "a", "round": 1, "blind": True, "confidence": 0.95, **score},
        {"qa_id": "b", "round": 1, "blind": False, "confidence": 0.97, **score},
        {"qa_id": "c", "round": 1, "blind": False, "confidence": 0.5, **score},
        {"qa_id": "a", "round": 2, "blind": False, "confidence": 0.9, **score},
    ])
    return qa, scores


def test_slice_by_round_task_and_confidence_uses_that_rounds_non_blind_score():
    qa, scores = frames()
    got = difficulty_slice(qa, scores, round=1, task="object_counting", min_confidence=0.3, max_confidence=0.6)
    assert got.select("qa_id", "confidence").collect().rows() == [("a", 0.4)]


def test_slice_by_reason_and_kept():
    qa, scores = frames()
    assert difficulty_slice(qa, scores, reason="trivial").collect()["qa_id"].to_list() == ["b"]
    kept = difficulty_slice(qa, scores, round=1, reason="kept").collect()
    assert sorted(kept["qa_id"].to_list()) == ["a", "c"]


def test_slice_by_scene_and_question_text():
    qa, scores = frames()
    qa = qa.with_columns(pl.when(pl.col("qa_id") == "c").then(pl.lit("s2")).otherwise("scene_id").alias("scene_id"),
                         pl.when(pl.col("qa_id") == "b").then(pl.lit("How big is the [room]?"))
                         .otherwise("question").alias("question"))
    assert difficulty_slice(qa, scores, scene="s2").collect()["qa_id"].to_list() == ["c"]
    assert difficulty_slice(qa, scores, contains="[room]").collect()["qa_id"].to_list() == ["b"]  # literal, no regex
    with pytest.raises(ValueError, match="scene 'nope' matches no qa row; valid: s1, s2"):
        difficulty_slice(qa, scores, scene="nope")


def test_inverted_bounds_are_an_error():
    qa, scores = frames()
    with pytest.raises(ValueError, match="min_confidence 0.8 > max_confidence 0.2"):
        difficulty_slice(qa, scores, min_confidence=0.8, max_confidence=0.2)


@pytest.mark.parametrize(("condition", "message"), [
    ({"task": "nope"}, "task 'nope' matches no qa row; valid: object_counting, room_size_estimation"),
    ({"round": 9}, "round 9 matches no qa row; valid: 1, 2"),
    ({"reason": "typo"}, "reason 'typo' matches no qa row; valid: trivial, kept"),
    ({"split": "test"}, "split 'test' matches no qa row; valid: train"),
    ({"min_confidence": 2.0}, r"min_confidence 2.0 is outside \[0, 1\]"),
    ({"max_confidence": -0.1}, r"max_confidence -0.1 is outside \[0, 1\]"),
])
def test_a_condition_that_names_nothing_is_an_error_listing_valid_values(condition, message):
    qa, scores = frames()
    with pytest.raises(ValueError, match=message):
        difficulty_slice(qa, scores, **condition)


def test_mix_and_reasons():
    qa, _ = frames()
    mix = difficulty_mix(qa.filter(pl.col("round") == 1)).collect()
    assert mix.select("task", "difficulty_bin", "n").rows() == [
        ("object_counting", "easy", 1), ("object_counting", "hard", 1), ("room_size_estimation", "easy", 1)]
    assert mix["share"].sum() == pytest.approx(1.0)
    assert reason_counts(qa).collect().rows() == [("kept", 3), ("trivial", 1)]


def test_selection_gap_counts_rows_each_side_trained_on_per_cell():
    a = pl.LazyFrame([
        qa_row(qa_id="kept", difficulty_bin="easy", selected=True),
        qa_row(qa_id="dropped_by_b", difficulty_bin="hard", selected=True),
        qa_row(qa_id="never", difficulty_bin="hard"),
        qa_row(qa_id="gone", task="room_size_estimation", difficulty_bin="hard", selected=True),
    ])
    b = pl.LazyFrame([
        qa_row(qa_id="kept", difficulty_bin="easy", selected=True),
        qa_row(qa_id="dropped_by_b", difficulty_bin="hard"),
        qa_row(qa_id="never", difficulty_bin="hard"),
        qa_row(qa_id="new", task="room_size_estimation", difficulty_bin="hard", selected=True),
    ])
    got = selection_gap(a, b).collect()
    assert got.rows() == [
        ("object_counting", "easy", 0, 0, 1),
        ("object_counting", "hard", 1, 0, 0),
        ("room_size_estimation", "hard", 1, 1, 0),
    ]
    assert got.columns == ["task", "difficulty_bin", "only_a", "only_b", "both"]


def _scores(rows):
    defaults = {"solver": "r0", "blind": False, "correct": True, "prediction": "A", "mra": None}
    return pl.DataFrame([{**defaults, **r} for r in rows], schema=polars_schema(SCORES))


def test_latest_confidence_is_the_sighted_mean_of_the_latest_scored_round():
    scores = _scores([
        {"qa_id": "a", "round": 3, "confidence": 0.2},
        {"qa_id": "a", "round": 1, "confidence": 0.9},
        {"qa_id": "a", "round": 3, "solver": "r1", "confidence": 0.4},  # two solvers: averaged
        {"qa_id": "a", "round": 4, "blind": True, "confidence": 0.99},  # blind: another scene's frames
        {"qa_id": "b", "round": 2, "confidence": 0.5},
    ])
    latest = dict(latest_confidence(scores).iter_rows())
    assert latest.keys() == {"a", "b"} and latest["a"] == pytest.approx(0.3) and latest["b"] == 0.5
    assert per_round_confidence(scores).select("qa_id", "round").rows() == [("a", 1), ("a", 3), ("b", 2)]
    assert latest_confidence(None).is_empty() and latest_confidence(None).columns == ["qa_id", "confidence"]


def test_confidence_spread_gives_population_mean_and_std():
    out = pl.DataFrame({"qa_id": ["a", "a", "b"], "confidence": [0.2, 0.6, 0.5]}).group_by("qa_id").agg(
        *confidence_spread()).sort("qa_id")
    assert out.rows() == [("a", pytest.approx(0.4), pytest.approx(0.2), 2), ("b", 0.5, 0.0, 1)]
