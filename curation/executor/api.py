"""The namespace a QA program sees: scene names, read-only module proxies, safe builtins, helpers.

Follows ../shared/data/vqagen/API.md. Names: `scene_info`, `frame_info`, `object_counts`,
`object_bboxes` (= `object_bbox`), `room_size` (m^2), `room_center` [x, y, z], `inf`,
`np`/`numpy`/`math` (read-only proxies: no file I/O, no global-state setters, no
submodules but `linalg`) and the helpers below. All helpers take the boxes dict
explicitly; angles follow `geometry.direction_angles` (xy-plane, CCW, degrees).

Distances between categories:
- `cal_3d_bbox_distance_between_categories(boxes_a, boxes_b)`: VSI-Bench's point-sampled
  distance (what the corpus and the benchmark labels use; `geometry.sampled_category_distance`);
- `cal_3d_bbox_exact_distance_between_categories(boxes_a, boxes_b)`: the true closest-point
  distance (`geometry.exact_category_distance`), never above the sampled one.
Both raise ValueError when a list is empty, as the reference implementation fails there.

`build_namespace` is called once per program on a private copy of the scene, so nothing a
program does to these objects reaches the next program.
"""

import builtins
import math
import types
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.linalg  # noqa: F401  (imported before the worker drops file access)

from curation.executor import geometry

NUMPY_DENIED = frozenset(
    """load save savez savez_compressed savetxt loadtxt genfromtxt fromregex fromfile memmap
    DataSource set_printoptions get_printoptions printoptions seterr geterr seterrcall geterrcall
    errstate setbufsize getbufsize set_string_function show_config show_runtime info lookfor
    source test get_include add_newdoc add_docstring add_newdoc_ufunc deprecate deprecate_with_doc
    byte_bounds who safe_eval disp bmat""".split()
)
SAFE_BUILTIN_NAMES = """abs all any ascii bin bool bytes callable chr complex dict divmod enumerate
    filter float format frozenset hash hex int isinstance issubclass iter len list map max min next
    oct ord pow range repr reversed round set slice sorted str sum tuple zip
    ArithmeticError AssertionError AttributeError Exception IndexError KeyError LookupError
    NameError NotImplementedError OverflowError RuntimeError StopIteration TypeError ValueError
    ZeroDivisionError True False None NotImplemented Ellipsis""".split()


class ReadOnlyModule:
    """A module stand-in exposing only allowed members; setting or deleting attributes raises."""

    __slots__ = ("_name", "_members")

    def __init__(self, name: str, members: Mapping[str, Any]):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_members", types.MappingProxyType(dict(members)))

    def __getattr__(self, attr: str) -> Any:
        try:
            return self._members[attr]
        except KeyError:
            raise AttributeError(f"{self._name}.{attr} is not available in the sandbox") from None

    def __setattr__(self, attr: str, value: Any) -> None:
        raise AttributeError(f"{self._name} is read-only in the sandbox (cannot set {attr!r})")

    def __delattr__(self, attr: str) -> None:
        raise AttributeError(f"{self._name} is read-only in the sandbox (cannot delete {attr!r})")

    def __dir__(self) -> list[str]:
        return sorted(self._members)

    def __repr__(self) -> str:
        return f"<sandboxed module {self._name!r}>"


def _public_members(module: types.ModuleType, denied: frozenset[str]) -> dict[str, Any]:
    members = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in dir(module):
            if name.startswith("_") or name in denied:
                continue
            try:
                value = getattr(module, name)
            except AttributeError:  # deprecated aliases that raise on access
                continue
            # Modules are proxied separately; shared mutable containers (np.typecodes, np.sctypeDict)
            # would let one program change what the next one sees.
            if not isinstance(value, types.ModuleType | dict | list | set | bytearray | np.ndarray):
                members[name] = value
    return members


def _numpy_proxy() -> ReadOnlyModule:
    members = _public_members(np, NUMPY_DENIED)
    members["linalg"] = ReadOnlyModule("numpy.linalg", _public_members(np.linalg, frozenset()))
    return ReadOnlyModule("numpy", members)


