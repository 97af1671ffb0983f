"""A numpy renderer for box scenes: floor, walls, ceiling and every oriented box.

Its products go through curation.scenes.portable_math, not BLAS, so a scene renders to the
same PNG bytes on every x86-64 CPU (tests/ouroboros/test_reproducible.py).

Each pixel casts the ray of its centre (OpenCV pinhole, see curation.scenes.camera) and keeps
the nearest hit, so depth testing is exact and nothing needs clipping. Per box, only
the pixels inside the screen rectangle of its projected corners are tested (the
whole image when a box straddles the camera plane); the test is the slab method in
the box's own frame, for all those pixels at once. The room shell
(curation.scenes.room) is hit from inside.

Outputs, for an image of H x W pixels:
  rgb       (H, W, 3) uint8: a fixed colour per category (from its name), Lambert
            shading from one directional light, darker box edges, a 0.5 m floor checker
  depth     (H, W) float32: z-depth in metres along the camera's +z (not ray length)
  instance  (H, W) int32: index into `scene.boxes` of the visible box, -1 for floor,
            walls and ceiling
"""

import colorsys
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from curation.scenes.camera import CameraPath, Intrinsics
from curation.scenes.metadata import Scene
from curation.scenes.portable_math import matmul, norm
from curation.scenes.room import RoomShell, room_shell

NEAR = 0.05  # m: nothing closer to the camera than this is drawn
LIGHT = np.array([0.35, 0.55, 1.0]) / norm(np.array([0.35, 0.55, 1.0]))  # towards the light, world
AMBIENT = 0.45
EDGE = 0.015  # m: width of the darkened band along box edges
TILE = 0.5  # m: floor checker size
WALL_SHADE = (0.95, 0.80, 0.88, 0.72)  # walls at x0, x1, y0, y1
FLOOR_RGB, WALL_RGB, CEILING_RGB = (0.62, 0.55, 0.47), (0.86, 0.85, 0.80), (0.93, 0.93, 0.93)


def category_colour(category: str) -> tuple[float, float, float]:
    """A fixed RGB in [0, 1] for a category name: the same in every run and process."""
    digest = hashlib.sha256(category.encode("utf-8")).digest()
    hue = digest[0] / 256
    sat = 0.45 + 0.4 * digest[1] / 255
    val = 0.55 + 0.35 * digest[2] / 255
    return colorsys.hsv_to_rgb(hue, sat, val)


@dataclass(frozen=True)
class Rendered:
    rgb: np.ndarray  # (H, W, 3) uint8
    depth: np.ndarray  # (H, W) float32, metres
    instance: np.ndarray  # (H, W) int32, index into scene.boxes or -1


@dataclass(frozen=True)
class _Geometry:
    """A scene's boxes as arrays, computed once per scene and reused for every frame."""

    centre: np.ndarray  # (n, 3)
    axes: np.ndarray  # (n, 3, 3) rows = unit axes
    half: np.ndarray  # (n, 3) half edge lengths
    corners: np.ndarray  # (n, 8, 3) world
    face_rgb: np.ndarray  # (n, 6, 3) shaded colour of faces -x, +x, -y, +y, -z, +z
    edge_rgb: np.ndarray  # (n, 3)
    shell: RoomShell


def _shade(normals: np.ndarray) -> np.ndarray:
    return AMBIENT + (1 - AMBIENT) * np.clip(matmul(normals, LIGHT), 0, None)


def _geometry(scene: Scene) -> _Geometry:
    n = len(scene.boxes)
    centre = np.array([b.centroid for b in scene.boxes], dtype=float).reshape(n, 3)
    axes = np.array([b.R for b in scene.boxes], dtype=float).reshape(n, 3, 3)
    half = np.array([b.axes_lengths for b in scene.boxes], dtype=float).reshape(n, 3) / 2
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], dtype=float)
    corners = centre[:, None] + matmul(signs[None] * half[:, None], axes[:, None])  # (n, 8, 3)
    normals = np.concatenate([-axes, axes], axis=1)[:, [0, 3, 1, 4, 2, 5]]  # (n, 6, 3)
    colour = np.array([category_colour(b.category) for b in scene.boxes]).reshape(n, 1, 3)
    face_rgb = colour * _shade(normals)[..., None]
    return _Geometry(centre, axes, half, corners, face_rgb, colour[:, 0] * 0.45, room_shell(scene))


@lru_cache(maxsize=8)
def _pixel_grid(width: int, height: int, fx: float, fy: float, cx: float, cy: float) -> tuple[np.ndarray, np.ndarray]:
    """(U, V), each (H, W) float32: the camera-frame ray through a pixel centre is (U, V, 1),
    so a ray parameter t is the hit's z-depth."""
    u = ((np.arange(width) + 0.5 - cx) / fx).astype(np.float32)
    v = ((np.arange(height) + 0.5 - cy) / fy).astype(np.float32)
    grid_u, grid_v = np.broadcast_to(u[None, :], (height, width)), np.broadcast_to(v[:, None], (height, width))
    return np.ascontiguousarray(grid_u), np.ascontiguousarray(grid_v)


