"""Cheap geometry for difficulty knobs (never for ground truth: that comes from the sandbox).

Coordinates are metres, +z up. Directions follow the program API: standing at A and
facing B, the angle to C is measured counter-clockwise in the xy-plane, in [0, 360).
"""

import math

import numpy as np

from curation.scenes.metadata import Box


def centroid(box: Box) -> np.ndarray:
    return np.asarray(box.centroid, dtype=float)


def aabb_gap(a: Box, b: Box) -> float:
    """Distance between the axis-aligned bounds of two boxes, m (0 when they overlap).

    A lower bound of the oriented-box distance, close enough to rank difficulty.
    """
    lo = np.maximum(np.asarray(a.min) - np.asarray(b.max), np.asarray(b.min) - np.asarray(a.max))
    return float(np.linalg.norm(np.maximum(lo, 0.0)))


def category_gap(a: list[Box], b: list[Box]) -> float:
    """Smallest `aabb_gap` over instance pairs of two categories, m."""
    return min(aabb_gap(x, y) for x in a for y in b)


def ccw_angle(standing: Box, facing: Box, query: Box) -> float:
    """Counter-clockwise angle, degrees in [0, 360), from the facing vector to the query."""
    s, f, q = centroid(standing), centroid(facing), centroid(query)
    fx, fy = f[0] - s[0], f[1] - s[1]
    qx, qy = q[0] - s[0], q[1] - s[1]
    angle = math.degrees(math.atan2(fx * qy - fy * qx, fx * qx + fy * qy))
    return angle % 360.0


def boundary_margin(angle: float, boundaries: tuple[float, ...]) -> float:
    """Degrees from `angle` to the nearest bin boundary (0 and 360 are the same edge)."""
    return min(min(abs(angle - b), 360.0 - abs(angle - b)) for b in boundaries)