NUMPY = _numpy_proxy()
MATH = ReadOnlyModule("math", _public_members(math, frozenset()))
MODULE_PROXIES = {"numpy": NUMPY, "math": MATH}


def _sandbox_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    """`import numpy` / `from math import x` inside a program: the read-only proxies, nothing else.

    The static check already refused every other import; this is the second lock.
    """
    if level == 0:
        if name == "numpy.linalg" and fromlist:
            return NUMPY.linalg
        if name in MODULE_PROXIES:
            return MODULE_PROXIES[name]
    raise ImportError(f"import of {name!r} is not available in the sandbox")


def _discard_print(*args: Any, **kwargs: Any) -> None:
    """Programs may print while debugging; output goes nowhere (stdout carries the worker protocol)."""


SAFE_BUILTINS: Mapping[str, Any] = types.MappingProxyType(
    {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
    | {"print": _discard_print, "__import__": _sandbox_import}
)


# ---------------------------------------------------------------------------- helpers (API.md)


def _boxes(category: str, object_bboxes: Mapping[str, Any]) -> list[Any]:
    return list(object_bboxes.get(category, None) or [])


def get_centroid(category: str, object_bboxes: Mapping[str, Any], index: int = 0) -> np.ndarray | None:
    """Centroid [3] of instance `index` of `category`, or None if there is no such instance."""
    boxes = _boxes(category, object_bboxes)
    if 0 <= index < len(boxes) or -len(boxes) <= index < 0:
        return np.array(boxes[index]["centroid"], dtype=np.float64)
    return None


def get_all_centroids(category: str, object_bboxes: Mapping[str, Any]) -> list[np.ndarray]:
    """Centroids of every instance of `category` ([] if absent)."""
    return [np.array(box["centroid"], dtype=np.float64) for box in _boxes(category, object_bboxes)]


def euclidean_distance(p: Any, q: Any) -> float:
    """|p - q| in metres."""
    return float(np.linalg.norm(np.asarray(p, dtype=np.float64) - np.asarray(q, dtype=np.float64)))


def _extreme_object(
    reference_category: str, object_bboxes: Mapping[str, Any], exclude_categories: Any, farthest: bool
) -> str | None:
    ref = _boxes(reference_category, object_bboxes)
    if not ref:
        return None
    origin = np.array(ref[0]["centroid"], dtype=np.float64)
    excluded = set(exclude_categories or ()) | {reference_category}
    best, best_category = (-math.inf if farthest else math.inf), None
    for category, boxes in object_bboxes.items():
        if category in excluded:
            continue
        for box in boxes or ():
            d = float(np.linalg.norm(np.array(box["centroid"], dtype=np.float64) - origin))
            if (d > best) if farthest else (d < best):
                best, best_category = d, category
    return best_category


def find_closest_object(
    reference_category: str, object_bboxes: Mapping[str, Any], exclude_categories: Any = None
) -> str | None:
    """Category of the instance centroid nearest the reference's first centroid (reference excluded), or None."""
    return _extreme_object(reference_category, object_bboxes, exclude_categories, farthest=False)


def find_farthest_object(
    reference_category: str, object_bboxes: Mapping[str, Any], exclude_categories: Any = None
) -> str | None:
    """Category of the instance centroid farthest from the reference's first centroid, or None."""
    return _extreme_object(reference_category, object_bboxes, exclude_categories, farthest=True)


def count_objects_within_distance(
    reference_category: str, target_category: str, object_bboxes: Mapping[str, Any], threshold: float
) -> int:
    """Target instances whose centroid is <= `threshold` m from the reference's first centroid; 0 without reference."""
    ref = _boxes(reference_category, object_bboxes)
    if not ref:
        return 0
    origin = np.array(ref[0]["centroid"], dtype=np.float64)
    return sum(
        1
        for box in _boxes(target_category, object_bboxes)
        if np.linalg.norm(np.array(box["centroid"], dtype=np.float64) - origin) <= threshold
    )


def cal_3d_bbox_distance_between_categories(boxes_a: Any, boxes_b: Any) -> float:
    """VSI-Bench's point-sampled distance (m) between two lists of boxes."""
    return geometry.sampled_category_distance(boxes_a, boxes_b)


def cal_3d_bbox_exact_distance_between_categories(boxes_a: Any, boxes_b: Any) -> float:
    """The exact closest-point distance (m) between two lists of boxes."""
    return geometry.exact_category_distance(boxes_a, boxes_b)


def _angles(positioning: str, orienting: str, querying: str, object_bboxes: Mapping[str, Any]) -> np.ndarray | None:
    found = [_boxes(c, object_bboxes) for c in (positioning, orienting, querying)]
    if not all(found):
        return None
    standing, facing, query = (boxes[0] for boxes in found)
    return geometry.direction_angles(standing["centroid"], facing["centroid"], query)


def get_rel_direction_quadrant(
    positioning_category: str, orienting_category: str, querying_category: str, object_bboxes: Mapping[str, Any]
) -> str:
    """Standing at the first positioning centroid facing the first orienting one (xy-plane), where the
    querying object is: front-left | front-right | back-left | back-right; "ambiguous" near a quadrant
    edge, when its box straddles one, or when a category is absent (geometry.quadrant_direction)."""
    angles = _angles(positioning_category, orienting_category, querying_category, object_bboxes)
    return "ambiguous" if angles is None else geometry.quadrant_direction(angles)


def get_rel_direction_lr(
    positioning_category: str, orienting_category: str, querying_category: str, object_bboxes: Mapping[str, Any]
) -> str:
    """As get_rel_direction_quadrant, but left | right; "ambiguous" when the object is behind, near a
    bin edge or a category is absent (geometry.lr_direction)."""
    angles = _angles(positioning_category, orienting_category, querying_category, object_bboxes)
    return "ambiguous" if angles is None else geometry.lr_direction(angles)


def get_rel_direction_lrb(
    positioning_category: str, orienting_category: str, querying_category: str, object_bboxes: Mapping[str, Any]
) -> str:
    """As get_rel_direction_lr, but left | right | back (geometry.lrb_direction)."""
    angles = _angles(positioning_category, orienting_category, querying_category, object_bboxes)
    return "ambiguous" if angles is None else geometry.lrb_direction(angles)


def get_closest_among_choices(primary_category: str, choice_categories: Any, object_bboxes: Mapping[str, Any]) -> str:
    """The choice category nearest the primary (sampled box distance, nearest instances); "ambiguous" when
    the primary is absent, fewer than 2 choices are present, or two distances nearly tie
    (geometry.closest_choice)."""
    primary = _boxes(primary_category, object_bboxes)
    if not primary:
        return "ambiguous"
    distances = {}
    for category in choice_categories:
        boxes = _boxes(category, object_bboxes)
        if boxes:
            distances[category] = geometry.sampled_category_distance(boxes, primary)
    return geometry.closest_choice(distances)


HELPERS: Mapping[str, Callable[..., Any]] = types.MappingProxyType(
    {
        f.__name__: f
        for f in (
            get_centroid,
            get_all_centroids,
            euclidean_distance,
            find_closest_object,
            find_farthest_object,
            count_objects_within_distance,
            cal_3d_bbox_distance_between_categories,
            cal_3d_bbox_exact_distance_between_categories,
            get_rel_direction_quadrant,
            get_rel_direction_lr,
            get_rel_direction_lrb,
            get_closest_among_choices,
        )
    }
)


def build_namespace(scene: dict[str, Any], frame_info: dict[str, Any] | None) -> dict[str, Any]:
    """The globals of one program run. `scene` and `frame_info` must be the run's private copies."""
    boxes = scene.get("object_bbox")
    if boxes is None:
        boxes = scene.get("object_bboxes", {})
    scene.setdefault("object_bbox", boxes)
    scene.setdefault("object_bboxes", boxes)
    return {
        "__builtins__": dict(SAFE_BUILTINS),
        "scene_info": scene,
        "frame_info": frame_info if frame_info is not None else {},
        "object_counts": scene.get("object_counts", {}),
        "object_bboxes": boxes,
        "object_bbox": boxes,
        "room_size": scene.get("room_size"),
        "room_center": scene.get("room_center"),
        "inf": math.inf,
        "np": NUMPY,
        "numpy": NUMPY,
        "math": MATH,
        **HELPERS,
    }
