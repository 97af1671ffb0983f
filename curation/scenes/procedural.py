"""Procedural rooms: `generate_scene(seed, **knobs)` returns a `curation.scenes.Scene`.

World frame: metres, +z up, floor at z = 0, the room the axis-aligned rectangle
[0, width] x [0, depth] with walls up to `height`. Every box is yaw-rotated only (its
third axis is +z), rests on the floor, on a support's top face, against a wall or
under the ceiling, lies inside the room, and no two boxes share volume (touching
faces are allowed: a cup stands on a table). Categories and size ranges come from
`curation.scenes.categories`, the vocabulary of the real ScanNet / ScanNet++ files.

Knobs (None draws a value from the seed):
  n_objects   total boxes, 5..40
  duplicates  >= 1: each time a category is drawn it gets 1..duplicates instances
              (a category may be drawn again, so counts can exceed it)
  clutter     0..1: share of small objects standing on furniture, and how densely
              the floor is packed
  near_ties   pairs of objects whose centroid distances to a common anchor object
              differ by at most NEAR_TIE_GAP metres (the hard case of "which is closer")
  categories  draw only these category names (None: the whole vocabulary); a small
              set of well-separated colours makes a world a small solver can see

The same seed and knobs always give the same scene (numpy's PCG64 seeded with the
seed). If the objects do not fit, the room grows by ROOM_GROWTH and placement starts
over, so the requested object count is always met.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from curation.errors import KnobError
from curation.scenes.categories import CATEGORIES, SUPPORTS, CategorySpec
from curation.scenes.metadata import Box, Scene
from curation.scenes.portable_math import matmul, norm

MIN_OBJECTS, MAX_OBJECTS = 5, 40
NEAR_TIE_GAP = 0.05  # m: a created near-tie pair's distances differ by at most this
WALL_GAP = 0.02  # m kept between free-standing objects and walls, so a camera sees round them
ROOM_GROWTH = 1.2  # area factor per retry when the objects do not fit
MAX_ATTEMPTS = 12
TRIES_PER_OBJECT = 60
SMALL_PER_SUPPORT = 3


@dataclass(frozen=True)
class Room:
    width: float  # along x, m
    depth: float  # along y, m
    height: float  # floor to ceiling, m


@dataclass(frozen=True)
class _Placed:
    spec: CategorySpec
    center: np.ndarray  # (3,) m
    lengths: np.ndarray  # (3,) long, short, height
    yaw: float  # rad, about +z

    def footprint(self) -> np.ndarray:
        """(4, 2) corners of the box's floor rectangle."""
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        u, v = np.array([c, s]) * self.lengths[0] / 2, np.array([-s, c]) * self.lengths[1] / 2
        return self.center[:2] + np.array([u + v, u - v, -u - v, -u + v])

    def z_range(self) -> tuple[float, float]:
        return self.center[2] - self.lengths[2] / 2, self.center[2] + self.lengths[2] / 2


def _separated(a: np.ndarray, b: np.ndarray) -> bool:
    """True if two convex 2-D polygons (k, 2) do not overlap with positive area (SAT)."""
    for poly in (a, b):
        edges = np.roll(poly, -1, axis=0) - poly
        for nx, ny in np.stack([-edges[:, 1], edges[:, 0]], axis=1):
            pa, pb = matmul(a, np.array((nx, ny))), matmul(b, np.array((nx, ny)))
            if pa.max() <= pb.min() + 1e-9 or pb.max() <= pa.min() + 1e-9:
                return True
    return False


def _overlaps(p: _Placed, q: _Placed) -> bool:
    (p0, p1), (q0, q1) = p.z_range(), q.z_range()
    if p1 <= q0 + 1e-9 or q1 <= p0 + 1e-9:
        return False
    return not _separated(p.footprint(), q.footprint())


def _inside(p: _Placed, room: Room, gap: float = 0.0) -> bool:
    xy = p.footprint()
    z0, z1 = p.z_range()
    return bool(
        xy[:, 0].min() >= gap - 1e-9 and xy[:, 0].max() <= room.width - gap + 1e-9
        and xy[:, 1].min() >= gap - 1e-9 and xy[:, 1].max() <= room.depth - gap + 1e-9
        and z0 >= -1e-9 and z1 <= room.height + 1e-9
    )


