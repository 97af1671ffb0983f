import pytest

from training.metrics import first_token, mean_relative_accuracy, parse_number, sample_score, vsibench_scores


@pytest.mark.parametrize(
    ("pred", "gold", "expected"),
    [
        (100, 100, 1.0),
        (105, 100, 1.0),  # error 0.05 passes the strictest threshold 0.95 exactly
        (110, 100, 0.9),  # error 0.10 passes 0.50..0.90 (nine), fails 0.95
        (150, 100, 0.1),  # error 0.50 passes only θ = 0.50
        (151, 100, 0.0),
        (50, 100, 0.1),
        (0.75, 1.0, 0.6),  # error 0.25 passes 0.50..0.75
        (None, 3.0, 0.0),
        (0.0, 0.0, 1.0),
        (1.0, 0.0, 0.0),
    ],
)
def test_mra_threshold_edges(pred, gold, expected):
    assert mean_relative_accuracy(pred, gold) == pytest.approx(expected)


def test_parse_rules():
    assert first_token("  A. chair") == "A"
    assert first_token("") == ""
    assert parse_number("3.5 meters") == 3.5
    assert parse_number(" 4.") == 4.0
    assert parse_number("four") is None
    assert parse_number("nan") is None and parse_number("inf") is None


@pytest.mark.parametrize(
    ("pred", "ok"),
    [("A", True), ("A.", True), ("a", True), (" A. chair", True), ("B", False), ("AB", False), ("", False)],
)
def test_mca_exact_match(pred, ok):
    assert sample_score(["A. chair", "B. door"], "A", pred) == float(ok)


def test_tasks_rel_direction_levels_and_overall():
    preds = [
        {"question_type": "object_counting", "options": None, "ground_truth": "4", "prediction": "4"},
        {"question_type": "object_counting", "options": None, "ground_truth": "10", "prediction": "15"},
        {
            "question_type": "object_rel_direction_easy",
            "options": ["A. left", "B. right"],
            "ground_truth": "A",
            "prediction": "A",
        },
        {
            "question_type": "object_rel_direction_hard",
            "options": ["A. left", "B. right"],
            "ground_truth": "A",
            "prediction": "B",
        },
        {
            "question_type": "object_rel_direction_hard",
            "options": ["A. left", "B. right"],
            "ground_truth": "B",
            "prediction": "b.",
        },
    ]
    scores = vsibench_scores(preds)
    assert scores["object_counting"] == pytest.approx(100 * (1.0 + 0.1) / 2)
    # levels averaged: easy 1.0, hard 0.5 -> 0.75 (not the pooled 2/3)
    assert scores["object_rel_direction"] == pytest.approx(75.0)
    assert set(scores) == {"overall", "object_counting", "object_rel_direction"}
    assert scores["overall"] == pytest.approx((55.0 + 75.0) / 2)


def test_missing_field_is_named():
    with pytest.raises(KeyError, match="ground_truth"):
        vsibench_scores([{"question_type": "x", "options": None, "prediction": "1"}])
