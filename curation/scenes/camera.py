"""Camera paths that look like a person filming a room, and pinhole intrinsics.

Poses are 4x4 camera-to-world matrices in the OpenCV convention (store.schema.FRAMES):
the camera looks along its +z, x points right and y down in the image; world is +z up.
A pixel (u, v) (column, row; pixel centres at +0.5) sees the camera-frame ray
((u - cx) / fx, (v - cy) / fy, 1).

The walk: free floor cells (a grid of GRID m) keep CLEARANCE from every box that
reaches between the floor and eye height and WALL_CLEARANCE from the walls; a few
waypoints spread over the largest free region are visited along shortest grid paths,
smoothed and resampled to one position per frame at eye height (EYE_HEIGHT above the
floor, bobbing slightly). The view sweeps one full circle over the video; at each frame
it may turn up to LEAN degrees off the sweep towards more objects and open space, but
never straight into a wall or tall box closer than TOO_CLOSE, and it tilts down by
PITCH like a phone held at chest height looking at furniture.
"""

import math
from dataclasses import dataclass

import numpy as np

from curation.errors import KnobError
from curation.scenes.metadata import Scene
from curation.scenes.portable_math import inner, matmul, norm
from curation.scenes.room import RoomShell, room_shell

GRID = 0.1  # m per free-space cell
CLEARANCE = 0.35  # m from a box's footprint to the walker's path
WALL_CLEARANCE = 0.4  # m from the walls
EYE_HEIGHT = (1.4, 1.6)  # m above the floor, drawn once per walk
BOB = 0.02  # m of vertical head bob
PITCH = (-22.0, -10.0)  # degrees below the horizon, drawn per frame
HFOV = 70.0  # degrees, horizontal field of view (a phone's main camera)
N_WAYPOINTS = 4
LEAN = 90.0  # degrees the view may turn away from the sweep, towards things and open space
VIEW_RANGE = 4.0  # m of open space in front that still improves a view
TOO_CLOSE = 1.0  # m: a wall or tall box nearer than this in the view's centre fills the frame
SWEEP_PULL = 0.02  # score per degree away from the sweep: 45 degrees outweigh one more object in view


@dataclass(frozen=True)
class Intrinsics:
    width: int  # px
    height: int  # px
    fx: float  # px
    fy: float  # px
    cx: float  # px
    cy: float  # px

    def as_list(self) -> list[float]:
        """(fx, fy, cx, cy), the FRAMES `intrinsics` column."""
        return [self.fx, self.fy, self.cx, self.cy]

    @property
    def K(self) -> np.ndarray:
        return np.array([[self.fx, 0, self.cx], [0, self.fy, self.cy], [0, 0, 1.0]])


def pinhole(width: int, height: int, hfov_deg: float = HFOV) -> Intrinsics:
    """Square pixels, principal point at the image centre."""
    f = width / 2 / math.tan(math.radians(hfov_deg) / 2)
    return Intrinsics(width, height, f, f, width / 2, height / 2)


@dataclass(frozen=True)
class CameraPath:
    intrinsics: Intrinsics
    poses: np.ndarray  # (n, 4, 4) camera-to-world, OpenCV axes

    def __len__(self) -> int:
        return len(self.poses)