def _draw_lengths(spec: CategorySpec, rng: np.random.Generator) -> np.ndarray:
    long, short, height = (rng.uniform(*r) for r in (spec.long, spec.short, spec.height))
    return np.array([max(long, short), min(long, short), height])


def _candidate(spec: CategorySpec, placed: list[_Placed], room: Room, rng: np.random.Generator) -> _Placed | None:
    """One random pose for `spec` that obeys its placement rule (not yet checked for overlap)."""
    lengths = _draw_lengths(spec, rng)
    if spec.placement in ("floor", "ceiling"):
        yaw = rng.integers(4) * math.pi / 2 if rng.random() < 0.6 else rng.uniform(0, 2 * math.pi)
        c, s = abs(math.cos(yaw)), abs(math.sin(yaw))
        ex, ey = (c * lengths[0] + s * lengths[1]) / 2, (s * lengths[0] + c * lengths[1]) / 2
        lo_x, hi_x, lo_y, hi_y = ex + WALL_GAP, room.width - ex - WALL_GAP, ey + WALL_GAP, room.depth - ey - WALL_GAP
        if lo_x > hi_x or lo_y > hi_y:
            return None
        z = lengths[2] / 2 if spec.placement == "floor" else room.height - lengths[2] / 2
        return _Placed(spec, np.array([rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y), z]), lengths, yaw)
    if spec.placement in ("wall_floor", "wall"):
        wall = int(rng.integers(4))  # 0: y = 0, 1: x = width, 2: y = depth, 3: x = 0; the object faces inwards
        along = room.width if wall % 2 == 0 else room.depth
        if lengths[0] > along:
            return None
        t = rng.uniform(lengths[0] / 2, along - lengths[0] / 2)
        off = lengths[1] / 2
        x, y = [(t, off), (room.width - off, t), (t, room.depth - off), (off, t)][wall]
        base = 0.0 if spec.placement == "wall_floor" else rng.uniform(*spec.base)
        return _Placed(spec, np.array([x, y, base + lengths[2] / 2]), lengths, wall * math.pi / 2)
    # "on": stand on the top face of a support, inside its rectangle.
    supports = [p for p in placed if p.spec.name in SUPPORTS]
    if not supports:
        return None
    base = supports[int(rng.integers(len(supports)))]
    turn = rng.integers(4) * math.pi / 2 if rng.random() < 0.7 else rng.uniform(0, 2 * math.pi)
    c, s = abs(math.cos(turn)), abs(math.sin(turn))
    ex, ey = (c * lengths[0] + s * lengths[1]) / 2, (s * lengths[0] + c * lengths[1]) / 2
    room_x, room_y = base.lengths[0] / 2 - ex, base.lengths[1] / 2 - ey
    if room_x < 0 or room_y < 0:
        return None
    local = np.array([rng.uniform(-room_x, room_x), rng.uniform(-room_y, room_y)])
    cy, sy = math.cos(base.yaw), math.sin(base.yaw)
    xy = base.center[:2] + matmul(np.array([[cy, -sy], [sy, cy]]), local)
    top = base.z_range()[1]
    return _Placed(spec, np.array([xy[0], xy[1], top + lengths[2] / 2]), lengths, base.yaw + turn)


def _fits(p: _Placed, placed: list[_Placed], room: Room) -> bool:
    gap = WALL_GAP if p.spec.placement in ("floor", "ceiling") else 0.0
    return _inside(p, room, gap) and not any(_overlaps(p, q) for q in placed)


def _place(spec: CategorySpec, placed: list[_Placed], room: Room, rng: np.random.Generator) -> _Placed | None:
    for _ in range(TRIES_PER_OBJECT):
        p = _candidate(spec, placed, room, rng)
        if p is not None and _fits(p, placed, room):
            return p
    if spec.placement == "on":  # every support is full: stand it on the floor, as people do
        return _place(replace(spec, placement="floor"), placed, room, rng)
    return None


