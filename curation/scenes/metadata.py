"""Scenes in the VSI-Bench metadata format, validated, and their lake rows.

A scene is what a QA program sees: room floor area (m^2), room centre, per-category
object counts and oriented boxes. Coordinates are metres, +z up. A box's rotation is
the row-major 3x3 `normalizedAxes` whose rows are the box's unit axes, so a point in
box coordinates q maps to the world as `centroid + R.T @ q`.

`object_counts` is kept separately from the box lists: the real ScanNet file has
scenes where the two disagree, which is recorded as a warning, never a crash.
"""

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from curation.errors import SceneFormatError
from store import ids

ROTATION_TOLERANCE = 1e-3  # real files are orthonormal to ~1e-15; hand-edited ones drift


@dataclass(frozen=True)
class Box:
    category: str
    instance: int
    centroid: tuple[float, float, float]
    axes_lengths: tuple[float, float, float]  # full edge lengths along the rows of `rotation`
    rotation: tuple[float, ...]  # 9 numbers, row-major, rows = unit axes
    min: tuple[float, float, float]
    max: tuple[float, float, float]

    @property
    def R(self) -> np.ndarray:
        return np.asarray(self.rotation, dtype=float).reshape(3, 3)

    def to_meta(self) -> dict[str, list[float]]:
        return {
            "centroid": list(self.centroid),
            "axesLengths": list(self.axes_lengths),
            "normalizedAxes": list(self.rotation),
            "min": list(self.min),
            "max": list(self.max),
        }


