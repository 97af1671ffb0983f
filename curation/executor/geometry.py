"""Oriented-box geometry shared by the sandbox helpers, the task modules and the VSI-Bench audit.

Pure numpy, importable without the sandbox. Coordinates are metres, +z up. A box is a
VSI-Bench box dict (`centroid` [3], `axesLengths` [3] full edge lengths, `normalizedAxes`
[9] row-major with rows = the box's unit axes) or any object with `centroid`,
`axes_lengths` and `rotation` attributes (`curation.scenes.Box`). A point q in box
coordinates maps to the world as `centroid + q @ axes` (= `centroid + R @ q` with
`R = axes.T`).

Two box distances:

- `sampled_box_distance`: VSI-Bench's label distance. Each box is sampled on a grid of
  `ceil(L_i / 0.05)` points per axis spanning [-L_i/2, L_i/2]; the inner points (every
  |coordinate| <= L_i/4) are dropped; the rest are rotated into the world and kept only if
  they pass the containment test |(p - c) . axis_i| <= L_i/2 evaluated in floating point
  (points on a face often fail it by rounding). The distance is the smallest
  point-to-point distance. It is never below the exact distance and sometimes 0.1-0.3 m
  above it (and > 0 for boxes that overlap, because the inner points are gone).
- `exact_box_distance`: the true closest-point distance between the two solid boxes
  (0 when they touch or overlap).

Category versions take lists of boxes and return the minimum over instance pairs.

Direction angles: standing at one point and facing another, the counter-clockwise angle
in the xy-plane (degrees, [0, 360)) from the facing vector to the vector toward a target.
"""

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from curation.constants import CHOICE_MARGIN_M, DIRECTION_MARGIN_DEG, MAX_CORNERS_OFF

SAMPLE_SPACING = 0.05  # m; VSI-Bench's grid step
BOUND_SLACK = 1e-9  # m; sampled points pass a float containment test, so they sit within ~1e-15 m of their box
PAIR_BLOCK = 1 << 20  # point pairs per chunk of the pairwise minimum (8 MB of float64)
BRUTE_FORCE_PAIRS = 1 << 16  # above this many candidate pairs a voxel hash beats the all-pairs minimum
MIN_CELL = 1e-3  # m; voxel-hash cells are never smaller (keeps cell keys inside int64 for any room)
SEED_POINTS = 8  # points of A nearest box B used to seed the upper bound of a pair's distance
SEED_REACH = 0.1  # m; the seeds are paired with B's points within this box around them (two grid steps)
LR_BINS = (0.0, 135.0, 225.0, 360.0)  # left | back | right


class Obb:
    """An oriented box as arrays: centroid (3,), lengths (3,) full edges, axes (3, 3) rows = unit axes."""

    __slots__ = ("centroid", "lengths", "axes", "key")

    def __init__(self, centroid: np.ndarray, lengths: np.ndarray, axes: np.ndarray):
        self.centroid, self.lengths, self.axes = centroid, lengths, axes
        self.key = (*centroid.tolist(), *lengths.tolist(), *axes.ravel().tolist())