def _place_tie(
    spec: CategorySpec, anchor: _Placed, distance: float, placed: list[_Placed], room: Room, rng: np.random.Generator
) -> _Placed | None:
    """A floor object whose centroid lies within NEAR_TIE_GAP / 2 of `distance` from the anchor's."""
    for _ in range(TRIES_PER_OBJECT):
        p = _candidate(spec, placed, room, rng)
        if p is None:
            continue
        target = distance + rng.uniform(-NEAR_TIE_GAP / 2, NEAR_TIE_GAP / 2)
        dz = p.center[2] - anchor.center[2]
        if target <= abs(dz):
            continue
        angle = rng.uniform(0, 2 * math.pi)
        radius = math.sqrt(target**2 - dz**2)
        offset = np.array([radius * math.cos(angle), radius * math.sin(angle), 0.0])
        center = np.array([anchor.center[0], anchor.center[1], p.center[2]]) + offset
        p = _Placed(spec, center, p.lengths, p.yaw)
        if _fits(p, placed, room):
            return p
    return None


_ORDER = {"wall_floor": 0, "wall": 1, "floor": 2, "ceiling": 3, "on": 4}


def _choose_categories(
    n_objects: int, duplicates: int, clutter: float, near_ties: int, rng: np.random.Generator,
    categories: Sequence[str] | None = None,
) -> tuple[list[CategorySpec], list[CategorySpec]]:
    """(ordinary objects, 2 * near_ties floor objects for the tie pairs): n_objects in all."""
    specs = [CATEGORIES[c] for c in sorted(categories)] if categories else list(CATEGORIES.values())
    floor = [s for s in specs if s.placement == "floor"]
    small = [s for s in specs if s.placement == "on"]
    other = [s for s in specs if s.placement != "on"]
    supports = [s for s in specs if s.name in SUPPORTS]

    def draw(pool: list[CategorySpec]) -> CategorySpec:
        w = np.array([s.weight for s in pool])
        return pool[int(rng.choice(len(pool), p=w / w.sum()))]

    ties = [draw(floor) for _ in range(2 * near_ties)]
    chosen: list[CategorySpec] = []
    remaining = n_objects - len(ties)
    n_small = int(round(remaining * (0.1 + 0.4 * clutter))) if small and supports else 0
    # Small objects need furniture to stand on: one support per SMALL_PER_SUPPORT of them.
    chosen += [draw(supports) for _ in range(min(math.ceil(n_small / SMALL_PER_SUPPORT), remaining))]
    while len(chosen) < remaining:
        spec = draw(small) if sum(s.placement == "on" for s in chosen) < n_small else draw(other)
        copies = int(rng.integers(1, duplicates + 1))
        chosen += [spec] * min(copies, remaining - len(chosen))
    chosen.sort(key=lambda s: (_ORDER[s.placement], -s.long[1] * s.short[1]))
    return chosen, ties


def _room(chosen: list[CategorySpec], clutter: float, rng: np.random.Generator) -> Room:
    """A realistic rectangle: 9..30 m^2 unless the floor objects need more space."""
    footprint = sum(s.long[1] * s.short[1] for s in chosen if s.placement in ("floor", "wall_floor"))
    area = max(rng.uniform(9.0, 30.0), footprint / (0.25 + 0.2 * clutter))
    aspect = rng.uniform(1.0, 1.7)
    width = math.sqrt(area * aspect)
    return Room(width=width, depth=area / width, height=rng.uniform(2.5, 3.0))


def _box(p: _Placed, instance: int) -> Box:
    c, s = math.cos(p.yaw), math.sin(p.yaw)
    rotation = (c, s, 0.0, -s, c, 0.0, 0.0, 0.0, 1.0)
    xy = p.footprint()
    z0, z1 = p.z_range()
    return Box(
        category=p.spec.name,
        instance=instance,
        centroid=tuple(float(v) for v in p.center),
        axes_lengths=tuple(float(v) for v in p.lengths),
        rotation=rotation,
        min=(float(xy[:, 0].min()), float(xy[:, 1].min()), float(z0)),
        max=(float(xy[:, 0].max()), float(xy[:, 1].max()), float(z1)),
    )