def _rays(rot: np.ndarray, u: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    """The three components of rays (U, V, 1) turned by the 3x3 `rot`, each shaped like U."""
    rot = rot.astype(np.float32)
    return [rot[k, 0] * u + rot[k, 1] * v + rot[k, 2] for k in range(3)]


def _room(shell: RoomShell, origin: np.ndarray, rays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Depth (H, W) of the shell seen from inside, and its colour (H, W, 3), for world rays."""
    t = np.full(rays[0].shape, np.inf, dtype=np.float32)
    surface = np.zeros(t.shape, dtype=np.int8)  # 0/1 walls x0/x1, 2/3 walls y0/y1, 4 floor, 5 ceiling
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(3):
            r = rays[k]
            positive = r > 0
            t_k = np.where(positive, np.float32(shell.hi[k] - origin[k]), np.float32(shell.lo[k] - origin[k])) / r
            closer = (t_k > 0) & (t_k < t)
            t[closer] = t_k[closer]
            surface[closer] = 2 * k + positive[closer]
    palette = np.array(
        [np.multiply(WALL_RGB, s) for s in WALL_SHADE] + [FLOOR_RGB, CEILING_RGB], dtype=np.float32
    )
    rgb = palette[surface]
    floor = surface == 4
    if floor.any():
        x = origin[0] + rays[0][floor] * t[floor]
        y = origin[1] + rays[1][floor] * t[floor]
        checker = (np.floor(x / TILE) + np.floor(y / TILE)) % 2
        rgb[floor] *= (0.92 + 0.08 * checker)[:, None]
    return t, rgb


def _screen_rect(corners_cam: np.ndarray, intr: Intrinsics) -> tuple[int, int, int, int] | None:
    """(row0, row1, col0, col1) pixel rectangle covering a box, None if it is off screen."""
    z = corners_cam[:, 2]
    if (z <= NEAR).all():
        return None
    if (z <= NEAR).any():  # straddles the camera plane: its projection is unbounded
        return 0, intr.height, 0, intr.width
    u = corners_cam[:, 0] / z * intr.fx + intr.cx
    v = corners_cam[:, 1] / z * intr.fy + intr.cy
    c0, c1 = max(int(np.floor(u.min() - 0.5)), 0), min(int(np.ceil(u.max() + 0.5)), intr.width)
    r0, r1 = max(int(np.floor(v.min() - 0.5)), 0), min(int(np.ceil(v.max() + 0.5)), intr.height)
    if c0 >= c1 or r0 >= r1:
        return None
    return r0, r1, c0, c1


def _render(geo: _Geometry, pose: np.ndarray, intr: Intrinsics) -> Rendered:
    rot, origin = pose[:3, :3], pose[:3, 3]
    grid_u, grid_v = _pixel_grid(intr.width, intr.height, intr.fx, intr.fy, intr.cx, intr.cy)
    depth, rgb = _room(geo.shell, origin, _rays(rot, grid_u, grid_v))
    instance = np.full(depth.shape, -1, dtype=np.int32)
    corners_cam = matmul(geo.corners - origin, rot)  # (n, 8, 3): world -> camera is R^T (p - o)
    for j in range(len(geo.centre)):
        rect = _screen_rect(corners_cam[j], intr)
        if rect is None:
            continue
        r0, r1, c0, c1 = rect
        # Slab test in the box's frame, one axis at a time on (h, w) float32 arrays.
        d = _rays(matmul(geo.axes[j], rot), grid_u[r0:r1, c0:c1], grid_v[r0:r1, c0:c1])
        o = matmul(geo.axes[j], origin - geo.centre[j])
        h = geo.half[j]
        t_in = t_out = None
        with np.errstate(divide="ignore", invalid="ignore"):
            for k in range(3):
                inv = 1.0 / d[k]
                a, b = np.float32(-h[k] - o[k]) * inv, np.float32(h[k] - o[k]) * inv
                lo, hi = np.minimum(a, b), np.maximum(a, b)
                t_in = lo if t_in is None else np.maximum(t_in, lo)
                t_out = hi if t_out is None else np.minimum(t_out, hi)
        window = depth[r0:r1, c0:c1]
        hit = (t_in <= t_out) & (t_in > NEAR) & (t_in < window)
        if not hit.any():
            continue
        t = t_in[hit]
        q = np.stack([o[k] + d[k][hit] * t for k in range(3)], axis=1)  # hit points, box frame
        # The entry face is the one the point lies on: largest |q| relative to the half size.
        axis = np.argmax(np.abs(q) / h, axis=1)
        side = (q[np.arange(len(q)), axis] > 0).astype(np.intp)
        colour = geo.face_rgb[j, 2 * axis + side]
        near_edge = np.abs(q) > h - EDGE  # within EDGE of an edge of the face it lies on
        near_edge[np.arange(len(q)), axis] = False
        colour[near_edge.any(axis=1)] = geo.edge_rgb[j]
        window[hit] = t
        instance[r0:r1, c0:c1][hit] = j
        rgb[r0:r1, c0:c1][hit] = colour
    rgb *= np.clip(1.0 - 0.015 * depth, 0.7, 1.0)[..., None]  # a little depth cue
    return Rendered(rgb=(np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8), depth=depth, instance=instance)


def render_frame(scene: Scene, pose: np.ndarray, intrinsics: Intrinsics) -> Rendered:
    """Render one view: `pose` is a 4x4 camera-to-world matrix (OpenCV axes)."""
    return _render(_geometry(scene), np.asarray(pose, dtype=float), intrinsics)


def render_path(scene: Scene, path: CameraPath) -> list[Rendered]:
    """Render every pose of a camera path (the scene's arrays are built once)."""
    geo = _geometry(scene)
    return [_render(geo, pose, path.intrinsics) for pose in path.poses]