def as_obb(box: Any) -> Obb:
    """Read a box dict (or an object with centroid/axes_lengths/rotation) into an `Obb`; ValueError names the field."""
    if isinstance(box, Obb):
        return box
    if isinstance(box, Mapping):
        fields = [box.get(k) for k in ("centroid", "axesLengths", "normalizedAxes")]
        names = ("centroid", "axesLengths", "normalizedAxes")
    else:
        fields = [getattr(box, k, None) for k in ("centroid", "axes_lengths", "rotation")]
        names = ("centroid", "axes_lengths", "rotation")
    arrays = []
    for name, value, size in zip(names, fields, (3, 3, 9), strict=True):
        if value is None:
            raise ValueError(f"box has no {name!r}")
        try:
            arr = np.asarray(value, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ValueError(f"box {name!r} must be {size} numbers, got {value!r:.80}") from None
        if arr.size != size or not np.isfinite(arr).all():
            raise ValueError(f"box {name!r} must be {size} finite numbers, got {value!r:.80}")
        arrays.append(arr)
    centroid, lengths, axes = arrays
    if (lengths <= 0).any():
        raise ValueError(f"box 'axesLengths' must be positive, got {lengths.tolist()}")
    return Obb(centroid, lengths, axes.reshape(3, 3))


def box_corners(box: Any) -> np.ndarray:
    """The 8 corners of a box, (8, 3) world coordinates; corner k has sign bits (k>>2, k>>1, k) & 1 per axis."""
    b = as_obb(box)
    signs = np.array([[(k >> 2) & 1, (k >> 1) & 1, k & 1] for k in range(8)], dtype=np.float64) * 2 - 1
    return b.centroid + (signs * (b.lengths / 2)) @ b.axes


# ---------------------------------------------------------------------------- sampling


def sample_box_points(box: Any, spacing: float = SAMPLE_SPACING) -> np.ndarray:
    """VSI-Bench's point sample of a box: (N, 3) world points, read-only (cached by box content).

    Grid of ceil(L_i/spacing) points per axis over [-L_i/2, L_i/2], inner points (all
    |q_i| <= L_i/4) dropped, rotated into the world, then filtered by the floating-point
    containment test. If no point survives, the grid is halved (as VSI-Bench does).
    """
    b = as_obb(box)
    return _sample_cached(b.key, float(spacing))


@lru_cache(maxsize=256)  # ~90 kB per typical box; bounded so warm workers stay small
def _sample_cached(key: tuple[float, ...], spacing: float) -> np.ndarray:
    centroid = np.array(key[0:3])
    lengths = np.array(key[3:6])
    axes = np.array(key[6:15]).reshape(3, 3)
    for _ in range(8):
        points = _sample_grid(centroid, lengths, axes, spacing)
        if len(points):
            break
        spacing /= 2
    else:  # a box so thin that no grid point passes the float test: keep its centre
        points = centroid[None, :].copy()
    points.setflags(write=False)
    return points


def _sample_grid(centroid: np.ndarray, lengths: np.ndarray, axes: np.ndarray, spacing: float) -> np.ndarray:
    counts = np.ceil(lengths / spacing).astype(int)
    ticks = [np.linspace(-length / 2, length / 2, n) for length, n in zip(lengths, counts, strict=True)]
    grid = np.stack([g.ravel() for g in np.meshgrid(*ticks, indexing="ij")], axis=1)
    grid = grid[np.any(np.abs(grid) > lengths / 4, axis=1)]
    # Same float operations as the reference generator: a (N,3)x(3,3) product with R.T, then
    # the centroid added; the containment test is a left-to-right 3-term dot per axis.
    rotation = np.ascontiguousarray(axes.T)
    points = np.dot(grid, rotation.T)
    points += centroid
    offset = points - centroid
    keep = np.ones(len(points), dtype=bool)
    for i in range(3):
        a = axes[i]
        proj = offset[:, 0] * a[0] + offset[:, 1] * a[1] + offset[:, 2] * a[2]
        keep &= np.abs(proj) <= lengths[i] / 2
    return points[keep]


# ---------------------------------------------------------------------------- distances


def point_box_distance(points: np.ndarray, box: Any) -> np.ndarray:
    """Distance (m) from each of `points` (N, 3) to the solid box (0 inside), shape (N,)."""
    b = as_obb(box)
    local = (np.asarray(points, dtype=np.float64) - b.centroid) @ b.axes.T
    excess = np.maximum(np.abs(local) - b.lengths / 2, 0.0)
    return np.sqrt((excess * excess).sum(axis=1))


def _edges(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 12 edges of a box from its `box_corners`: start (12, 3), end (12, 3)."""
    pairs = [(k, k | bit) for k in range(8) for bit in (1, 2, 4) if not k & bit]
    idx = np.array(pairs)
    return corners[idx[:, 0]], corners[idx[:, 1]]


def _segment_distances(p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray) -> np.ndarray:
    """Closest distance between segments p1-q1 and p2-q2, broadcast over leading axes (non-degenerate segments)."""
    d1, d2, r = q1 - p1, q2 - p2, p1 - p2
    a = (d1 * d1).sum(-1)
    e = (d2 * d2).sum(-1)
    b = (d1 * d2).sum(-1)
    c = (d1 * r).sum(-1)
    f = (d2 * r).sum(-1)
    denom = a * e - b * b
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(denom > 1e-12 * a * e, np.clip((b * f - c * e) / denom, 0.0, 1.0), 0.0)
        t = (b * s + f) / e
        s = np.where(t < 0, np.clip(-c / a, 0.0, 1.0), np.where(t > 1, np.clip((b - c) / a, 0.0, 1.0), s))
    t = np.clip(t, 0.0, 1.0)
    gap = (p1 + s[..., None] * d1) - (p2 + t[..., None] * d2)
    return np.sqrt((gap * gap).sum(-1))


def boxes_overlap(box_a: Any, box_b: Any) -> bool:
    """Whether two solid oriented boxes touch or overlap (separating-axis test over 15 axes)."""
    a, b = as_obb(box_a), as_obb(box_b)
    candidates = [*a.axes, *b.axes]
    for u in a.axes:
        for v in b.axes:
            n = np.cross(u, v)
            if n @ n > 1e-12:  # parallel edges add no new axis
                candidates.append(n / math.sqrt(n @ n))
    gap = b.centroid - a.centroid
    for n in candidates:
        ra = (np.abs(a.axes @ n) * a.lengths).sum() / 2
        rb = (np.abs(b.axes @ n) * b.lengths).sum() / 2
        if abs(gap @ n) > ra + rb:
            return False
    return True


def exact_box_distance(box_a: Any, box_b: Any) -> float:
    """The true closest-point distance (m) between two solid oriented boxes; 0 when they touch or overlap.

    For disjoint convex boxes the closest pair is vertex-face, vertex-edge, vertex-vertex
    (all covered by corner-to-box distances both ways) or edge-edge (12 x 12 segments).
    """
    a, b = as_obb(box_a), as_obb(box_b)
    if boxes_overlap(a, b):
        return 0.0
    ca, cb = box_corners(a), box_corners(b)
    best = min(point_box_distance(ca, b).min(), point_box_distance(cb, a).min())
    sa, ea = _edges(ca)
    sb, eb = _edges(cb)
    edge = _segment_distances(sa[:, None], ea[:, None], sb[None], eb[None]).min()
    return float(min(best, edge))


def _pairwise_min(pa: np.ndarray, pb: np.ndarray) -> float:
    """Smallest Euclidean distance between two point sets (chunked; exact differences, no norm expansion)."""
    if len(pa) > len(pb):
        pa, pb = pb, pa
    rows = max(1, PAIR_BLOCK // max(1, len(pb)))
    bx, by, bz = pb[:, 0], pb[:, 1], pb[:, 2]
    best = math.inf
    for start in range(0, len(pa), rows):
        chunk = pa[start : start + rows]
        dx = chunk[:, 0:1] - bx
        d2 = dx * dx
        dy = chunk[:, 1:2] - by
        d2 += dy * dy
        dz = chunk[:, 2:3] - bz
        d2 += dz * dz
        best = min(best, float(d2.min()))
    return math.sqrt(best)


def _sampled_pair(a: Obb, pa: np.ndarray, b: Obb, pb: np.ndarray, bound: float) -> float:
    """min |p - q| over the two samples, or `bound` if nothing is smaller; pruned, same value as brute force.

    Every sampled point lies inside its own box, so |p - q| >= dist(p, box b): only points of
    A within the current upper bound of box B (and vice versa) can take part in a closer pair.
    """
    da = point_box_distance(pa, b)
    db = point_box_distance(pb, a)
    if min(da.min(), db.min()) > bound + BOUND_SLACK:
        return bound
    seeds = pa[np.argsort(da, kind="stable")[:SEED_POINTS]]
    # An upper bound from real pairs: the seeds against the points of B around them (all of B if none).
    around = np.all((pb >= seeds.min(axis=0) - SEED_REACH) & (pb <= seeds.max(axis=0) + SEED_REACH), axis=1)
    upper = min(bound, _pairwise_min(seeds, pb[around] if around.any() else pb))
    near_a = pa[da <= upper + BOUND_SLACK]
    near_b = pb[db <= upper + BOUND_SLACK]
    if len(near_a) == 0 or len(near_b) == 0 or upper == 0:
        return upper
    if len(near_a) * len(near_b) <= BRUTE_FORCE_PAIRS:
        return min(upper, _pairwise_min(near_a, near_b))
    return min(upper, _grid_min(near_a, near_b, upper))  # overlapping big boxes: thousands of near points each


_NEIGHBOUR_CELLS = np.array([(x, y, z) for x in (-1, 0, 1) for y in (-1, 0, 1) for z in (-1, 0, 1)])


def _grid_min(pa: np.ndarray, pb: np.ndarray, radius: float) -> float:
    """Smallest distance among point pairs closer than `radius` (inf if none), via a voxel hash of `pb`.

    Cells are at least `radius` wide, so such pairs sit in the same or adjacent cells; each
    pair's distance is computed with the same float operations as `_pairwise_min`.
    """
    cell = max(radius * 1.001, MIN_CELL)
    origin = np.minimum(pa.min(axis=0), pb.min(axis=0))
    ka = np.floor((pa - origin) / cell).astype(np.int64) + 1  # +1: the -1 neighbour stays >= 0
    kb = np.floor((pb - origin) / cell).astype(np.int64) + 1
    dims = np.maximum(ka.max(axis=0), kb.max(axis=0)) + 2
    stride = np.array([dims[1] * dims[2], dims[2], 1])
    keys_b = kb @ stride
    order = np.argsort(keys_b, kind="stable")
    keys_b, pb = keys_b[order], pb[order]
    best = math.inf
    for offset in _NEIGHBOUR_CELLS:
        keys_a = (ka + offset) @ stride
        lo = np.searchsorted(keys_b, keys_a, side="left")
        counts = np.searchsorted(keys_b, keys_a, side="right") - lo
        total = int(counts.sum())
        if total == 0:
            continue
        a_idx = np.repeat(np.arange(len(pa)), counts)
        run_start = np.repeat(np.cumsum(counts) - counts, counts)  # where each a's run begins in the pair list
        b_idx = np.repeat(lo, counts) + (np.arange(total) - run_start)
        d = pa[a_idx] - pb[b_idx]
        d2 = d[:, 0] * d[:, 0]
        d2 += d[:, 1] * d[:, 1]
        d2 += d[:, 2] * d[:, 2]
        best = min(best, float(d2.min()))
    return math.sqrt(best)


def naive_sampled_box_distance(box_a: Any, box_b: Any) -> float:
    """The sampled distance by brute force over all point pairs (reference for tests and the benchmark)."""
    return _pairwise_min(sample_box_points(box_a), sample_box_points(box_b))


def sampled_box_distance(box_a: Any, box_b: Any) -> float:
    """VSI-Bench's point-sampled distance (m) between two boxes (see the module docstring)."""
    a, b = as_obb(box_a), as_obb(box_b)
    return float(
        _sampled_pair(a, _sample_cached(a.key, SAMPLE_SPACING), b, _sample_cached(b.key, SAMPLE_SPACING), math.inf)
    )


def _instances(boxes: Sequence[Any], which: str) -> list[Obb]:
    if isinstance(boxes, Mapping) or not isinstance(boxes, Sequence) or isinstance(boxes, str):
        raise ValueError(f"{which} must be a list of boxes, got {type(boxes).__name__}")
    if not boxes:
        raise ValueError(f"{which} has no boxes (is the category absent from the scene?)")
    return [as_obb(box) for box in boxes]


def sampled_category_distance(boxes_a: Sequence[Any], boxes_b: Sequence[Any]) -> float:
    """Smallest VSI-Bench sampled distance (m) over all instance pairs of two box lists.

    Pairs are visited by a bounding-sphere lower bound and skipped once that bound exceeds
    the best distance so far; ValueError if either list is empty.
    """
    a_list, b_list = _instances(boxes_a, "the first box list"), _instances(boxes_b, "the second box list")
    pairs = []
    for a in a_list:
        for b in b_list:
            reach = (np.linalg.norm(a.lengths) + np.linalg.norm(b.lengths)) / 2
            pairs.append((float(np.linalg.norm(a.centroid - b.centroid) - reach), a, b))
    pairs.sort(key=lambda p: p[0])
    best = math.inf
    for lower, a, b in pairs:
        if lower > best + BOUND_SLACK:
            break
        pa, pb = _sample_cached(a.key, SAMPLE_SPACING), _sample_cached(b.key, SAMPLE_SPACING)
        best = _sampled_pair(a, pa, b, pb, best)
    return float(best)


def exact_category_distance(boxes_a: Sequence[Any], boxes_b: Sequence[Any]) -> float:
    """Smallest exact closest-point distance (m) over all instance pairs; ValueError if either list is empty."""
    a_list, b_list = _instances(boxes_a, "the first box list"), _instances(boxes_b, "the second box list")
    return min(exact_box_distance(a, b) for a in a_list for b in b_list)


# ---------------------------------------------------------------------------- directions


def direction_angles(standing: Any, facing: Any, query_box: Any) -> np.ndarray:
    """CCW angles (degrees, [0, 360)) of the query box's centroid then its 8 corners, shape (9,).

    Standing at `standing` ([3]) and facing `facing` ([3]) in the xy-plane (z ignored).
    NaN where a direction is undefined (facing point = standing point, or a target on it).
    """
    origin = np.asarray(standing, dtype=np.float64)[:2]
    ahead = np.asarray(facing, dtype=np.float64)[:2] - origin
    q = as_obb(query_box)
    targets = np.vstack([q.centroid, box_corners(q)])[:, :2] - origin
    cross = ahead[0] * targets[:, 1] - ahead[1] * targets[:, 0]
    dot = targets @ ahead
    angles = np.degrees(np.arctan2(cross, dot)) % 360.0
    angles = np.where(angles >= 360.0, angles - 360.0, angles)  # -tiny % 360 rounds to 360
    undefined = (ahead @ ahead == 0) | ((targets * targets).sum(axis=1) == 0)
    return np.where(undefined, np.nan, angles)


def _corners_off(bins: np.ndarray) -> int:
    return int((bins[1:] != bins[0]).sum())


def quadrant_direction(angles: np.ndarray) -> str:
    """front-left [0,90) | back-left [90,180) | back-right [180,270) | front-right [270,360) | ambiguous.

    Ambiguous when the centroid angle is NaN, less than 10 degrees below the next multiple of
    90, or more than 2 of the 8 corners fall in another quadrant than the centroid.
    """
    angles = np.asarray(angles, dtype=np.float64)
    if np.isnan(angles).any():
        return "ambiguous"
    quadrants = angles // 90
    if _corners_off(quadrants) > MAX_CORNERS_OFF or 90 - angles[0] % 90 < DIRECTION_MARGIN_DEG:
        return "ambiguous"
    return ("front-left", "back-left", "back-right", "front-right")[int(quadrants[0])]


def _lr_bin(angles: np.ndarray) -> int | None:
    """1 left [0,135) | 2 back [135,225) | 3 right [225,360), or None when ambiguous."""
    angles = np.asarray(angles, dtype=np.float64)
    if np.isnan(angles).any():
        return None
    bins = np.digitize(angles, LR_BINS)
    if _corners_off(bins) > MAX_CORNERS_OFF:
        return None
    if np.abs(angles[0] - np.array(LR_BINS)).min() < DIRECTION_MARGIN_DEG:
        return None
    return int(bins[0])


def lr_direction(angles: np.ndarray) -> str:
    """left | right | ambiguous (the back bin [135,225), angles within 10 degrees of 0/135/225/360, corners off)."""
    return {1: "left", 3: "right"}.get(_lr_bin(angles), "ambiguous")


def lrb_direction(angles: np.ndarray) -> str:
    """left | back | right | ambiguous, same bins and ambiguity rule as `lr_direction`."""
    return {1: "left", 2: "back", 3: "right"}.get(_lr_bin(angles), "ambiguous")


def closest_choice(distances: Mapping[str, float], margin: float = CHOICE_MARGIN_M) -> str:
    """The key with the smallest distance, or "ambiguous" (< 2 choices, min < margin, any two within margin)."""
    names, values = list(distances), [float(v) for v in distances.values()]
    if len(values) < 2 or min(values) < margin:
        return "ambiguous"
    ordered = sorted(values)
    if any(hi - lo <= margin for lo, hi in zip(ordered, ordered[1:], strict=False)):
        return "ambiguous"
    return names[values.index(min(values))]
