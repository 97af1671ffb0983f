"""A numpy renderer for box scenes: floor, walls, ceiling and every oriented box.

Each pixel casts the ray of its centre (OpenCV pinhole, see curation.camera) and keeps
the nearest hit, so depth testing is exact and nothing needs clipping. Per box, only
the pixels inside the screen rectangle of its projected corners are tested (the
whole image when a box straddles the camera plane); the test is the slab method in
the box's own frame, for all those pixels at once. The room shell
(curation.room) is hit from inside.

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

from curation.camera import CameraPath, Intrinsics
from curation.room import RoomShell, room_shell
from curation.scenes import Scene

NEAR = 0.05  # m: nothing closer to the camera than this is drawn
LIGHT = np.array([0.35, 0.55, 1.0]) / np.linalg.norm([0.35, 0.55, 1.0])  # towards the light, world
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
    return AMBIENT + (1 - AMBIENT) * np.clip(normals @ LIGHT, 0, None)


def _geometry(scene: Scene) -> _Geometry:
    n = len(scene.boxes)
    centre = np.array([b.centroid for b in scene.boxes], dtype=float).reshape(n, 3)
    axes = np.array([b.R for b in scene.boxes], dtype=float).reshape(n, 3, 3)
    half = np.array([b.axes_lengths for b in scene.boxes], dtype=float).reshape(n, 3) / 2
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], dtype=float)
    corners = centre[:, None] + np.einsum("cj,nj,njk->nck", signs, half, axes)
    normals = np.concatenate([-axes, axes], axis=1)[:, [0, 3, 1, 4, 2, 5]]  # (n, 6, 3)
    colour = np.array([category_colour(b.category) for b in scene.boxes]).reshape(n, 1, 3)
    face_rgb = colour * _shade(normals)[..., None]
    return _Geometry(centre, axes, half, corners, face_rgb, colour[:, 0] * 0.45, room_shell(scene))


@lru_cache(maxsize=8)
def _camera_rays(width: int, height: int, fx: float, fy: float, cx: float, cy: float) -> np.ndarray:
    """(H, W, 3) camera-frame rays through pixel centres, z = 1 (so ray t = z-depth)."""
    u = (np.arange(width) + 0.5 - cx) / fx
    v = (np.arange(height) + 0.5 - cy) / fy
    rays = np.ones((height, width, 3))
    rays[..., 0], rays[..., 1] = u[None, :], v[:, None]
    rays.setflags(write=False)
    return rays


def _room(shell: RoomShell, origin: np.ndarray, rays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Depth of the shell seen from inside and the colour there, for (H, W, 3) world rays."""
    lo, hi = np.asarray(shell.lo), np.asarray(shell.hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_axis = np.where(rays > 0, (hi - origin) / rays, (lo - origin) / rays)
    t_axis = np.where(np.isfinite(t_axis) & (t_axis > 0), t_axis, np.inf)
    axis = np.argmin(t_axis, axis=-1)
    t = np.take_along_axis(t_axis, axis[..., None], axis=-1)[..., 0]
    point = origin + rays * t[..., None]
    rgb = np.empty(rays.shape)
    rgb[:] = WALL_RGB
    on_x, on_y, on_z = axis == 0, axis == 1, axis == 2
    # Four walls, four fixed brightnesses, so corners read clearly: x0, x1, y0, y1.
    rgb[on_x] *= np.where(rays[on_x, 0:1] < 0, WALL_SHADE[0], WALL_SHADE[1])
    rgb[on_y] *= np.where(rays[on_y, 1:2] < 0, WALL_SHADE[2], WALL_SHADE[3])
    floor = on_z & (rays[..., 2] < 0)
    checker = (np.floor(point[floor, 0] / TILE) + np.floor(point[floor, 1] / TILE)) % 2
    rgb[floor] = np.asarray(FLOOR_RGB) * (0.92 + 0.08 * checker)[:, None]
    rgb[on_z & ~floor] = CEILING_RGB
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
    cam_rays = _camera_rays(intr.width, intr.height, intr.fx, intr.fy, intr.cx, intr.cy)
    depth, rgb = _room(geo.shell, origin, cam_rays @ rot.T)
    instance = np.full(depth.shape, -1, dtype=np.int32)
    corners_cam = (geo.corners - origin) @ rot  # (n, 8, 3): world -> camera is R^T (p - o)
    for j in range(len(geo.centre)):
        rect = _screen_rect(corners_cam[j], intr)
        if rect is None:
            continue
        r0, r1, c0, c1 = rect
        to_box = geo.axes[j] @ rot  # camera-frame ray -> box-frame ray
        d = cam_rays[r0:r1, c0:c1] @ to_box.T  # (h, w, 3)
        o = geo.axes[j] @ (origin - geo.centre[j])
        h = geo.half[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = 1.0 / d
            t_lo, t_hi = (-h - o) * inv, (h - o) * inv
        t_in = np.minimum(t_lo, t_hi)
        t_out = np.maximum(t_lo, t_hi).min(axis=-1)
        entry_axis = np.nan_to_num(t_in, nan=-np.inf).argmax(axis=-1)
        t = np.take_along_axis(t_in, entry_axis[..., None], axis=-1)[..., 0]
        window = depth[r0:r1, c0:c1]
        hit = (t <= t_out) & (t > NEAR) & (t < window)
        if not hit.any():
            continue
        # Face index 2 * axis + (1 if the ray enters through the + side, i.e. d < 0).
        axis_hit = entry_axis[hit]
        d_hit = d[hit]
        side = (np.take_along_axis(d_hit, axis_hit[:, None], axis=1)[:, 0] < 0).astype(int)
        colour = geo.face_rgb[j, 2 * axis_hit + side]
        # Darken pixels whose hit point is within EDGE of an edge of the face.
        q = o + d_hit * t[hit][:, None]
        near_edge = (np.abs(q) > h - EDGE)
        near_edge[np.arange(len(q)), axis_hit] = False
        colour[near_edge.any(axis=1)] = geo.edge_rgb[j]
        window[hit] = t[hit]
        instance[r0:r1, c0:c1][hit] = j
        rgb[r0:r1, c0:c1][hit] = colour
    rgb *= np.clip(1.0 - 0.015 * depth, 0.7, 1.0)[..., None]  # a little depth cue
    return Rendered(
        rgb=(np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8),
        depth=depth.astype(np.float32),
        instance=instance,
    )


def render_frame(scene: Scene, pose: np.ndarray, intrinsics: Intrinsics) -> Rendered:
    """Render one view: `pose` is a 4x4 camera-to-world matrix (OpenCV axes)."""
    return _render(_geometry(scene), np.asarray(pose, dtype=float), intrinsics)


def render_path(scene: Scene, path: CameraPath) -> list[Rendered]:
    """Render every pose of a camera path (the scene's arrays are built once)."""
    geo = _geometry(scene)
    return [_render(geo, pose, path.intrinsics) for pose in path.poses]
