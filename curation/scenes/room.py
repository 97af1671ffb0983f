"""The room shell around a scene's boxes: an axis-aligned box of floor, walls, ceiling.

The metadata carries only the floor area (`room_size`) and a centre, so the shell is
derived:

- procedural scenes (curation.scenes.procedural) put the room's corner at the origin, so the
  shell is exactly [0, 2 cx] x [0, 2 cy] x [0, 2 cz] for room_center (cx, cy, cz);
- real scenes: the floor is the lowest box bottom (ScanNet floors sit near z = -1 m,
  ScanNet++ near z = 0, so this is measured, never assumed), the ceiling the highest
  box top but at least MIN_HEIGHT above the floor; in plan, the walls are the objects'
  x/y extent plus WALL_MARGIN, grown by the same margin on all four sides until the
  floor area equals `room_size` when the objects span less than that. When they span
  more (L-shaped rooms, boxes that poke through walls) the walls stay at the objects'
  extent: a wall never cuts through an annotated object.
"""

import math
from dataclasses import dataclass

import numpy as np

from curation.scenes.metadata import Scene

MIN_HEIGHT = 2.5  # m: real files often have no box near the ceiling
WALL_MARGIN = 0.05  # m between the outermost box and its wall, so doors and windows do not z-fight


@dataclass(frozen=True)
class RoomShell:
    lo: tuple[float, float, float]  # (x0, y0, floor z), m
    hi: tuple[float, float, float]  # (x1, y1, ceiling z), m

    @property
    def floor_z(self) -> float:
        return self.lo[2]

    @property
    def area(self) -> float:
        return (self.hi[0] - self.lo[0]) * (self.hi[1] - self.lo[1])

    def contains(self, point: np.ndarray) -> bool:
        return bool(np.all(np.asarray(point) >= self.lo) and np.all(np.asarray(point) <= self.hi))


def room_shell(scene: Scene) -> RoomShell:
    """The shell a camera walks in and the renderer draws (see the module docstring)."""
    if scene.source == "procedural":
        cx, cy, cz = scene.room_center
        return RoomShell((0.0, 0.0, 0.0), (2 * cx, 2 * cy, 2 * cz))
    if not scene.boxes:
        half = math.sqrt(scene.room_size) / 2
        x, y, z = scene.room_center
        return RoomShell((x - half, y - half, z - MIN_HEIGHT / 2), (x + half, y + half, z + MIN_HEIGHT / 2))
    lo = np.min([b.min for b in scene.boxes], axis=0)
    hi = np.max([b.max for b in scene.boxes], axis=0)
    w, d = hi[0] - lo[0] + 2 * WALL_MARGIN, hi[1] - lo[1] + 2 * WALL_MARGIN
    # Solve (w + 2m)(d + 2m) = room_size for the extra margin m >= 0.
    extra = max(0.0, (-(w + d) + math.sqrt((w + d) ** 2 - 4 * (w * d - scene.room_size))) / 4)
    pad = WALL_MARGIN + extra
    floor, ceiling = lo[2], max(hi[2], lo[2] + MIN_HEIGHT)
    return RoomShell((lo[0] - pad, lo[1] - pad, floor), (hi[0] + pad, hi[1] + pad, ceiling))
