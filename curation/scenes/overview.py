"""The overview frame: an orthographic top-down view of a room at a fixed metric scale.

A walk-through at eye height shows a few objects per frame, in perspective; a small
solver cannot integrate that into counts, areas and distances. The overview is the
floor plan a person sketches after the walk: the room seen from straight above with the
ceiling removed, every pixel `metres_per_px` metres wide whatever the room, so areas,
lengths and distances in the image are proportional to the metric answers and the
solver can learn to read them.

Image axes: column = world +x, row = world -y (north up), centred on the room's centre.
Outside the room is black; the floor keeps the renderer's floor colour; each box is
filled with its category colour (curation.scenes.render.category_colour), shaded darker at
its footprint edge so touching objects stay apart. Boxes are drawn lowest top first,
so what is higher covers what is lower, as seen from above. Boxes hanging from the
ceiling (their bottom above HANGING_Z over the floor) are left out: from above they
would hide the room.
"""

from collections.abc import Sequence

import numpy as np

from curation.scenes.metadata import Scene
from curation.scenes.render import FLOOR_RGB, category_colour
from curation.scenes.room import room_shell

HANGING_Z = 2.0  # m above the floor: boxes whose bottom is higher are ceiling fixtures
EDGE_PX = 1.0  # px: darkened rim of each footprint
EDGE_SHADE = 0.55


OUTSIDE = -2  # instance map value outside the room (-1 is the floor, as in curation.scenes.render)


def overview(scene: Scene, size: int, metres_per_px: float) -> tuple[np.ndarray, np.ndarray]:
    """(rgb (size, size, 3) uint8, instance (size, size) int32: the index into scene.boxes
    of the box seen from above, -1 for bare floor, OUTSIDE outside the room).

    The view spans size * metres_per_px metres on each side; rooms larger than that
    are cut at the image border (their area is then under-read, so choose the scale
    for the largest room the world holds)."""
    shell = room_shell(scene)
    cx, cy = (shell.lo[0] + shell.hi[0]) / 2, (shell.lo[1] + shell.hi[1]) / 2
    coords = (np.arange(size) + 0.5 - size / 2) * metres_per_px
    x = cx + coords[None, :]  # (1, W)
    y = cy - coords[:, None]  # (H, 1)
    inside = (x >= shell.lo[0]) & (x <= shell.hi[0]) & (y >= shell.lo[1]) & (y <= shell.hi[1])
    rgb = np.where(inside[..., None], np.asarray(FLOOR_RGB), 0.0)
    instance = np.where(inside, -1, OUTSIDE).astype(np.int32)
    order = sorted(range(len(scene.boxes)), key=lambda j: scene.boxes[j].max[2])
    for j in order:
        box = scene.boxes[j]
        if box.min[2] - shell.floor_z > HANGING_Z:
            continue
        axes = np.asarray(box.R, dtype=float).reshape(3, 3)
        half = np.asarray(box.axes_lengths, dtype=float) / 2
        dx, dy = x - box.centroid[0], y - box.centroid[1]
        # distance inside the footprint along each horizontal box axis (positive inside)
        margin = None
        for k in range(3):
            if abs(axes[k, 2]) > 0.9:  # the vertical axis: not part of the footprint
                continue
            along = np.abs(dx * axes[k, 0] + dy * axes[k, 1])
            m = half[k] - along
            margin = m if margin is None else np.minimum(margin, m)
        if margin is None:
            continue
        hit = margin >= 0
        if not hit.any():
            continue
        colour = np.asarray(category_colour(box.category))
        edge = margin < EDGE_PX * metres_per_px
        rgb[hit] = colour
        rgb[hit & edge] = colour * EDGE_SHADE
        instance[hit] = j
    return (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8), instance


def token_targets(
    scene: Scene, instance: np.ndarray, metres_per_px: float, grid: int, categories: Sequence[str]
) -> np.ndarray:
    """Dense supervision for a vision encoder, from an overview (drawn at `metres_per_px`)
    and its instance map:
    float32 (grid, grid, 2 K + 1) for the K `categories`, the image cut into grid x grid
    equal cells (the encoder's output tokens):

      [0, K)    share of the cell's pixels showing each category (seen from above)
      [K, 2K)   number of boxes of each category whose footprint centre lies in the cell
      2K        share of the cell inside the room

    Summed over cells, the second block is the scene's object counts and the last
    entry its floor area in cells: the quantities the questions ask about."""
    size = instance.shape[0]
    if instance.shape != (size, size) or size % grid:
        raise ValueError(f"instance map {instance.shape} does not split into {grid} x {grid} cells")
    k = len(categories)
    index = {c: i for i, c in enumerate(categories)}
    category_of = np.array([index.get(b.category, -1) for b in scene.boxes] + [-1], dtype=np.int64)
    cell = size // grid
    out = np.zeros((grid, grid, 2 * k + 1), dtype=np.float32)
    cells = instance.reshape(grid, cell, grid, cell).transpose(0, 2, 1, 3).reshape(grid, grid, -1)
    out[..., 2 * k] = (cells != OUTSIDE).mean(-1)
    shown = category_of[np.where(cells >= 0, cells, len(scene.boxes))]  # -1 where no known category
    for c in range(k):
        out[..., c] = (shown == c).mean(-1)
    shell = room_shell(scene)
    cx, cy = (shell.lo[0] + shell.hi[0]) / 2, (shell.lo[1] + shell.hi[1]) / 2
    for box, c in zip(scene.boxes, category_of[:-1], strict=True):
        if c < 0 or box.min[2] - shell.floor_z > HANGING_Z:
            continue
        col = int((box.centroid[0] - cx) / metres_per_px + size / 2)
        row = int(-(box.centroid[1] - cy) / metres_per_px + size / 2)
        if 0 <= row < size and 0 <= col < size:
            out[row // cell, col // cell, k + c] += 1
    return out
