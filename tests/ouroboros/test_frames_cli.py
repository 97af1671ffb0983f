from pathlib import Path

import av
import numpy as np
import pytest
from typer.testing import CliRunner

from ouroboros.cli import app
from store import Lake

runner = CliRunner()


def _ouro(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    path = tmp_path / "lake"
    result = _ouro("scenes", "generate", "--n", "2", "--seed", "5", "--lake", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_generate_is_idempotent(lake: Path):
    assert Lake(lake).count("scenes") == 2
    again = _ouro("scenes", "generate", "--n", "3", "--seed", "5", "--lake", str(lake))
    assert again.exit_code == 0 and "added 1" in again.output
    assert sorted(Lake(lake).read("scenes")["name"]) == ["proc-000005", "proc-000006", "proc-000007"]


def test_render_writes_frames_once(lake: Path):
    args = ("frames", "render", "--lake", str(lake), "--n-frames", "3", "--size", "32")
    first = _ouro(*args)
    assert first.exit_code == 0, first.output
    frames = Lake(lake).read("frames")
    assert frames.height == 6 and frames["width"].to_list() == [32] * 6
    versions = len(Lake(lake).versions("frames"))
    second = _ouro(*args)
    assert second.exit_code == 0 and "added 0" in second.output
    assert Lake(lake).count("frames") == 6 and len(Lake(lake).versions("frames")) == versions


def test_render_selects_scenes_by_name(lake: Path):
    result = _ouro("frames", "render", "--lake", str(lake), "--scenes", "proc-000006",
                   "--n-frames", "2", "--size", "16")
    assert result.exit_code == 0, result.output
    ids = set(Lake(lake).read("frames")["scene_id"])
    names = Lake(lake).read("scenes").filter(scene_id=list(ids)[0])["name"].to_list()
    assert len(ids) == 1 and names == ["proc-000006"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("frames", "render", "--scenes", "nope"), "no scene named or with id 'nope'"),
        (("frames", "ingest-video", "missing.mp4", "--scene", "proc-000005"), "no such video file"),
        (("frames", "ingest-video", "missing.mp4", "--scene", "nope"), "nope"),
    ],
)
def test_user_errors_are_one_line_exit_2(lake: Path, args, message):
    result = _ouro(*args, "--lake", str(lake))
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_render_on_an_empty_lake_says_what_to_do(tmp_path: Path):
    result = _ouro("frames", "render", "--lake", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "no scenes" in result.output


def test_ingest_video(lake: Path, tmp_path: Path):
    video = tmp_path / "v.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("libx264", rate=5)
        stream.width, stream.height = 32, 24
        for i in range(12):
            frame = av.VideoFrame.from_ndarray(np.full((24, 32, 3), 20 * i, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    result = _ouro("frames", "ingest-video", str(video), "--scene", "proc-000005", "--lake", str(lake),
                   "--n-frames", "4")
    assert result.exit_code == 0, result.output
    frames = Lake(lake).read("frames")
    assert frames["source"].to_list() == ["video"] * 4 and frames["pose"].null_count() == 4