def _check_knobs(
    n_objects: int, duplicates: int, clutter: float, near_ties: int, categories: Sequence[str] | None
) -> None:
    if not MIN_OBJECTS <= n_objects <= MAX_OBJECTS:
        raise KnobError("n_objects", n_objects, f"an integer in [{MIN_OBJECTS}, {MAX_OBJECTS}]")
    if duplicates < 1:
        raise KnobError("duplicates", duplicates, "an integer >= 1")
    if not 0.0 <= clutter <= 1.0:
        raise KnobError("clutter", clutter, "a number in [0, 1]")
    if not 0 <= 2 * near_ties <= n_objects - 2:
        raise KnobError("near_ties", near_ties, f"0 <= near_ties <= {(n_objects - 2) // 2} for n_objects={n_objects}")
    if categories is not None:
        unknown = sorted(set(categories) - set(CATEGORIES))
        if unknown or not categories:
            raise KnobError("categories", list(categories), f"a non-empty list of known categories (unknown {unknown})")
        if not any(CATEGORIES[c].placement != "on" for c in categories):
            raise KnobError("categories", list(categories), "at least one category that stands on its own")
        if near_ties and not any(CATEGORIES[c].placement == "floor" for c in categories):
            raise KnobError("categories", list(categories), "a floor category when near_ties > 0")


def generate_scene(
    seed: int,
    *,
    n_objects: int | None = None,
    duplicates: int | None = None,
    clutter: float | None = None,
    near_ties: int | None = None,
    categories: Sequence[str] | None = None,
) -> Scene:
    """A random furnished rectangular room, the same for the same seed and knobs.

    Returns a Scene with source "procedural", name "proc-<seed>", room_size = floor
    area (m^2), room_center = the room's centre at half its height, object_counts equal
    to the box lists, and boxes grouped by category with instance = index in the group.
    """
    rng = np.random.default_rng(seed)
    n_objects = int(rng.integers(8, 31)) if n_objects is None else n_objects
    duplicates = int(rng.integers(1, 4)) if duplicates is None else duplicates
    clutter = float(rng.uniform(0.0, 1.0)) if clutter is None else clutter
    near_ties = int(rng.integers(0, 3)) if near_ties is None else near_ties
    _check_knobs(n_objects, duplicates, clutter, near_ties, categories)
    chosen, ties = _choose_categories(n_objects, duplicates, clutter, near_ties, rng, categories)
    room = _room(chosen + ties, clutter, rng)
    for attempt in range(MAX_ATTEMPTS):
        placed = _attempt(chosen, ties, room, np.random.default_rng([seed, attempt]))
        if placed is not None:
            return _scene(seed, room, placed)
        room = Room(room.width * math.sqrt(ROOM_GROWTH), room.depth * math.sqrt(ROOM_GROWTH), room.height)
    raise RuntimeError(f"seed {seed}: could not place {n_objects} objects in {MAX_ATTEMPTS} attempts")  # a bug


def _attempt(chosen: list[CategorySpec], ties: list[CategorySpec], room: Room, rng: np.random.Generator):
    placed: list[_Placed] = []
    for spec in chosen:
        p = _place(spec, placed, room, rng)
        if p is None:
            return None
        placed.append(p)
    # Ties are measured from an object a question would name; any placed box will do
    # when the room has only wall and ceiling objects (n_objects >= 2 * near_ties + 2).
    anchors = [p for p in placed if p.spec.placement in ("floor", "wall_floor", "on")] or placed
    for a, b in zip(ties[0::2], ties[1::2], strict=True):
        anchor = anchors[int(rng.integers(len(anchors)))]
        first = _place(a, placed, room, rng)
        if first is None:
            return None
        placed.append(first)
        second = _place_tie(b, anchor, float(norm(first.center - anchor.center)), placed, room, rng)
        if second is None:
            return None
        placed.append(second)
    return placed


def _scene(seed: int, room: Room, placed: list[_Placed]) -> Scene:
    placed = sorted(placed, key=lambda p: p.spec.name)  # stable: instance order = placement order
    boxes, counts = [], {}
    for p in placed:
        boxes.append(_box(p, counts.get(p.spec.name, 0)))
        counts[p.spec.name] = counts.get(p.spec.name, 0) + 1
    return Scene(
        name=f"proc-{seed:06d}",
        source="procedural",
        room_size=room.width * room.depth,
        room_center=(room.width / 2, room.depth / 2, room.height / 2),
        object_counts=counts,
        boxes=tuple(boxes),
    )
