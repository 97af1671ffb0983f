import polars as pl

from store import Lake
from store.fingerprint import fingerprint_frame
from tests.store.test_schema import qa_row


def test_same_rows_in_two_lakes_have_one_fingerprint(tmp_path):
    rows = [qa_row(qa_id=str(i), answer=str(i % 3)) for i in range(50)]
    first, second = Lake(tmp_path / "a"), Lake(tmp_path / "b")
    first.write("qa", rows)
    second.write("qa", rows[25:])  # other order, other fragments
    second.write("qa", rows[:25])
    a, b = fingerprint_frame(first.read("qa"), "qa"), fingerprint_frame(second.read("qa"), "qa")
    assert a == b


def test_any_value_change_changes_the_fingerprint():
    rows = pl.DataFrame([qa_row(qa_id=str(i)) for i in range(5)])
    changed = rows.with_columns(pl.when(pl.col("qa_id") == "3").then(pl.lit("9")).otherwise("answer").alias("answer"))
    assert fingerprint_frame(rows, "qa") != fingerprint_frame(changed, "qa")
    assert fingerprint_frame(rows, "qa") != fingerprint_frame(rows.head(4), "qa")


def test_run_timings_are_not_content():
    rows = pl.DataFrame([qa_row(qa_id=str(i)) for i in range(3)])
    slower = rows.with_columns(pl.col("exec_ms") * 10)
    assert fingerprint_frame(rows, "qa") == fingerprint_frame(slower, "qa")


def test_the_proposer_model_and_prompt_are_content():
    rows = [qa_row(qa_id=str(i), proposer="llm", proposer_model="qwen3-vl-4b", prompt_version="v1") for i in range(3)]
    base = fingerprint_frame(pl.DataFrame(rows), "qa")
    for change in ({"proposer_model": "qwen3-vl-8b"}, {"prompt_version": "v2"}):
        assert fingerprint_frame(pl.DataFrame([{**r, **change} for r in rows]), "qa") != base
