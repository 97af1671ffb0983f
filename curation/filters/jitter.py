"""Measurement-noise copies of a scene for the perturbation filter.

Each box's centroid moves by a random vector whose length is uniform in
[centroid_m[0], centroid_m[1]] (metres, any direction), each edge length scales by a
factor uniform in [1 - size_frac, 1 + size_frac]; rotations are kept, and min/max
are recomputed as the axis-aligned bounds of the jittered box. Room size, centre and
object counts are unchanged (they are not box measurements). All boxes of a scene are
jittered in one vectorised step (this runs K times per scene in every round).
"""

import dataclasses
import itertools

import numpy as np

from curation.scenes.metadata import Scene

CORNERS = np.array(list(itertools.product((-0.5, 0.5), repeat=3)))  # (8, 3), unit box corners


def _jittered(scene: Scene, key: str, copy: int, seed: int, centroid_m: tuple[float, float], size_frac: float):
    """(centroids (N,3), lengths (N,3), mins (N,3), maxs (N,3)) of copy `copy`, deterministic per key."""
    rng = np.random.default_rng([seed, copy, int(key, 16) % (2**32)])
    n = len(scene.boxes)
    centroids = np.array([b.centroid for b in scene.boxes], dtype=float).reshape(n, 3)
    lengths = np.array([b.axes_lengths for b in scene.boxes], dtype=float).reshape(n, 3)
    rotations = np.array([b.rotation for b in scene.boxes], dtype=float).reshape(n, 3, 3)
    direction = rng.normal(size=(n, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    centroids = centroids + direction * rng.uniform(centroid_m[0], centroid_m[1], size=(n, 1))
    lengths = lengths * rng.uniform(1.0 - size_frac, 1.0 + size_frac, size=(n, 3))
    # corners (N, 8, 3): centroid + (unit corner * lengths) @ R, rows of R being the box axes
    corners = centroids[:, None, :] + np.einsum("nkj,nji->nki", CORNERS[None, :, :] * lengths[:, None, :], rotations)
    return centroids, lengths, corners.min(axis=1), corners.max(axis=1)


def jitter_scene(
    scene: Scene, seed: int, copy: int, *, centroid_m: tuple[float, float] = (0.03, 0.05), size_frac: float = 0.05,
    key: str | None = None,
) -> Scene:
    """Copy number `copy` of `scene` with every box jittered (deterministic per seed, copy and key)."""
    c, L, lo, hi = _jittered(scene, key or scene.scene_id, copy, seed, centroid_m, size_frac)
    boxes = tuple(
        dataclasses.replace(b, centroid=tuple(c[i].tolist()), axes_lengths=tuple(L[i].tolist()),
                            min=tuple(lo[i].tolist()), max=tuple(hi[i].tolist()))
        for i, b in enumerate(scene.boxes)
    )
    return dataclasses.replace(scene, boxes=boxes)

