from curation.filters import FilterContext, apply_recipe
from tests.curation.builders import qa_frame, scores_frame


def test_flags_rows_answered_right_and_confidently_without_the_scene():
    rows = qa_frame([{"qa_id": "prior"}, {"qa_id": "looks"}, {"qa_id": "lucky"}, {"qa_id": "unscored"}])
    scores = scores_frame([
        {"qa_id": "prior", "blind": True, "confidence": 0.9, "correct": True},
        {"qa_id": "prior", "blind": False, "confidence": 0.95, "correct": True},
        {"qa_id": "looks", "blind": True, "confidence": 0.2, "correct": False},
        {"qa_id": "looks", "blind": False, "confidence": 0.99, "correct": True},  # sighted scores are ignored
        {"qa_id": "lucky", "blind": True, "confidence": 0.4, "correct": True},  # right, but not confidently
    ])
    out = apply_recipe(rows, [{"blind_solvable": {"tau_blind": 0.8}}], FilterContext(scores=scores))
    assert out["drop_reason"].to_list() == ["blind_solvable", None, None, None]
    assert [f[0]["score"] for f in out["flags"].to_list()] == [0.9, 0.2, 0.4, None]


def test_latest_blind_round_decides():
    rows = qa_frame([{"qa_id": "q"}])
    scores = scores_frame([
        {"qa_id": "q", "round": 1, "blind": True, "confidence": 0.95, "correct": True},
        {"qa_id": "q", "round": 2, "blind": True, "confidence": 0.3, "correct": False},
    ])
    out = apply_recipe(rows, [{"blind_solvable": {}}], FilterContext(scores=scores))
    assert out["drop_reason"].to_list() == [None]
