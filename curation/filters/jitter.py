"""Measurement-noise copies of a scene for the perturbation filter.

Each box's centroid moves by a random vector whose length is uniform in
[centroid_m[0], centroid_m[1]] (metres, any direction), each edge length scales by a
factor uniform in [1 - size_frac, 1 + size_frac]; rotations are kept, and min/max
are recomputed as the axis-aligned bounds of the jittered box. Room size, centre and
object counts are unchanged (they are not box measurements).
"""

import dataclasses
import itertools

import numpy as np

from curation.scenes import Box, Scene

CORNERS = np.array(list(itertools.product((-0.5, 0.5), repeat=3)))  # (8, 3), unit box corners


def jitter_box(box: Box, rng: np.random.Generator, centroid_m: tuple[float, float], size_frac: float) -> Box:
    direction = rng.normal(size=3)
    direction /= np.linalg.norm(direction)
    centroid = np.asarray(box.centroid) + direction * rng.uniform(*centroid_m)
    lengths = np.asarray(box.axes_lengths) * rng.uniform(1.0 - size_frac, 1.0 + size_frac, size=3)
    corners = centroid + (CORNERS * lengths) @ box.R  # rows of R are the box axes
    return dataclasses.replace(
        box,
        centroid=tuple(centroid.tolist()),
        axes_lengths=tuple(lengths.tolist()),
        min=tuple(corners.min(axis=0).tolist()),
        max=tuple(corners.max(axis=0).tolist()),
    )


def jitter_scene(
    scene: Scene, seed: int, copy: int, *, centroid_m: tuple[float, float] = (0.03, 0.05), size_frac: float = 0.05
) -> Scene:
    """Copy number `copy` of `scene` with every box jittered (deterministic per seed and copy)."""
    rng = np.random.default_rng([seed, copy, int(scene.scene_id, 16) % (2**32)])
    boxes = tuple(jitter_box(b, rng, centroid_m, size_frac) for b in scene.boxes)
    return dataclasses.replace(scene, boxes=boxes)
