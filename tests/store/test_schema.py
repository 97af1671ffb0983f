import math

import polars as pl
import pyarrow as pa
import pytest

from store import Lake, SchemaError
from store.schema import LOGICAL_TABLES, QA


def qa_row(**overrides):
    row = {
        "qa_id": "q1", "round": 1, "split": "train", "scene_id": "s1", "proposer": "template",
        "proposer_model": None, "prompt_version": None,
        "task": "object_counting", "template": "count_v1", "difficulty": "{}", "difficulty_bin": "b0",
        "question": "How many chair(s) are in this room?", "options": None, "answer_type": "numeric",
        "program": "def compute_answer():\n    return 2", "frame_ids": ["f0", "f1"], "answer": "2",
        "exec_value": "2", "exec_status": "ok", "exec_error": None, "exec_ms": 1.5,
        "flags": [{"filter": "invalid", "score": 0.0, "flagged": False, "reason": None}],
        "ambiguous": False, "drop_reason": None, "selected": False,
    }
    row.update(overrides)
    return row


def test_every_logical_table_has_a_key_and_schema():
    from store.schema import KEYS

    assert set(KEYS) == set(LOGICAL_TABLES)
    for table, key in KEYS.items():
        assert all(k in LOGICAL_TABLES[table].names for k in key)


def test_round_trip_keeps_values_and_types(tmp_path):
    lake = Lake(tmp_path / "lake")
    rows = [qa_row(), qa_row(qa_id="q2", options=["A. 1", "B. 2"], answer_type="mca", answer="B")]
    lake.write("qa", rows)
    back = lake.read("qa").sort("qa_id")
    assert back.to_arrow().schema.equals(QA) or back.schema == pl.from_arrow(QA.empty_table()).schema
    assert back["options"].to_list() == [None, ["A. 1", "B. 2"]]
    assert back["flags"][0].to_list() == [{"filter": "invalid", "score": 0.0, "flagged": False, "reason": None}]
    assert math.isclose(back["exec_ms"][0], 1.5)


def test_polars_frame_with_wide_types_is_accepted(tmp_path):
    # polars gives int64 / large strings; they fit int32 / string without loss.
    lake = Lake(tmp_path / "lake")
    lake.write("qa", pl.DataFrame([qa_row()]))
    assert lake.count("qa") == 1


@pytest.mark.parametrize(
    ("change", "column", "fragment"),
    [
        ({"round": "one"}, "round", "int32"),
        ({"round": 2**40}, "round", "int32"),
        ({"exec_ms": "fast"}, "exec_ms", "float"),
        ({"question": None}, "question", "null"),
        ({"options": "A. 1"}, "options", "list"),
    ],
)
def test_bad_column_is_named_and_nothing_is_written(tmp_path, change, column, fragment):
    lake = Lake(tmp_path / "lake")
    lake.write("qa", [qa_row()])
    version = lake.version("qa")
    with pytest.raises(SchemaError) as info:
        lake.write("qa", [qa_row(qa_id="q9"), qa_row(qa_id="q10", **change)])
    assert info.value.table == "qa" and info.value.column == column
    assert fragment in str(info.value)
    assert lake.version("qa") == version and lake.count("qa") == 1


def test_missing_and_unknown_columns_are_errors(tmp_path):
    lake = Lake(tmp_path / "lake")
    row = qa_row()
    del row["task"]
    with pytest.raises(SchemaError, match="'task'.*missing"):
        lake.write("qa", [row])
    with pytest.raises(SchemaError, match="'colour'"):
        lake.write("qa", [qa_row(colour="red")])
    assert "qa" not in lake.tables()


def test_fixed_size_list_length_is_checked(tmp_path):
    lake = Lake(tmp_path / "lake")
    frame = {
        "frame_id": "f", "scene_id": "s", "index": 0, "source": "render", "width": 2, "height": 2,
        "image": b"png", "pose": [0.0] * 15, "intrinsics": None, "visible_objects": [],
    }
    with pytest.raises(SchemaError, match="'pose'"):
        lake.write("frames", [frame])


def test_float_never_becomes_int(tmp_path):
    lake = Lake(tmp_path / "lake")
    with pytest.raises(SchemaError, match="'round'"):
        lake.write("qa", pa.Table.from_pylist([qa_row(round=1.5)]))


def test_polars_schema_types_a_frame_the_lake_takes_as_is(tmp_path):
    from store.schema import polars_schema

    lake = Lake(tmp_path / "lake")
    frame = pl.DataFrame([qa_row()], schema=polars_schema(QA))
    lake.write("qa", frame)
    assert lake.read("qa").schema == frame.schema
    assert frame.columns == QA.names


def test_polars_schema_keeps_the_asked_order_and_names_a_missing_column():
    from store.schema import FILTER_FLAG, SCORES, polars_dtype, polars_schema

    assert polars_schema(SCORES, ["mra", "qa_id"]) == pl.Schema({"mra": pl.Float64, "qa_id": pl.String})
    assert polars_dtype(FILTER_FLAG) == pl.Struct(
        {"filter": pl.String, "score": pl.Float64, "flagged": pl.Boolean, "reason": pl.String})
    with pytest.raises(KeyError, match="nope"):
        polars_schema(SCORES, ["qa_id", "nope"])
