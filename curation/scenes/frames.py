"""Frames as rows of store.schema.FRAMES: PNG bytes, pose, intrinsics, visibility.

Rendered frames come with a camera-to-world `pose` (4x4 row-major, OpenCV axes),
pinhole `intrinsics` (fx, fy, cx, cy) in pixels and per-instance `visible_objects`;
decoded video frames have none of these (null pose and intrinsics, no visible
objects). `frame_id` is store.ids.frame_id(scene_id, source, index, png), so the same
pixels at the same place always get the same id and re-rendering adds nothing.
"""

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from curation.scenes.camera import walkthrough
from curation.scenes.metadata import Scene
from curation.scenes.overview import overview
from curation.scenes.render import render_path
from curation.scenes.visibility import visible_objects
from store import ids

PNG_COMPRESS_LEVEL = 6  # zlib level: PIL's default, ~the size of optimize=True at a third of the time


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an (H, W, 3) uint8 image as PNG."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {rgb.dtype} {rgb.shape}")
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def frame_rows(
    scene_id: str,
    images: Sequence[np.ndarray],
    *,
    source: str,
    poses: Sequence[np.ndarray] | None = None,
    intrinsics: Sequence[float] | None = None,
    visible: Sequence[list[dict]] | None = None,
    start: int = 0,
) -> list[dict]:
    """One FRAMES row per image, index = `start` + position in `images`.

    source: "render" or "video". poses: (4, 4) camera-to-world per image, or None.
    intrinsics: (fx, fy, cx, cy) shared by all images, or None. visible: each image's
    visible_objects rows, or None for none known.
    """
    for name, values in (("poses", poses), ("visible", visible)):
        if values is not None and len(values) != len(images):
            raise ValueError(f"{name} has {len(values)} entries for {len(images)} images")
    rows = []
    for i, rgb in enumerate(images):
        index, png = start + i, png_bytes(rgb)
        rows.append(
            {
                "frame_id": ids.frame_id(scene_id, source, index, png),
                "scene_id": scene_id,
                "index": index,
                "source": source,
                "width": int(rgb.shape[1]),
                "height": int(rgb.shape[0]),
                "image": png,
                "pose": None if poses is None else [float(v) for v in np.asarray(poses[i]).reshape(16)],
                "intrinsics": None if intrinsics is None else [float(v) for v in intrinsics],
                "visible_objects": [] if visible is None else list(visible[i]),
            }
        )
    return rows


def render_rows(
    scene: Scene, *, n_frames: int = 16, size: int = 224, seed: int = 0, overview_m: float | None = None,
    overview_size: int | None = None,
) -> list[dict]:
    """Walk through `scene`, render `n_frames` square frames of `size` px, return FRAMES rows.

    With `overview_m`, one more frame follows the walk: the top-down overview
    (curation.scenes.overview) spanning `overview_m` metres in `overview_size` px (default
    `size`), source "overview", with no pose,
    intrinsics or visible objects (it is no camera view, and first appearances stay the
    walk's)."""
    path = walkthrough(scene, n_frames, width=size, height=size, seed=seed)
    frames = render_path(scene, path)
    rows = frame_rows(
        scene.scene_id,
        [f.rgb for f in frames],
        source="render",
        poses=list(path.poses),
        intrinsics=path.intrinsics.as_list(),
        visible=[visible_objects(scene, f.instance) for f in frames],
    )
    if overview_m is not None:
        side = overview_size or size
        plan, _ = overview(scene, side, overview_m / side)
        rows += frame_rows(scene.scene_id, [plan], source="overview", start=n_frames)
    return rows
