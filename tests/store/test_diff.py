import polars as pl
import pytest

from store import Lake
from store.diff import diff
from tests.store.test_schema import qa_row


def test_diff_finds_added_removed_and_changed():
    old = pl.LazyFrame({"qa_id": ["a", "b", "c"], "answer": ["1", "2", None], "round": [1, 1, 1]})
    new = pl.LazyFrame({"qa_id": ["b", "c", "d"], "answer": ["2", "3", "4"], "round": [1, 1, 2]})
    result = diff(old, new)
    assert result.added["qa_id"].to_list() == ["d"]
    assert result.removed["qa_id"].to_list() == ["a"]
    # a null that became a value is a change
    assert result.changed.select("qa_id", "answer", "answer_old").rows() == [("c", "3", None)]
    assert result.summary() == {"added": 1, "removed": 1, "changed": 1}


def test_diff_between_two_lake_versions(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.write("qa", [qa_row(qa_id="a"), qa_row(qa_id="b")])
    lake.write("qa", [qa_row(qa_id="b", answer="5"), qa_row(qa_id="c")], mode="overwrite")
    result = diff(lake.scan("qa", version=2), lake.scan("qa", version=3), columns=["answer"])
    assert (result.added["qa_id"].to_list(), result.removed["qa_id"].to_list()) == (["c"], ["a"])
    assert result.changed["qa_id"].to_list() == ["b"]


def test_diff_on_a_missing_key_is_an_error():
    with pytest.raises(KeyError, match="qa_id"):
        diff(pl.LazyFrame({"x": [1]}), pl.LazyFrame({"qa_id": ["a"]}))
