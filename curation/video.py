"""Real videos in: sample frames uniformly the way VSI-Bench evaluation does, decode with PyAV.

VSI-Bench (thinking-in-space, via lmms-eval) takes `np.linspace(0, total - 1, n,
dtype=int)` of a video's frames: first and last frame included, evenly spaced between.
`sample_indices` is exactly that; a video shorter than `n` frames gives every frame
once (no repeats).
"""

from pathlib import Path

import av
import numpy as np

from curation.errors import KnobError, VideoError, VideoNotFoundError
from curation.frames import frame_rows

MAX_SIDE = 640  # px: larger frames are shrunk (aspect kept) before PNG encoding


def sample_indices(total: int, n_frames: int) -> list[int]:
    """Frame indices VSI-Bench would take: linspace over [0, total - 1], truncated to int."""
    if n_frames < 1:
        raise KnobError("n_frames", n_frames, "an integer >= 1")
    if total <= n_frames:
        return list(range(total))
    return [int(i) for i in np.linspace(0, total - 1, n_frames, dtype=int)]


def _count_frames(path: Path) -> int:
    """Frames in the first video stream, counted by decoding (container metadata can lie)."""
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _shrink(frame: "av.VideoFrame", max_side: int | None) -> np.ndarray:
    w, h = frame.width, frame.height
    if max_side is not None and max(w, h) > max_side:
        scale = max_side / max(w, h)
        frame = frame.reformat(width=max(1, round(w * scale)), height=max(1, round(h * scale)))
    return frame.to_ndarray(format="rgb24")


def read_frames(path: str | Path, n_frames: int = 16, *, max_side: int | None = MAX_SIDE) -> list[np.ndarray]:
    """The sampled frames of a video, in order, as (H, W, 3) uint8 RGB arrays."""
    path = Path(path)
    if not path.is_file():
        raise VideoNotFoundError(f"{path}: no such video file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError(str(path), "has no video stream")
        wanted = sample_indices(_count_frames(path), n_frames)
        if not wanted:
            raise VideoError(str(path), "has a video stream but no decodable frames")
        keep, frames = set(wanted), []
        with av.open(str(path)) as container:
            for index, frame in enumerate(container.decode(video=0)):
                if index in keep:
                    frames.append(_shrink(frame, max_side))
                if index >= wanted[-1]:
                    break
    except av.error.FFmpegError as exc:
        raise VideoError(str(path), f"cannot be decoded as a video ({exc})") from exc
    return frames


def ingest_video(
    path: str | Path, scene_id: str, n_frames: int = 16, *, max_side: int | None = MAX_SIDE
) -> list[dict]:
    """FRAMES rows (source "video", no pose, intrinsics or visibility) for a scene's video."""
    return frame_rows(scene_id, read_frames(path, n_frames, max_side=max_side), source="video")
