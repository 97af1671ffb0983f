"""Stage `embed` and `ouro similar` on a tiny lake: vectors apart from the frames, neighbours by CLI."""

import io
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.lakes import workspace_lake
from ouroboros.params import Params, load_params
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.stages.embed import embed
from ouroboros.workspace import Workspace
from store.fingerprint import fingerprint_frame
from tests.ouroboros.pipeline_fixtures import write_params
from tests.store.test_schema import qa_row

runner = CliRunner()
QUESTIONS = {
    "d1": "What is the distance between the sofa and the lamp (in meters)?",
    "d2": "How far is the lamp from the sofa, in metres?",
    "c1": "How many chair(s) are in this room?",
    "s1": "What is the size of this room (in square meters)?",
}

pytestmark = pytest.mark.slow


def tiny_scenes(root) -> tuple[Params, Workspace]:
    """Two procedural rooms of three 32-px frames each, built locally in `root`."""
    params = load_params(write_params(root, scenes={"meta": [], "max_real": 0, "procedural": 2, "eval_fraction": 0.5},
                                      frames={"n_frames": 3, "size": 32}))
    ws = Workspace(root)
    build_scenes(params, ws)
    return params, ws


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    params, ws = tiny_scenes(tmp_path_factory.mktemp("embed"))
    frames_before = fingerprint_frame(workspace_lake(ws).read("frames"), "frames")
    workspace_lake(ws).write("qa", [qa_row(qa_id=q, question=text, split="eval", round=0)
                                    for q, text in QUESTIONS.items()], partition="eval")
    counts = embed(params, ws)
    return ws, counts, frames_before


def test_embed_writes_one_vector_per_frame_and_question_and_leaves_frames_alone(workspace):
    ws, counts, frames_before = workspace
    lake = workspace_lake(ws)
    assert counts == {"frame vectors": lake.count("frames"), "question vectors": len(QUESTIONS)}
    assert fingerprint_frame(lake.read("frames"), "frames") == frames_before
    assert "embedding" not in lake.scan("frames").collect_schema().names()
    manifest = json.loads((ws.embeddings_dir / "frame.json").read_text())
    assert manifest["encoder"].startswith("tiny-vision-64px@")
    (physical, entry), = manifest["tables"].items()
    assert physical.startswith("embeddings__frame-tiny-vision-64px-") and entry["rows"] == lake.count("frames")


def test_similar_frame_lists_the_nearest_other_frames_with_distances(workspace):
    ws, _, _ = workspace
    frame_id = workspace_lake(ws).scan("frames").select("frame_id").head(1).collect().item()
    result = runner.invoke(app, ["similar", frame_id, "-k", "3", "-f", "csv", "--lake", str(ws.lake_dir)])
    assert result.exit_code == 0, result.output
    found = pl.read_csv(io.StringIO(result.output))
    assert found.height == 3 and frame_id not in found["item_id"].to_list()
    assert found["distance"].is_sorted() and set(found.columns) >= {"item_id", "distance", "scene_id", "index"}


def test_similar_question_text_and_qa_id_find_the_rephrasing(workspace):
    ws, _, _ = workspace
    lake = str(ws.lake_dir)
    by_text = runner.invoke(app, ["similar", "--question", "How far apart are the sofa and the lamp?", "-k", "2",
                                  "-f", "csv", "--lake", lake])
    assert by_text.exit_code == 0, by_text.output
    assert set(pl.read_csv(io.StringIO(by_text.output))["item_id"]) == {"d1", "d2"}
    by_id = runner.invoke(app, ["similar", "--qa", "d1", "-k", "1", "-f", "csv", "--lake", lake])
    assert pl.read_csv(io.StringIO(by_id.output))["item_id"].to_list() == ["d2"]
    table = runner.invoke(app, ["similar", "--qa", "d1", "-k", "3", "--lake", lake])
    assert table.exit_code == 0 and all(len(line) <= 80 for line in table.output.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "no frame 'nope' in embeddings__frame-tiny-vision"),
        (["--qa", "zz"], "no question 'zz' in embeddings__question-all-minilm"),
        (["x", "--qa", "d1"], "exactly one of"),
        (["--qa", "d1", "-k", "0"], "-k must be at least 1"),
        (["--qa", "d1", "--encoder", "other@1"], "no question vectors from encoder 'other@1'"),
    ],
)
def test_similar_errors_are_one_line_exit_2(workspace, args, message):
    ws, _, _ = workspace
    result = runner.invoke(app, ["similar", *args, "--lake", str(ws.lake_dir)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
