import io
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from ouroboros.cli import app
from store import Lake
from tests.store.test_schema import qa_row

runner = CliRunner()


@pytest.fixture
def lake(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.write("qa", [qa_row(qa_id="a", round=1, difficulty_bin="easy"),
                      qa_row(qa_id="b", round=1, difficulty_bin="hard", drop_reason="trivial")], partition="r1")
    lake.write("qa", [qa_row(qa_id="b", round=2, difficulty_bin="hard"),
                      qa_row(qa_id="c", round=2, difficulty_bin="hard", task="room_size_estimation")],
               partition="r2")
    score = {"solver": "tiny", "blind": False, "prediction": "1"}
    lake.write("scores", [{"qa_id": "a", "round": 1, "confidence": 0.5, "correct": False, "mra": 0.3, **score},
                          {"qa_id": "b", "round": 1, "confidence": 0.99, "correct": True, "mra": 1.0, **score}],
               partition="r1")
    return tmp_path / "lake"


def test_slice_to_csv_and_parquet(lake, tmp_path):
    result = runner.invoke(app, ["slice", "--lake", str(lake), "--round", "1", "--max-conf", "0.9", "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(io.StringIO(result.output))
    assert rows["qa_id"].to_list() == ["a"] and rows["confidence"].to_list() == [0.5]
    out = tmp_path / "s.parquet"
    result = runner.invoke(app, ["slice", "--lake", str(lake), "--reason", "trivial", "-f", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out)["qa_id"].to_list() == ["b"]


def test_slice_errors_are_one_line(lake, tmp_path):
    result = runner.invoke(app, ["slice", "--lake", str(lake), "--min-conf", "0.9", "--max-conf", "0.1"])
    assert result.exit_code == 2 and "min_confidence 0.9 > max_confidence 0.1" in result.output
    result = runner.invoke(app, ["slice", "--lake", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no lake" in result.output


def test_diff_between_rounds(lake):
    result = runner.invoke(app, ["diff", "1", "2", "--lake", str(lake), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["added"], summary["removed"], summary["changed"]) == (1, 1, 1)
    shift = {(m["task"], m["difficulty_bin"]): m["shift_pts"] for m in summary["mix"]}
    assert shift[("object_counting", "easy")] == pytest.approx(-50.0)
    table = runner.invoke(app, ["diff", "1", "2", "--lake", str(lake)])
    assert table.exit_code == 0 and "drop_reason: trivial -> None" in table.output


def test_diff_between_table_versions_and_bad_specs(lake):
    Lake(lake).write("qa", [qa_row(qa_id="z", round=1)], partition="r1")
    result = runner.invoke(app, ["diff", "qa__r1@2", "qa__r1@3", "--lake", str(lake), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["added"] == 1
    bad = runner.invoke(app, ["diff", "one", "2", "--lake", str(lake)])
    assert bad.exit_code == 2 and "expected a round number" in bad.output
    missing = runner.invoke(app, ["diff", "qa__r1@9", "2", "--lake", str(lake)])
    assert missing.exit_code == 2 and "no version 9" in missing.output


def test_diff_of_a_missing_round_lists_the_rounds_there(lake):
    result = runner.invoke(app, ["diff", "1", "9", "--lake", str(lake)])
    assert result.exit_code == 2, result.output
    assert "B (9): round 9 does not exist in lake" in result.output and "rounds there: 1, 2" in result.output
    assert "Traceback" not in result.output


def test_diff_reports_cells_one_round_trained_on(lake):
    Lake(lake).write("qa", [qa_row(qa_id="c", round=2, difficulty_bin="hard", task="room_size_estimation",
                                   selected=True)], mode="upsert", partition="r2")
    result = runner.invoke(app, ["diff", "r1", "r2", "--lake", str(lake), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["trained"] == [
        {"task": "room_size_estimation", "difficulty_bin": "hard", "only_a": 0, "only_b": 1, "both": 0}]


@pytest.mark.parametrize(("args", "message"), [
    (["--task", "nope"], "task 'nope' matches no qa row; valid: object_counting, room_size_estimation"),
    (["--round", "9"], "round 9 matches no qa row; valid: 1, 2"),
    (["--reason", "typo"], "reason 'typo' matches no qa row; valid: trivial, kept"),
    (["--min-conf", "2"], "min_confidence 2.0 is outside [0, 1]"),
    (["-o", "rows.csv"], "--out FILE needs --format csv, json, jsonl or parquet"),
])
def test_slice_arguments_that_name_nothing_are_errors_listing_valid_values(lake, args, message):
    result = runner.invoke(app, ["slice", "--lake", str(lake), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("width", [80, 200])
def test_slice_table_shows_a_few_columns_within_the_width(lake, width):
    # COLUMNS, as a terminal sets it: rich reads it on every print (setting the console's
    # width instead would pin it for every later test)
    result = runner.invoke(app, ["slice", "--lake", str(lake)], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "4 row(s)" and lines[1].split() == ["qa_id", "round", "task", "question", "answer", "conf"]
    assert all(len(line) <= width for line in lines)
    assert lines[3].split()[:3] == ["a", "1", "count"] and lines[3].endswith("0.500")


def test_slice_json_has_every_column(lake):
    result = runner.invoke(app, ["slice", "--lake", str(lake), "--round", "1", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["qa_id"] for r in rows] == ["a", "b"] and {"options", "program", "confidence", "mra"} <= set(rows[0])
    csv = pl.read_csv(io.StringIO(runner.invoke(app, ["slice", "--lake", str(lake), "-f", "csv"]).output))
    assert json.loads(csv["frame_ids"][0]) == ["f0", "f1"]  # list and struct columns as JSON text
    assert json.loads(csv["flags"][0])[0]["filter"] == "invalid" and csv["options"][0] is None


def test_slice_by_band_scene_text_and_sorted_by_confidence(lake):
    # numeric rows band on their MRA (bands.signal success): a: 0.3 (frontier), b: 1.0 (easy)
    args = ["slice", "--lake", str(lake), "--round", "1", "-f", "csv"]
    result = runner.invoke(app, [*args, "--band", "easy"])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(io.StringIO(result.output))["qa_id"].to_list() == ["b"]
    by_confidence = runner.invoke(app, [*args, "--sort", "confidence", "--scene", "s1", "--contains", "chair(s)"])
    assert pl.read_csv(io.StringIO(by_confidence.output))["qa_id"].to_list() == ["a", "b"]
    bad = runner.invoke(app, [*args, "--band", "tepid"])
    assert bad.exit_code == 2 and "band 'tepid' is not a band; valid: easy, frontier, hard" in bad.output


def rollout(qa_id, round, group, sample, reward, completion="1"):
    return {"qa_id": qa_id, "round": round, "group": group, "sample": sample, "completion": completion,
            "reward": reward, "advantage": 0.0, "logp_mean": -1.0, "parsed": True}


@pytest.fixture
def grpo_lake(lake):
    """`lake` after two GRPO rounds: round 1 sampled a (rewards 0, 1) and b (all 1: zero variance);
    round 2 sampled b (rewards 0.5, 1) and c (all 0)."""
    Lake(lake).write("rollouts", [rollout("a", 1, 0, 0, 0.0, "7"), rollout("a", 1, 0, 1, 1.0),
                                  rollout("b", 1, 1, 0, 1.0), rollout("b", 1, 1, 1, 1.0)], partition="r1")
    Lake(lake).write("rollouts", [rollout("b", 2, 0, 0, 0.5), rollout("b", 2, 0, 1, 1.0),
                                  rollout("c", 2, 1, 0, 0.0), rollout("c", 2, 1, 1, 0.0)], partition="r2")
    return lake


def test_slice_rollouts_by_reward_group_and_the_question_s_task_and_confidence(grpo_lake):
    args = ["slice", "--lake", str(grpo_lake), "--table", "rollouts", "-f", "csv"]
    every = pl.read_csv(io.StringIO(runner.invoke(app, args).output))
    assert every.select("qa_id", "round", "group", "sample").rows() == [
        ("a", 1, 0, 0), ("a", 1, 0, 1), ("b", 1, 1, 0), ("b", 1, 1, 1), ("b", 2, 0, 0), ("b", 2, 0, 1),
        ("c", 2, 1, 0), ("c", 2, 1, 1)]
    assert every["task"][-1] == "room_size_estimation" and every["question"][0].startswith("How many")
    low = pl.read_csv(io.StringIO(runner.invoke(app, [*args, "--max-reward", "0.5"]).output))
    assert low.select("qa_id", "reward").rows() == [("a", 0.0), ("b", 0.5), ("c", 0.0), ("c", 0.0)]
    # question filters select the questions whose answers are shown: a's round-1 score is 0.5
    unsure = runner.invoke(app, [*args, "--round", "1", "--max-conf", "0.9", "--min-reward", "1"])
    assert pl.read_csv(io.StringIO(unsure.output)).select("qa_id", "sample").rows() == [("a", 1)]
    task = runner.invoke(app, [*args, "--task", "room_size_estimation", "--round", "2", "--group", "1"])
    assert pl.read_csv(io.StringIO(task.output))["qa_id"].to_list() == ["c", "c"]
    table = runner.invoke(app, ["slice", "--lake", str(grpo_lake), "--table", "rollouts", "--group", "0"],
                          env={"COLUMNS": "200"})
    assert table.exit_code == 0 and table.output.splitlines()[1].split() == [
        "qa_id", "round", "group", "task", "answer", "sampled", "reward", "adv"]


def test_slice_rollout_options_need_the_rollouts_table(grpo_lake, lake):
    result = runner.invoke(app, ["slice", "--lake", str(grpo_lake), "--min-reward", "1"])
    assert result.exit_code == 2 and "min_reward filter(s) rollouts; add table rollouts" in result.output
    result = runner.invoke(app, ["slice", "--lake", str(grpo_lake), "--table", "scores"])
    assert result.exit_code == 2 and "table 'scores' is not a table; valid: qa, rollouts" in result.output


def test_slice_rollouts_of_a_lake_without_grpo_rounds_is_an_error(lake):
    result = runner.invoke(app, ["slice", "--lake", str(lake), "--table", "rollouts"])
    assert result.exit_code == 2 and "no rollouts table" in result.output


def test_diff_rollouts_between_rounds(grpo_lake):
    result = runner.invoke(app, ["diff", "1", "2", "--lake", str(grpo_lake), "--table", "rollouts", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    # a only in round 1, c only in round 2; b in both, its mean reward 1.0 -> 0.75 and no longer zero-variance
    assert (summary["added"], summary["removed"], summary["changed"]) == (1, 1, 1)
    tasks = {t["task"]: t for t in summary["tasks"]}
    assert tasks["object_counting"] == {"task": "object_counting", "groups_a": 2, "mean_reward_a": 0.75,
                                        "zero_variance_a": 1, "groups_b": 1, "mean_reward_b": 0.75,
                                        "zero_variance_b": 0}
    assert (tasks["room_size_estimation"]["groups_a"], tasks["room_size_estimation"]["zero_variance_b"]) == (0, 1)
    table = runner.invoke(app, ["diff", "r1", "r2", "--lake", str(grpo_lake), "--table", "rollouts"])
    assert table.exit_code == 0, table.output
    assert "mean_reward: 1 -> 0.75; zero_variance: 1 -> 0" in table.output


def test_diff_rollouts_by_table_version_and_errors(grpo_lake):
    Lake(grpo_lake).write("rollouts", [rollout("a", 1, 0, 0, 1.0)], mode="upsert", partition="r1")
    result = runner.invoke(app, ["diff", "rollouts__r1@2", "rollouts__r1@3", "--lake", str(grpo_lake), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["changed"] == 1  # a's rewards 0, 1 -> 1, 1
    mixed = runner.invoke(app, ["diff", "qa__r1@1", "rollouts__r1@1", "--lake", str(grpo_lake)])
    assert mixed.exit_code == 2 and "A (qa__r1@1) is a qa table and B (rollouts__r1@1) a rollouts table" in mixed.output
    missing = runner.invoke(app, ["diff", "1", "3", "--lake", str(grpo_lake), "--table", "rollouts"])
    assert missing.exit_code == 2 and "round 3 does not exist in lake" in missing.output
    assert "(rollouts); rounds there: 1, 2" in missing.output