def look_pose(position: np.ndarray, yaw: float, pitch: float) -> np.ndarray:
    """Camera-to-world 4x4 for a camera at `position` heading `yaw` (rad, from +x towards
    +y) and tilted `pitch` (rad, negative looks down), with no roll."""
    forward = np.array([math.cos(yaw) * math.cos(pitch), math.sin(yaw) * math.cos(pitch), math.sin(pitch)])
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= norm(right)
    down = np.cross(forward, right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, down, forward, position
    return pose


def _footprint_hull(box) -> np.ndarray:
    """(k, 2) convex hull (counter-clockwise) of a box's 8 corners projected on the floor."""
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], dtype=float)
    corners = np.asarray(box.centroid) + matmul(signs * np.asarray(box.axes_lengths) / 2, np.asarray(box.R))
    pts = sorted({(round(x, 9), round(y, 9)) for x, y in corners[:, :2]})
    if len(pts) < 3:
        return np.array(pts)

    def turn(o, a, b) -> float:  # z of the cross product (a - o) x (b - o): > 0 for a left turn
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(points):
        out: list = []
        for p in points:
            while len(out) >= 2 and turn(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def free_space(
    scene: Scene,
    shell: RoomShell,
    clearance: float = CLEARANCE,
    *,
    wall_clearance: float = WALL_CLEARANCE,
    min_top: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(free (ny, nx) bool grid, (ny, nx, 2) cell centres in world x, y).

    A cell is blocked within `clearance` m of the floor plan of a box that reaches
    below head height and whose top is at least `min_top` m above the floor.
    """
    xs = np.arange(shell.lo[0] + GRID / 2, shell.hi[0], GRID)
    ys = np.arange(shell.lo[1] + GRID / 2, shell.hi[1], GRID)
    centres = np.stack(np.meshgrid(xs, ys), axis=-1)
    free = (
        (centres[..., 0] > shell.lo[0] + wall_clearance) & (centres[..., 0] < shell.hi[0] - wall_clearance)
        & (centres[..., 1] > shell.lo[1] + wall_clearance) & (centres[..., 1] < shell.hi[1] - wall_clearance)
    )
    top = shell.floor_z + EYE_HEIGHT[1] + 0.2
    for box in scene.boxes:
        if box.min[2] > top or box.max[2] < shell.floor_z + min_top:  # walk under ceiling lights
            continue
        hull = _footprint_hull(box)
        if len(hull) < 3:
            continue
        edges = np.roll(hull, -1, axis=0) - hull
        normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1)  # outward for a CCW hull
        normals /= norm(normals, axis=1, keepdims=True)
        offsets = inner(normals, hull) + clearance
        free &= ~np.all(matmul(centres, normals.T) <= offsets, axis=-1)
    return free, centres


_STEPS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def _shift(a: np.ndarray, dy: int, dx: int, fill) -> np.ndarray:
    out = np.full_like(a, fill)
    h, w = a.shape
    target = (slice(max(dy, 0), h + min(dy, 0)), slice(max(dx, 0), w + min(dx, 0)))
    out[target] = a[max(-dy, 0): h - max(dy, 0), max(-dx, 0): w - max(dx, 0)]
    return out


def _steps_from(free: np.ndarray, start: tuple[int, int]) -> np.ndarray:
    """8-connected step counts from `start` over free cells (-1 where unreachable), by wavefront."""
    dist = np.full(free.shape, -1, dtype=np.int32)
    dist[start] = 0
    front = np.zeros_like(free)
    front[start] = True
    step = 0
    while front.any():
        step += 1
        grown = np.zeros_like(front)
        for dy, dx in _STEPS:
            grown |= _shift(front, dy, dx, False)
        front = grown & free & (dist < 0)
        dist[front] = step
    return dist


def _path(dist: np.ndarray, goal: tuple[int, int]) -> list[tuple[int, int]]:
    """Cells from the wavefront's start to `goal`, walking down the step counts."""
    cells = [goal]
    h, w = dist.shape
    while dist[cells[-1]] > 0:
        y, x = cells[-1]
        for dy, dx in _STEPS:
            ny, nx = y + dy, x + dx
            if 0 <= ny < h and 0 <= nx < w and dist[ny, nx] == dist[y, x] - 1:
                cells.append((ny, nx))
                break
    return cells[::-1]


def _largest_region(free: np.ndarray, rng: np.random.Generator) -> tuple[tuple[int, int], np.ndarray]:
    """A random start cell in the largest 8-connected free region, and its step counts."""
    remaining, best, total = free.copy(), None, int(free.sum())
    for _ in range(8):  # furniture rarely splits a room into more pieces than this
        cells = np.argwhere(remaining)
        if not len(cells):
            break
        start = tuple(int(v) for v in cells[int(rng.integers(len(cells)))])
        dist = _steps_from(free, start)
        size = int((dist >= 0).sum())
        if best is None or size > best[2]:
            best = (start, dist, size)
        if size * 2 >= total:
            break
        remaining &= dist < 0
    return best[0], best[1]


def _walk(scene: Scene, shell: RoomShell, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 2) floor positions along a smoothed walk through free space."""
    for clearance in (CLEARANCE, CLEARANCE / 2, 0.0):
        free, centres = free_space(scene, shell, clearance)
        if free.any():
            break
    else:  # no free floor at all (a room packed wall to wall): stand in the middle
        middle = (np.asarray(shell.lo[:2]) + np.asarray(shell.hi[:2])) / 2
        return np.repeat(middle[None], n, axis=0)
    start, dist = _largest_region(free, rng)
    # Waypoints by farthest-point sampling in walking distance, visited in that order.
    route = [start]
    reach = dist.astype(float)
    for _ in range(N_WAYPOINTS - 1):
        goal = tuple(np.unravel_index(np.argmax(np.where(reach >= 0, reach, -1)), reach.shape))
        if reach[goal] <= 0:
            break
        leg = _path(_steps_from(free, route[-1]), goal)
        route += leg[1:]
        reach = np.minimum(reach, np.where(dist >= 0, _steps_from(free, goal), -1).astype(float))
    xy = np.array([centres[c] for c in route])
    if len(xy) > 4:  # a person does not walk grid corners
        kernel = np.ones(5) / 5
        padded = np.pad(xy, ((2, 2), (0, 0)), mode="edge")
        xy = np.stack([np.convolve(padded[:, i], kernel, mode="valid") for i in (0, 1)], axis=1)
    along = np.concatenate([[0.0], np.cumsum(norm(np.diff(xy, axis=0), axis=1))])
    if along[-1] == 0:
        return np.repeat(xy[:1], n, axis=0)
    at = np.linspace(0, along[-1], n)
    return np.stack([np.interp(at, along, xy[:, i]) for i in (0, 1)], axis=1)


def _open_distance(see_through: np.ndarray, shell: RoomShell, xy: np.ndarray, yaws: np.ndarray) -> np.ndarray:
    """Metres (up to VIEW_RANGE) from `xy` along each heading in `yaws` (rad) before a wall or
    a box tall enough to block the view (the False cells of `see_through`)."""
    steps = np.arange(1, int(VIEW_RANGE / GRID) + 1) * GRID
    x = xy[0] + np.cos(yaws)[:, None] * steps
    y = xy[1] + np.sin(yaws)[:, None] * steps
    col = np.floor((x - shell.lo[0]) / GRID).astype(int)
    row = np.floor((y - shell.lo[1]) / GRID).astype(int)
    inside = (col >= 0) & (col < see_through.shape[1]) & (row >= 0) & (row < see_through.shape[0])
    clear = inside & see_through[np.clip(row, 0, see_through.shape[0] - 1), np.clip(col, 0, see_through.shape[1] - 1)]
    blocked = ~clear
    first = np.where(blocked.any(axis=1), blocked.argmax(axis=1), len(steps))
    return first * GRID


def _view_score(
    see_through: np.ndarray, shell: RoomShell, centres: np.ndarray, xy: np.ndarray, yaws: np.ndarray, hfov_deg: float
) -> np.ndarray:
    """How much a view from `xy` along each of `yaws` shows: objects in the central part of
    the field of view (a person points the phone at things), plus open space in front;
    a view into a wall or a tall box within TOO_CLOSE m is almost never chosen."""
    offset = centres - xy
    far_enough = norm(offset, axis=1) > 0.6
    bearing = np.arctan2(offset[:, 1], offset[:, 0])
    off_axis = np.abs((bearing[None, :] - yaws[:, None] + np.pi) % (2 * np.pi) - np.pi)
    in_view = (off_axis < np.radians(hfov_deg) * 0.35) & far_enough[None, :]
    open_m = _open_distance(see_through, shell, xy, yaws)
    return in_view.sum(axis=1) + open_m / VIEW_RANGE - 100.0 * (open_m < TOO_CLOSE)


def walkthrough(
    scene: Scene, n_frames: int = 16, *, width: int = 224, height: int = 224, seed: int = 0, hfov_deg: float = HFOV
) -> CameraPath:
    """A person-like walk through `scene` with `n_frames` poses (see the module docstring).

    Deterministic for the same scene and seed; the scene's id is mixed into the seed so
    that different scenes get different walks under one global seed.
    """
    if n_frames < 1:
        raise KnobError("n_frames", n_frames, "an integer >= 1")
    rng = np.random.default_rng([seed, int(scene.scene_id, 16)])
    shell = room_shell(scene)
    xy = _walk(scene, shell, n_frames, rng)
    eye = shell.floor_z + rng.uniform(*EYE_HEIGHT)
    start, turn = rng.uniform(0, 2 * math.pi), rng.choice([-1.0, 1.0])
    sweep = start + turn * 2 * math.pi * np.arange(n_frames) / n_frames
    lean = np.radians(np.linspace(-LEAN, LEAN, 19))
    centres = np.array([b.centroid for b in scene.boxes]).reshape(-1, 3)[:, :2]
    see_through, _ = free_space(scene, shell, 0.0, wall_clearance=0.0, min_top=EYE_HEIGHT[0] - 0.3)
    poses = []
    for i in range(n_frames):
        score = _view_score(see_through, shell, centres, xy[i], sweep[i] + lean, hfov_deg)
        score -= SWEEP_PULL * np.degrees(np.abs(lean))  # keep turning round the room
        yaw = sweep[i] + lean[np.argmax(score)]
        pitch = math.radians(rng.uniform(*PITCH))
        z = eye + BOB * math.sin(i * 1.7)
        poses.append(look_pose(np.array([xy[i, 0], xy[i, 1], z]), yaw, pitch))
    return CameraPath(pinhole(width, height, hfov_deg), np.stack(poses))
