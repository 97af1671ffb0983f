"""Real videos in: sample frames uniformly the way VSI-Bench evaluation does, decode with PyAV.

VSI-Bench (thinking-in-space, via lmms-eval) takes `np.linspace(0, total - 1, n,
dtype=int)` of a video's frames: first and last frame included, evenly spaced between.
`sample_indices` is exactly that; a video shorter than `n` frames gives every frame
once (no repeats). The frame count is the container's when it states one (one
decoding pass, stopping at the last sampled frame); when it states none (raw streams)
or overstates it, frames are counted by decoding first.
"""

from pathlib import Path

import av
import numpy as np

from curation.errors import KnobError, VideoError, VideoNotFoundError
from curation.scenes.frames import frame_rows

MAX_SIDE = 640  # px: larger frames are shrunk (aspect kept) before PNG encoding


def sample_indices(total: int, n_frames: int) -> list[int]:
    """Frame indices VSI-Bench would take: linspace over [0, total - 1], truncated to int."""
    if n_frames < 1:
        raise KnobError("n_frames", n_frames, "an integer >= 1")
    if total <= n_frames:
        return list(range(total))
    return [int(i) for i in np.linspace(0, total - 1, n_frames, dtype=int)]


def _decode(path: Path, wanted: list[int], max_side: int | None) -> tuple[list[np.ndarray], int]:
    """(the frames at `wanted` indices, frames decoded), stopping after the last wanted one."""
    keep, frames, decoded = set(wanted), [], 0
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            decoded = index + 1
            if index in keep:
                frames.append(_shrink(frame, max_side))
            if wanted and index >= wanted[-1]:
                break
    return frames, decoded


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
            listed = container.streams.video[0].frames  # container metadata: 0 when unknown, may be wrong
        if listed > 0:
            wanted = sample_indices(listed, n_frames)
            frames, _ = _decode(path, wanted, max_side)
            if len(frames) == len(wanted):
                return frames
        # Unknown or overstated frame count: count by decoding, then sample again.
        _, total = _decode(path, [], None)
        if total == 0:
            raise VideoError(str(path), "has a video stream but no decodable frames")
        frames, _ = _decode(path, sample_indices(total, n_frames), max_side)
    except av.error.FFmpegError as exc:
        raise VideoError(str(path), f"cannot be decoded as a video ({exc})") from exc
    return frames


def ingest_video(
    path: str | Path, scene_id: str, n_frames: int = 16, *, max_side: int | None = MAX_SIDE
) -> list[dict]:
    """FRAMES rows (source "video", no pose, intrinsics or visibility) for a scene's video."""
    return frame_rows(scene_id, read_frames(path, n_frames, max_side=max_side), source="video")
