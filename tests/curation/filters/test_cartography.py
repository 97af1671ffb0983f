import pytest

from curation.errors import ParamError
from curation.filters import FilterContext, apply_recipe
from tests.curation.builders import qa_frame, scores_frame


def test_cartography_separates_flipping_rows_from_persistently_wrong_ones():
    rows = qa_frame([{"qa_id": q} for q in ("flip", "stuck_low", "learned", "one_round")])
    confidences = {"flip": (0.1, 0.9, 0.2), "stuck_low": (0.05, 0.06, 0.04), "learned": (0.5, 0.6, 0.7)}
    scores = scores_frame(
        [{"qa_id": q, "round": r, "confidence": c} for q, cs in confidences.items() for r, c in enumerate(cs)]
        + [{"qa_id": "one_round", "confidence": 0.0}]
    )
    out = apply_recipe(rows, [{"cartography": {}}], FilterContext(scores=scores))
    assert out["drop_reason"].to_list() == ["ambiguous", "audit", None, None]
    assert out["ambiguous"].to_list() == [True, False, False, False]
    assert out["flags"][1][0]["reason"].startswith("audit: mean 0.05")


def test_cartography_rejects_inconsistent_thresholds_naming_the_field():
    with pytest.raises(ParamError, match="filters.cartography.std_low"):
        apply_recipe(qa_frame([{}]), [{"cartography": {"std_low": 0.5, "std_high": 0.2}}])


def test_score_does_not_depend_on_the_order_scores_arrive_in():
    # Float sums depend on their order ((0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1); scores read from
    # several lake partitions arrive in any order, and a content fingerprint must not see that.
    import itertools

    rows = qa_frame([{"qa_id": "q"}])
    base = [{"qa_id": "q", "round": r, "confidence": c} for r, c in ((1, 0.1), (2, 0.2), (3, 0.3), (4, 0.7))]
    seen = set()
    for perm in itertools.permutations(base):
        out = apply_recipe(rows, [{"cartography": {}}], FilterContext(scores=scores_frame(list(perm))))
        seen.add(out["flags"].to_list()[0][0]["score"])
    assert len(seen) == 1
