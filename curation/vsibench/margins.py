"""Why a VSI-Bench label and our program disagree (or why the program says "ambiguous").

Each explanation is a margin, the number that a reader checks first, and a sentence:
- counting: official count minus `object_counts` (and the box-list length beside it);
- size / room size: distance (cm / m²) of the unrounded value from the rounding edge;
- abs distance: distance (m) of the point-sampled distance from the 0.05 rounding edge,
  with the exact distance beside it;
- rel distance: gap (m) between the two closest choices (the near-tie margin);
- direction: degrees between the query centroid's angle and the nearest bin edge, with
  how many of the query box's corners fall in another bin.
Computed in-process from the pure geometry (no sandbox): it explains, it never labels.
"""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from curation.executor import geometry
from curation.scenes.metadata import Scene
from curation.tasks.object_rel_direction import SPECS

Explanation = tuple[float | None, str]


def _rounding_margin(value: float, step: float) -> float:
    """How far `value` is from the nearest half-step edge where rounding to `step` flips."""
    scaled = value / step
    return abs(scaled - math.floor(scaled) - 0.5) * step


def _category_distance(scene: Scene, a: str, b: str, distance_mode: str) -> float:
    measure = geometry.sampled_category_distance if distance_mode == "vsibench" else geometry.exact_category_distance
    return float(measure(scene.boxes_of(a), scene.boxes_of(b)))


def _counting(scene: Scene, roles: Mapping[str, Any], official: str, distance_mode: str) -> Explanation:
    category = roles["object"]
    counted, listed = scene.object_counts.get(category, 0), len(scene.boxes_of(category))
    try:
        margin: float | None = float(official) - counted
    except ValueError:
        margin = None
    return margin, f"object_counts[{category!r}] = {counted}, {listed} box(es), official {official}"


def _size(scene: Scene, roles: Mapping[str, Any], official: str, distance_mode: str) -> Explanation:
    longest = max(max(b.axes_lengths) for b in scene.boxes_of(roles["object"])) * 100
    return _rounding_margin(longest, 1.0), f"longest edge {longest:.3f} cm"


def _room(scene: Scene, roles: Mapping[str, Any], official: str, distance_mode: str) -> Explanation:
    return _rounding_margin(scene.room_size, 0.1), f"room_size {scene.room_size:.4f} m²"


def _abs_distance(scene: Scene, roles: Mapping[str, Any], official: str, distance_mode: str) -> Explanation:
    sampled = _category_distance(scene, roles["a"], roles["b"], "vsibench")
    exact = _category_distance(scene, roles["a"], roles["b"], "exact")
    used = sampled if distance_mode == "vsibench" else exact
    return _rounding_margin(used, 0.1), f"sampled {sampled:.3f} m, exact {exact:.3f} m ({distance_mode} mode)"


def _rel_distance(scene: Scene, roles: Mapping[str, Any], official: str, distance_mode: str) -> Explanation:
    target = roles["target"]
    distances = {c: _category_distance(scene, target, c, distance_mode) for c in roles["choices"] if scene.boxes_of(c)}
    ranked = sorted(distances.values())
    gap = ranked[1] - ranked[0] if len(ranked) > 1 else None
    listed = ", ".join(f"{c} {d:.3f} m" for c, d in sorted(distances.items(), key=lambda kv: kv[1]))
    return gap, f"{distance_mode} distances to {target}: {listed}"


def _direction(task: str) -> Any:
    edges = SPECS[task]["edges"]

    def explain(scene: Scene, roles: Mapping[str, Any], official: str, distance_mode: str) -> Explanation:
        standing, facing, query = (scene.boxes_of(roles[r])[0] for r in ("standing", "facing", "query"))
        angles = geometry.direction_angles(standing.centroid, facing.centroid, query)
        if np.isnan(angles).any():
            return None, "direction undefined (facing point = standing point)"
        centre = float(angles[0])
        margin = min(min(abs(centre - e), 360.0 - abs(centre - e)) for e in edges)
        bins = np.digitize(angles, [*edges, 360.0])
        off = int((bins[1:] != bins[0]).sum())
        return margin, f"angle {centre:.1f}°, {margin:.1f}° from a bin edge, {off} of 8 corners in another bin"

    return explain


EXPLAINERS = {
    "object_counting": _counting,
    "object_size_estimation": _size,
    "room_size_estimation": _room,
    "object_abs_distance": _abs_distance,
    "object_rel_distance": _rel_distance,
    **{task: _direction(task) for task in SPECS},
}


def explain(task: str, scene: Scene, roles: Mapping[str, Any], official: str, distance_mode: str) -> Explanation:
    """(margin, sentence) for a question of `task` whose roles are metadata categories of `scene`."""
    explainer = EXPLAINERS.get(task)
    if explainer is None:
        return None, ""
    margin, sentence = explainer(scene, roles, official, distance_mode)
    return margin, "; ".join([*box_list_mismatches(scene, roles), sentence])


def box_list_mismatches(scene: Scene, roles: Mapping[str, Any]) -> list[str]:
    """Role categories whose object_counts differs from their number of boxes.

    The benchmark calls a category with object_counts 1 "the X" even when the box list
    holds more (it then reads all of them, or the first for directions, as above);
    our programs answer "ambiguous" there, since "the X" names no single box.
    """
    names = [n for v in roles.values() for n in ([v] if isinstance(v, str) else v)]
    return [
        f"object_counts[{n!r}] = {scene.object_counts.get(n, 0)} but {len(scene.boxes_of(n))} box(es)"
        for n in dict.fromkeys(names)
        if scene.object_counts.get(n, 0) != len(scene.boxes_of(n))
    ]
