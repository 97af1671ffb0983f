from pathlib import Path

import av
import numpy as np
import pytest

from curation.errors import VideoError, VideoNotFoundError
from curation.scenes.video import ingest_video, read_frames, sample_indices
from store.errors import UserFacingError

N_VIDEO_FRAMES = 30


def _encode(path: Path, frames: list[np.ndarray], fps: int = 10, container_format: str | None = None) -> None:
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv444p"  # no chroma subsampling: colours survive the round trip
        stream.options = {"crf": "0"}  # lossless, so decoded frames can be matched to their source
        for rgb in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode())


def _numbered_frames(n: int, size: tuple[int, int] = (48, 64)) -> list[np.ndarray]:
    """Frame i is a flat grey of level 8 * i, so a decoded frame tells which one it was."""
    return [np.full((*size, 3), 8 * i, dtype=np.uint8) for i in range(n)]


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "walk.mp4"
    _encode(path, _numbered_frames(N_VIDEO_FRAMES))
    return path


def test_sample_indices_follow_vsibench_linspace():
    assert sample_indices(30, 4) == [0, 9, 19, 29]
    assert sample_indices(100, 16)[0] == 0 and sample_indices(100, 16)[-1] == 99
    assert sample_indices(3, 16) == [0, 1, 2]


def test_reads_the_sampled_frames_in_order_and_size(video: Path):
    frames = read_frames(video, 4)
    assert len(frames) == 4
    assert all(f.shape == (48, 64, 3) and f.dtype == np.uint8 for f in frames)
    levels = [int(round(f.mean() / 8)) for f in frames]
    assert levels == sample_indices(N_VIDEO_FRAMES, 4)


def test_raw_stream_without_a_frame_count_is_counted(tmp_path: Path):
    raw = tmp_path / "walk.h264"
    _encode(raw, _numbered_frames(N_VIDEO_FRAMES), container_format="h264")
    with av.open(str(raw)) as container:
        assert container.streams.video[0].frames == 0  # the path this test is for
    levels = [int(round(f.mean() / 8)) for f in read_frames(raw, 4)]
    assert levels == sample_indices(N_VIDEO_FRAMES, 4)


def test_large_frames_are_shrunk_keeping_aspect(video: Path):
    assert read_frames(video, 2, max_side=32)[0].shape == (24, 32, 3)


def test_ingest_video_makes_frame_rows(video: Path):
    rows = ingest_video(video, "scene-x", n_frames=5)
    assert [r["index"] for r in rows] == list(range(5))
    assert {r["source"] for r in rows} == {"video"} and {r["scene_id"] for r in rows} == {"scene-x"}
    assert all(r["pose"] is None and r["visible_objects"] == [] for r in rows)
    assert len({r["frame_id"] for r in rows}) == 5


def test_missing_file_is_a_user_error(tmp_path: Path):
    with pytest.raises(VideoNotFoundError, match="no such video") as info:
        read_frames(tmp_path / "nope.mp4")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, UserFacingError)


def test_corrupt_file_is_a_user_error(tmp_path: Path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    with pytest.raises(VideoError, match="bad.mp4"):
        read_frames(bad)


def test_truncated_file_is_a_user_error(video: Path, tmp_path: Path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(video.read_bytes()[:200])
    with pytest.raises(VideoError, match="cut.mp4"):
        read_frames(cut)
