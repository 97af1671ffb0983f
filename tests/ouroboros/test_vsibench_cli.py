"""`ouro vsibench audit` and `ouro vsibench evalset` through typer's CliRunner."""

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ouroboros.cli import app
from store import Lake
from store.conform import conform
from store.schema import QA
from tests.conftest import shared_file
from tests.curation.scenes.test_video import _encode, _numbered_frames

runner = CliRunner()
# scene0353_00 gets a real video (it has appearance-order questions); scene0645_00 has a count.
EVAL_SCENES = ("scene0353_00", "scene0645_00", "scene0328_00")


def _ouro(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def sample_path() -> Path:
    return shared_file("vsibench_qa", "sample_scannet.jsonl")


@pytest.fixture(scope="module")
def meta_path() -> Path:
    return shared_file("vsibench_meta", "scannet_meta_info_val.json")


@pytest.fixture
def few_questions(tmp_path: Path, sample_path: Path) -> Path:
    """The sample's questions on three scenes, with one count changed by hand."""
    rows = [json.loads(line) for line in sample_path.read_text().splitlines()]
    kept = [r for r in rows if r["scene_name"] in EVAL_SCENES]
    counting = next(r for r in kept if r["question_type"] == "object_counting")
    counting["ground_truth"] = str(int(counting["ground_truth"]) + 2)
    path = tmp_path / "few.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in kept))
    return path


def test_audit_prints_the_per_task_table(sample_path: Path, meta_path: Path):
    result = _ouro("vsibench", "audit", sample_path, "--meta", meta_path)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.strip()}
    assert lines["object_counting"] == ["18", "18", "0", "0"]  # attempted, agree, disagree, not derivable
    assert lines["route_planning"] == ["0", "0", "0", "8"]
    assert lines["total"] == ["130", "130", "0", "45"]
    assert "0 disagreement(s)" in result.output


def test_audit_json_and_disagreements_file(few_questions: Path, meta_path: Path, tmp_path: Path):
    out = tmp_path / "missed.jsonl"
    result = runner.invoke(app, ["vsibench", "audit", str(few_questions), "--meta", str(meta_path), "--json",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # nothing but the JSON on stdout
    counting = report["per_task"]["object_counting"]
    assert counting["n"] == counting["agree"] + 1 and counting["disagree"] == 1
    assert report["total"]["disagree"] == 1 and report["unparseable"] == []
    missed = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(missed) == 1 and missed[0]["task"] == "object_counting"
    assert int(missed[0]["official"]) == int(missed[0]["ours"]) + 2 and missed[0]["margin"] == 2.0
    csv = tmp_path / "missed.csv"
    assert _ouro("vsibench", "audit", few_questions, "--meta", meta_path, "--out", csv).exit_code == 0
    assert pl.read_csv(csv)["id"].to_list() == [m["id"] for m in missed]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--out", "x.txt"), "expected a .jsonl or .csv"),
        (("--distance-mode", "manhattan"), "--distance-mode must be one of"),
        (("--reading", "loose"), "--reading must be one of"),
        (("--pruned", "no_such_ids.txt"), "no_such_ids.txt"),
    ],
)
def test_audit_bad_options_exit_2(few_questions: Path, meta_path: Path, extra, message):
    result = _ouro("vsibench", "audit", few_questions, "--meta", meta_path, *extra)
    assert result.exit_code == 2 and message in result.output


def test_evalset_writes_conforming_eval_rows_with_existing_frames(few_questions: Path, meta_path: Path, tmp_path):
    lake_dir, videos = tmp_path / "lake", tmp_path / "videos"
    videos.mkdir()
    # A real video for the first scene; the others are rendered.
    _encode(videos / f"{EVAL_SCENES[0]}.mp4", _numbered_frames(6, (24, 32)))
    result = _ouro("vsibench", "evalset", few_questions, "--meta", meta_path, "--lake", lake_dir,
                   "--videos", videos, "--n-frames", "3", "--size", "16")
    assert result.exit_code == 0, result.output
    lake = Lake(lake_dir)
    qa = lake.read("qa")
    conform("qa", qa.to_arrow(), QA)
    assert lake.partitions("qa") == ["qa__eval"] and set(qa["split"]) == {"eval"} and set(qa["round"]) == {0}
    scenes = dict(zip(lake.read("scenes")["name"], lake.read("scenes")["scene_id"], strict=True))
    assert set(scenes) == set(EVAL_SCENES)
    frames = lake.read("frames")
    sources = dict(zip(frames["frame_id"], frames["source"], strict=True))
    for row in qa.iter_rows(named=True):
        assert len(row["frame_ids"]) == 3 and all(f in sources for f in row["frame_ids"])
        expected = "video" if row["scene_id"] == scenes[EVAL_SCENES[0]] else "render"
        assert {sources[f] for f in row["frame_ids"]} == {expected}
    official = {r["id"]: r for r in map(json.loads, few_questions.read_text().splitlines())}
    for row in qa.iter_rows(named=True):  # joined on the benchmark's id, kept in `difficulty`
        source = official[json.loads(row["difficulty"])["vsibench_id"]]
        assert (row["question"], row["answer"], row["options"]) == (
            source["question"], source["ground_truth"], source["options"])
    order = qa.filter(pl.col("task") == "obj_appearance_order")
    assert order.height > 0 and set(order["scene_id"]) == {scenes[EVAL_SCENES[0]]}  # only with the real video
    assert "route_planning" not in set(qa["task"])
    again = _ouro("vsibench", "evalset", few_questions, "--meta", meta_path, "--lake", lake_dir,
                  "--n-frames", "3", "--size", "16")
    assert again.exit_code == 0 and lake.count("qa") == qa.height - order.height  # overwritten, not appended
