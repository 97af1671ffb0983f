"""What each frame shows: visible pixel fractions per instance and per category.

A fraction is visible pixels / all pixels of the frame (so it does not depend on the
image size). Rendered frames carry `visible_objects` rows {category, instance,
fraction} (store.schema.VISIBLE_OBJECT); everything else here is computed from those
rows, so QA programs get the same `frame_info` whether frames were just rendered or
read back from the lake.
"""

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from curation.scenes.metadata import Scene

# An object counts as "seen" in a frame from this share of the pixels on: 100 pixels
# at 224x224, 8 at 64x64; below that a viewer cannot tell what it is.
MIN_VISIBLE_FRACTION = 0.002

VisibleRows = Sequence[Mapping]  # one frame's visible_objects rows


def instance_fractions(instance_mask: np.ndarray, n_instances: int) -> np.ndarray:
    """(n_instances,) share of the mask's pixels showing each box index (-1 = no box)."""
    ids = instance_mask[instance_mask >= 0]
    if ids.size and ids.max() >= n_instances:
        raise ValueError(f"mask holds box index {int(ids.max())} but the scene has {n_instances} boxes")
    return np.bincount(ids, minlength=n_instances) / instance_mask.size


def visible_objects(scene: Scene, instance_mask: np.ndarray) -> list[dict]:
    """The frame's visible_objects rows: every box with at least one pixel, in box order."""
    fractions = instance_fractions(instance_mask, len(scene.boxes))
    return [
        {"category": box.category, "instance": box.instance, "fraction": float(f)}
        for box, f in zip(scene.boxes, fractions, strict=True)
        if f > 0
    ]


def first_seen(frames: Sequence[VisibleRows], min_fraction: float = MIN_VISIBLE_FRACTION) -> dict[tuple[str, int], int]:
    """{(category, instance): index of the first frame showing it at >= min_fraction}."""
    seen: dict[tuple[str, int], int] = {}
    for index, rows in enumerate(frames):
        for row in rows:
            key = (row["category"], int(row["instance"]))
            if row["fraction"] >= min_fraction and key not in seen:
                seen[key] = index
    return seen


def frame_info(
    frames: Sequence[VisibleRows], categories: Iterable[str] = (), min_fraction: float = MIN_VISIBLE_FRACTION
) -> dict:
    """The `frame_info` that QA programs read, for a video's frames in order:

    {"n_frames": int,
     "first_frame": {category: first frame index whose summed fraction >= min_fraction},
     "visible_fraction": {category: [summed fraction over its instances, per frame]}}

    `visible_fraction` lists every category in `categories` (the scene's, say) and every
    category any frame shows; a category never seen at min_fraction has no
    `first_frame` entry.
    """
    names = list(dict.fromkeys([*categories, *(row["category"] for rows in frames for row in rows)]))
    fraction = {name: [0.0] * len(frames) for name in names}
    for index, rows in enumerate(frames):
        for row in rows:
            fraction[row["category"]][index] += float(row["fraction"])
    first = {}
    for name, per_frame in fraction.items():
        hits = [i for i, f in enumerate(per_frame) if f >= min_fraction]
        if hits:
            first[name] = hits[0]
    return {"n_frames": len(frames), "first_frame": first, "visible_fraction": fraction}
