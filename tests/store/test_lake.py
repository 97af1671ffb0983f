import polars as pl
import pytest

from store import Lake, TableNotFoundError
from tests.store.test_schema import qa_row


@pytest.fixture
def lake(tmp_path):
    return Lake(tmp_path / "lake")


def test_partitions_read_as_one_logical_table(lake):
    lake.write("qa", [qa_row(qa_id="a", round=1)], partition="r1")
    lake.write("qa", [qa_row(qa_id="b", round=2), qa_row(qa_id="c", round=2)], partition="r2")
    assert lake.tables() == ["qa__r1", "qa__r2"]
    assert lake.count("qa") == 3 and lake.count("qa__r2") == 2
    per_round = lake.scan("qa").group_by("round").len().sort("round").collect()
    assert per_round.rows() == [(1, 1), (2, 2)]


def test_scan_of_an_empty_logical_table_has_the_schema(lake):
    frame = lake.scan("scores").collect()
    assert frame.height == 0 and "confidence" in frame.columns


def test_versions_and_time_travel(lake):
    lake.write("qa", [qa_row(qa_id="a")])
    lake.write("qa", [qa_row(qa_id="b")])
    lake.write("qa", [qa_row(qa_id="c")], mode="overwrite")
    # version 1 is the empty table the first write creates
    assert [v.version for v in lake.versions("qa")] == [1, 2, 3, 4]
    assert lake.read("qa", version=1).height == 0
    assert lake.read("qa", version=3)["qa_id"].sort().to_list() == ["a", "b"]
    assert lake.read("qa")["qa_id"].to_list() == ["c"]
    with pytest.raises(TableNotFoundError, match="no version 9"):
        lake.scan("qa", version=9)


def test_upsert_and_insert_new_are_idempotent(lake):
    rows = [qa_row(qa_id="a"), qa_row(qa_id="b")]
    lake.write("qa", rows, mode="upsert")
    lake.write("qa", [qa_row(qa_id="a", answer="7"), qa_row(qa_id="c")], mode="upsert")
    got = dict(lake.read("qa").select("qa_id", "answer").iter_rows())
    assert got == {"a": "7", "b": "2", "c": "2"}
    version = lake.version("qa")
    lake.write("qa", rows, mode="insert_new")
    assert lake.version("qa") == version and lake.count("qa") == 3
    assert lake.insert_new("qa", [qa_row(qa_id="a"), qa_row(qa_id="d")]) == 1
    assert lake.insert_new("qa", [qa_row(qa_id="z")], partition="r9") == 1  # creates the partition


def test_filters_push_into_the_scan(lake):
    lake.write("qa", [qa_row(qa_id=str(i), task="object_counting" if i % 2 else "room_size_estimation")
                      for i in range(10)])
    got = lake.scan("qa").filter(pl.col("task") == "object_counting").select("qa_id").collect()
    assert sorted(got["qa_id"].to_list()) == ["1", "3", "5", "7", "9"]


def test_rows_with_null_fixed_size_lists_create_a_table(lake):
    frame = {"frame_id": "f", "scene_id": "s", "index": 0, "source": "video", "width": 2, "height": 2,
             "image": b"png", "pose": None, "intrinsics": None, "visible_objects": []}
    lake.write("frames", [frame])
    assert lake.read("frames")["pose"].to_list() == [None]


def test_unknown_tables_are_clear_errors(lake):
    with pytest.raises(TableNotFoundError, match="unknown table 'answers'"):
        lake.scan("answers")
    with pytest.raises(TableNotFoundError, match="does not exist"):
        lake.scan("qa__r7")
    with pytest.raises(TableNotFoundError):
        lake.write("answers", [])
