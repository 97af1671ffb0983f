"""Indoor object categories for procedural rooms: the vocabulary of the real files.

Every name below occurs in the VSI-Bench ScanNet / ScanNet++ metadata
(`../shared/data/vsibench_meta`; tests/curation/scenes/test_procedural.py checks this). The
size ranges are the 20th-80th percentiles of the real boxes of that category, read off
once with a short script over both files (footprint edges sorted long >= short, height
along the box axis closest to +z), rounded to centimetres. Ranges are metres.

Placement says what an object rests on:
  floor       anywhere on the floor
  wall_floor  on the floor with its back flush against a wall (doors, shelves, heaters)
  wall        hung on a wall, its lower edge `base` metres above the floor
  ceiling     hung from the ceiling (ceiling lights)
  on          standing on the top face of a support (see SUPPORTS)
"""

from dataclasses import dataclass
from typing import Literal

Placement = Literal["floor", "wall_floor", "wall", "ceiling", "on"]


@dataclass(frozen=True)
class CategorySpec:
    name: str
    long: tuple[float, float]  # longer footprint edge, m
    short: tuple[float, float]  # shorter footprint edge, m
    height: tuple[float, float]  # vertical extent, m
    placement: Placement
    base: tuple[float, float] = (0.0, 0.0)  # lower edge above the floor, "wall" only
    weight: float = 1.0  # relative frequency when drawing categories


_SPECS = [
    CategorySpec("chair", (0.52, 0.70), (0.40, 0.60), (0.75, 0.95), "floor", weight=6),
    CategorySpec("table", (0.90, 1.80), (0.55, 1.00), (0.70, 0.80), "floor", weight=3),
    CategorySpec("door", (0.80, 1.10), (0.05, 0.10), (1.95, 2.10), "wall_floor", weight=2),
    CategorySpec("ceiling light", (0.60, 1.30), (0.25, 0.60), (0.05, 0.15), "ceiling", weight=2),
    CategorySpec("monitor", (0.54, 0.64), (0.13, 0.22), (0.42, 0.53), "on", weight=2),
    CategorySpec("pillow", (0.45, 0.70), (0.30, 0.45), (0.12, 0.25), "on", weight=1.5),
    CategorySpec("trash bin", (0.34, 0.50), (0.24, 0.36), (0.35, 0.70), "floor", weight=2),
    CategorySpec("window", (0.85, 1.80), (0.05, 0.15), (0.80, 1.40), "wall", base=(0.75, 1.00), weight=2),
    CategorySpec("keyboard", (0.44, 0.47), (0.15, 0.20), (0.02, 0.04), "on"),
    CategorySpec("backpack", (0.39, 0.50), (0.23, 0.38), (0.25, 0.50), "floor"),
    CategorySpec("computer tower", (0.35, 0.55), (0.19, 0.25), (0.38, 0.46), "floor"),
    CategorySpec("heater", (0.90, 1.60), (0.10, 0.20), (0.41, 0.63), "wall_floor"),
    CategorySpec("bed", (1.95, 2.20), (1.00, 1.70), (0.45, 0.65), "wall_floor"),
    CategorySpec("computer mouse", (0.10, 0.12), (0.06, 0.07), (0.03, 0.04), "on"),
    CategorySpec("whiteboard", (1.20, 2.40), (0.03, 0.06), (0.95, 1.40), "wall", base=(0.80, 1.00)),
    CategorySpec("sofa", (1.40, 2.20), (0.80, 1.10), (0.70, 0.85), "floor"),
    CategorySpec("printer", (0.47, 0.62), (0.38, 0.50), (0.29, 0.48), "on"),
    CategorySpec("trash can", (0.29, 0.39), (0.28, 0.34), (0.31, 0.54), "floor"),
    CategorySpec("bookshelf", (0.83, 1.13), (0.32, 0.44), (1.16, 2.00), "wall_floor"),
    CategorySpec("plant", (0.20, 0.50), (0.15, 0.40), (0.25, 0.65), "on"),
    CategorySpec("telephone", (0.23, 0.30), (0.10, 0.20), (0.09, 0.15), "on"),
    CategorySpec("lamp", (0.30, 0.45), (0.20, 0.32), (0.25, 0.70), "on"),
    CategorySpec("mirror", (0.55, 1.10), (0.03, 0.08), (0.40, 1.00), "wall", base=(0.90, 1.10)),
    CategorySpec("refrigerator", (0.60, 0.95), (0.55, 0.70), (0.90, 1.75), "wall_floor"),
    CategorySpec("tv", (0.75, 1.25), (0.10, 0.25), (0.50, 0.73), "on"),
    CategorySpec("microwave", (0.47, 0.60), (0.30, 0.40), (0.26, 0.40), "on"),
    CategorySpec("cup", (0.08, 0.12), (0.08, 0.10), (0.08, 0.13), "on"),
    CategorySpec("counter", (1.80, 3.00), (0.60, 0.70), (0.85, 0.92), "wall_floor"),
    CategorySpec("radiator", (0.75, 1.60), (0.10, 0.20), (0.45, 0.70), "wall_floor"),
    CategorySpec("nightstand", (0.45, 0.60), (0.39, 0.50), (0.50, 0.65), "floor"),
    CategorySpec("clock", (0.28, 0.40), (0.04, 0.08), (0.28, 0.38), "wall", base=(1.70, 2.10), weight=0.5),
    CategorySpec("toilet", (0.60, 0.75), (0.37, 0.45), (0.40, 0.70), "wall_floor", weight=0.5),
    CategorySpec("laptop", (0.32, 0.40), (0.22, 0.28), (0.02, 0.22), "on"),
    CategorySpec("suitcase", (0.47, 0.69), (0.23, 0.40), (0.27, 0.66), "floor", weight=0.5),
    CategorySpec("bucket", (0.28, 0.32), (0.20, 0.28), (0.20, 0.32), "floor", weight=0.5),
    CategorySpec("kettle", (0.17, 0.22), (0.11, 0.15), (0.20, 0.25), "on", weight=0.5),
    CategorySpec("bowl", (0.15, 0.24), (0.12, 0.19), (0.06, 0.08), "on", weight=0.5),
]

CATEGORIES: dict[str, CategorySpec] = {spec.name: spec for spec in _SPECS}

# Categories whose top face holds "on" objects. Flat-topped furniture only: a pillow on
# a bed is a box resting on the bed's box, which is how the real files describe it.
SUPPORTS: frozenset[str] = frozenset({"table", "counter", "nightstand", "bed", "sofa"})