@dataclass(frozen=True)
class Scene:
    name: str
    source: str  # scannet | scannetpp | arkitscenes | procedural
    room_size: float  # floor area, m^2
    room_center: tuple[float, float, float]
    object_counts: dict[str, int]
    boxes: tuple[Box, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def scene_id(self) -> str:
        return ids.scene_id(self.source, self.name, self._geometry())

    def _geometry(self) -> dict[str, Any]:
        meta = self.to_meta()
        return {k: meta[k] for k in ("room_size", "room_center", "object_counts", "object_bbox")}

    def boxes_of(self, category: str) -> list[Box]:
        return [b for b in self.boxes if b.category == category]

    def boxes_by_category(self) -> dict[str, list[Box]]:
        """Each category's boxes in scene order; categories in the order of their first box
        (the meta record's `object_bbox` order). Callers that draw from it sort it first."""
        out: dict[str, list[Box]] = {}
        for b in self.boxes:
            out.setdefault(b.category, []).append(b)
        return out

    @property
    def categories(self) -> list[str]:
        return sorted({b.category for b in self.boxes} | set(self.object_counts))

    def to_meta(self) -> dict[str, Any]:
        """The scene as a VSI-Bench meta record (what QA programs read)."""
        return {
            "dataset": self.source,
            "room_size": self.room_size,
            "room_center": list(self.room_center),
            "object_counts": dict(self.object_counts),
            "object_bbox": {c: [b.to_meta() for b in bs] for c, bs in self.boxes_by_category().items()},
        }

    def to_row(self) -> dict[str, Any]:
        """The scene as a row of store.schema.SCENES."""
        return {
            "scene_id": self.scene_id,
            "name": self.name,
            "source": self.source,
            "room_size": self.room_size,
            "room_center": list(self.room_center),
            "object_counts": [{"category": c, "count": n} for c, n in self.object_counts.items()],
            "objects": [
                {
                    "category": b.category,
                    "instance": b.instance,
                    "centroid": list(b.centroid),
                    "axes_lengths": list(b.axes_lengths),
                    "normalized_axes": list(b.rotation),
                    "min": list(b.min),
                    "max": list(b.max),
                }
                for b in self.boxes
            ],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Scene":
        return cls(
            name=row["name"],
            source=row["source"],
            room_size=float(row["room_size"]),
            room_center=tuple(row["room_center"]),
            object_counts={c["category"]: int(c["count"]) for c in row["object_counts"]},
            boxes=tuple(
                Box(
                    category=o["category"],
                    instance=int(o["instance"]),
                    centroid=tuple(o["centroid"]),
                    axes_lengths=tuple(o["axes_lengths"]),
                    rotation=tuple(o["normalized_axes"]),
                    min=tuple(o["min"]),
                    max=tuple(o["max"]),
                )
                for o in row["objects"]
            ),
            warnings=tuple(row["warnings"]),
        )


def _vector(where: str, name: str, value: Any, length: int) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != length:
        raise SceneFormatError(where, name, f"expected a list of {length} numbers, got {value!r:.80}")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise SceneFormatError(where, name, f"expected numbers, got {v!r:.40}")
        if not math.isfinite(v):
            raise SceneFormatError(where, name, f"expected finite numbers, got {v}")
        out.append(float(v))
    return tuple(out)


def _box(where: str, category: str, instance: int, raw: Any) -> Box:
    if not isinstance(raw, Mapping):
        raise SceneFormatError(where, category, f"box {instance} is not an object")
    for key in ("centroid", "axesLengths", "normalizedAxes", "min", "max"):
        if key not in raw:
            raise SceneFormatError(where, f"{category}[{instance}].{key}", "missing")
    at = f"{category}[{instance}]"
    lengths = _vector(where, f"{at}.axesLengths", raw["axesLengths"], 3)
    if min(lengths) <= 0:
        raise SceneFormatError(where, f"{at}.axesLengths", f"lengths must be positive, got {list(lengths)}")
    rotation = _vector(where, f"{at}.normalizedAxes", raw["normalizedAxes"], 9)
    R = np.asarray(rotation).reshape(3, 3)
    if np.abs(R @ R.T - np.eye(3)).max() > ROTATION_TOLERANCE:
        raise SceneFormatError(
            where, f"{at}.normalizedAxes", "rows must be unit length and mutually orthogonal"
        )
    return Box(
        category=category,
        instance=instance,
        centroid=_vector(where, f"{at}.centroid", raw["centroid"], 3),
        axes_lengths=lengths,
        rotation=rotation,
        min=_vector(where, f"{at}.min", raw["min"], 3),
        max=_vector(where, f"{at}.max", raw["max"], 3),
    )


def scene_from_meta(name: str, meta: Any, *, source: str | None = None, where: str = "") -> Scene:
    """Validate one VSI-Bench meta record and return it as a Scene.

    Accepts `object_bbox` (VSI-Bench files) or `object_bboxes` (the program API's name).
    """
    where = f"{where}: scene {name!r}" if where else f"scene {name!r}"
    if not isinstance(meta, Mapping):
        raise SceneFormatError(where, "<scene>", "expected a JSON object")
    bbox_key = "object_bbox" if "object_bbox" in meta else "object_bboxes"
    for key in ("room_size", "room_center", "object_counts", bbox_key):
        if key not in meta:
            raise SceneFormatError(where, key, "missing")
    (room_size,) = _vector(where, "room_size", [meta["room_size"]], 1)
    if room_size <= 0:
        raise SceneFormatError(where, "room_size", f"must be positive, got {room_size}")
    counts_raw, bbox_raw = meta["object_counts"], meta[bbox_key]
    if not isinstance(counts_raw, Mapping):
        raise SceneFormatError(where, "object_counts", "expected an object {category: count}")
    if not isinstance(bbox_raw, Mapping):
        raise SceneFormatError(where, bbox_key, "expected an object {category: [box, ...]}")
    counts = {}
    for category, n in counts_raw.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise SceneFormatError(where, f"object_counts.{category}", f"expected a count >= 0, got {n!r}")
        counts[str(category)] = n
    boxes, warnings = [], []
    for category, raw_boxes in bbox_raw.items():
        if not isinstance(raw_boxes, list):
            raise SceneFormatError(where, f"{bbox_key}.{category}", "expected a list of boxes")
        boxes += [_box(where, str(category), i, b) for i, b in enumerate(raw_boxes)]
        if counts.get(category) != len(raw_boxes):
            warnings.append(
                f"object_counts[{category!r}] = {counts.get(category)} but {len(raw_boxes)} box(es)"
            )
    warnings += [
        f"object_counts[{c!r}] = {n} but no boxes" for c, n in counts.items() if c not in bbox_raw
    ]
    return Scene(
        name=str(name),
        source=str(source or meta.get("dataset") or "unknown"),
        room_size=room_size,
        room_center=_vector(where, "room_center", meta["room_center"], 3),  # type: ignore[arg-type]
        object_counts=counts,
        boxes=tuple(boxes),
        warnings=tuple(warnings),
    )


def load_vsibench_meta(path: str | Path) -> list[Scene]:
    """Read a VSI-Bench `*_meta_info_*.json` file: {scene_name: meta}, every scene validated."""
    path = Path(path)
    if not path.is_file():
        raise SceneFormatError(str(path), "<file>", "no such file")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SceneFormatError(str(path), "<json>", f"not valid JSON ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise SceneFormatError(str(path), "<file>", f"not UTF-8 text ({exc})") from exc
    if not isinstance(raw, Mapping):
        raise SceneFormatError(str(path), "<json>", "expected an object {scene_name: metadata}")
    return [scene_from_meta(name, meta, where=str(path)) for name, meta in raw.items()]


def load_meta_files(paths: Sequence[str | Path]) -> dict[str, Scene]:
    """Scenes of every meta file by name; a name in two files must be the same scene."""
    scenes: dict[str, Scene] = {}
    for path in paths:
        for scene in load_vsibench_meta(path):
            if scene.name in scenes and scenes[scene.name].scene_id != scene.scene_id:
                raise SceneFormatError(str(path), scene.name, "differs from the scene of that name in an earlier file")
            scenes[scene.name] = scene
    return scenes
