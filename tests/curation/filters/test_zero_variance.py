import polars as pl

from curation.filters import FilterContext, apply_recipe
from tests.curation.builders import qa_frame


def rollouts(rows: list[tuple[str, int, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"qa_id": pl.String, "round": pl.Int32, "group": pl.Int64, "reward": pl.Float64},
                        orient="row")


def test_zero_variance_drops_rows_whose_latest_group_had_equal_rewards():
    rows = qa_frame([{"qa_id": q} for q in ("solved", "unsolved", "mixed", "was_mixed", "now_mixed", "never")])
    sampled = rollouts([
        ("solved", 1, 0, 1.0), ("solved", 1, 0, 1.0),
        ("unsolved", 1, 1, 0.0), ("unsolved", 1, 1, 0.0),
        ("mixed", 1, 2, 0.0), ("mixed", 1, 2, 1.0),
        ("was_mixed", 1, 3, 0.0), ("was_mixed", 1, 3, 1.0), ("was_mixed", 2, 0, 0.3), ("was_mixed", 2, 0, 0.3),
        ("now_mixed", 1, 4, 1.0), ("now_mixed", 1, 4, 1.0), ("now_mixed", 2, 1, 0.5), ("now_mixed", 2, 1, 1.0),
    ])
    out = apply_recipe(rows, [{"zero_variance": {}}], FilterContext(rollouts=sampled))
    assert out["drop_reason"].to_list() == ["zero_variance", "zero_variance", None, "zero_variance", None, None]
    assert [f[0]["score"] for f in out["flags"].to_list()] == [0.0, 0.0, 0.25, 0.0, 0.0625, None]


def test_zero_variance_keeps_everything_without_grpo_rounds():
    rows = qa_frame([{"qa_id": "a"}, {"qa_id": "b"}])
    for ctx in (FilterContext(), FilterContext(rollouts=rollouts([]))):
        assert apply_recipe(rows, [{"zero_variance": {}}], ctx)["drop_reason"].to_list() == [None, None]
