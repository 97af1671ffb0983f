import pytest

from curation.bands import BandParams
from curation.errors import ParamError
from curation.filters import FilterContext, apply_recipe
from tests.curation.builders import qa_frame, scores_frame


def test_trivial_flags_confident_rows_using_the_latest_scored_round_and_ignores_blind_scores():
    rows = qa_frame([{"qa_id": "easy"}, {"qa_id": "hard"}, {"qa_id": "was_easy"}, {"qa_id": "unscored"}])
    scores = scores_frame([
        {"qa_id": "easy", "confidence": 0.97},
        {"qa_id": "easy", "confidence": 0.01, "blind": True},
        {"qa_id": "hard", "confidence": 0.3},
        {"qa_id": "was_easy", "round": 1, "confidence": 0.99},
        {"qa_id": "was_easy", "round": 2, "confidence": 0.6},
    ])
    out = apply_recipe(rows, [{"trivial": {}}], FilterContext(scores=scores))
    assert out["drop_reason"].to_list() == ["trivial", None, None, None]
    assert [f[0]["score"] for f in out["flags"].to_list()] == [0.97, 0.3, 0.6, None]
    assert not out["ambiguous"].any()  # trivial rows are dropped, not ambiguous


def test_trivial_reads_the_easy_band_from_the_context_and_corrects_for_chance():
    two = ["A. left", "B. right"]
    rows = qa_frame([{"qa_id": "sure", "answer_type": "mca", "options": two, "answer": "A"},
                     {"qa_id": "fairly", "answer_type": "mca", "options": two, "answer": "A"}])
    scores = scores_frame([{"qa_id": "sure", "confidence": 0.97}, {"qa_id": "fairly", "confidence": 0.93}])
    out = apply_recipe(rows, [{"trivial": {}}], FilterContext(scores=scores))
    # q = (p - 1/2) / (1/2): 0.94 is easy, 0.86 is not, although both p > 0.9
    assert out["drop_reason"].to_list() == ["trivial", None]
    looser = apply_recipe(rows, [{"trivial": {}}], FilterContext(scores=scores, bands=BandParams(easy=0.8)))
    assert looser["drop_reason"].to_list() == ["trivial", "trivial"]
    with pytest.raises(ParamError, match="trivial"):
        apply_recipe(rows, [{"trivial": {"tau_easy": 0.9}}], FilterContext(scores=scores))
