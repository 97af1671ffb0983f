"""The program API (API.md) on hand-built scenes, called in-process: helpers are plain functions."""

import math

import numpy as np
import pytest

from curation.executor import api
from tests.curation.executor.conftest import make_box, make_scene

# Standing at the table (origin) facing the tv (+y): the lamp is front-left, the sofa back-right.
SCENE = make_scene(
    {
        "table": [make_box([0, 0, 0], [1, 1, 1])],
        "tv": [make_box([0, 4, 0], [0.4, 0.1, 0.3])],
        "lamp": [make_box([-2, 2, 0], [0.3, 0.3, 0.3])],
        "sofa": [make_box([4, -2, 0], [2, 1, 1])],
        "chair": [make_box([3, 4, 0], [0.5, 0.5, 0.5]), make_box([1.5, 0, 0], [0.5, 0.5, 0.5])],
        "empty": [],
    }
)
BOXES = SCENE["object_bbox"]


def test_centroid_helpers():
    assert api.get_centroid("chair", BOXES, 1).tolist() == [1.5, 0, 0]
    assert api.get_centroid("chair", BOXES, 2) is None
    assert api.get_centroid("piano", BOXES) is None
    assert [c.tolist() for c in api.get_all_centroids("chair", BOXES)] == [[3, 4, 0], [1.5, 0, 0]]
    assert api.get_all_centroids("piano", BOXES) == []
    assert api.euclidean_distance([0, 0, 0], np.array([3.0, 4.0, 0.0])) == 5.0


def test_closest_and_farthest_object_by_centroid():
    assert api.find_closest_object("table", BOXES) == "chair"  # its second instance, 1.5 m away
    assert api.find_closest_object("table", BOXES, exclude_categories=["chair"]) == "lamp"
    assert api.find_farthest_object("table", BOXES) == "chair"  # first instance at 5 m
    assert api.find_farthest_object("table", BOXES, exclude_categories=["chair"]) == "sofa"
    assert api.find_closest_object("piano", BOXES) is None


def test_count_within_distance_includes_the_threshold():
    assert api.count_objects_within_distance("table", "chair", BOXES, 5.0) == 2  # (3, 4, 0) is exactly 5 m away
    assert api.count_objects_within_distance("table", "chair", BOXES, 4.999) == 1
    assert api.count_objects_within_distance("piano", "chair", BOXES, 10) == 0


def test_distance_helpers_sampled_and_exact():
    sampled = api.cal_3d_bbox_distance_between_categories(BOXES["table"], BOXES["chair"])
    exact = api.cal_3d_bbox_exact_distance_between_categories(BOXES["table"], BOXES["chair"])
    assert exact == pytest.approx(0.75, abs=1e-12)  # faces at x = 0.5 and x = 1.25
    assert 0.75 <= sampled < 0.751  # aligned faces survive; the two grids' y/z ticks differ by < 3 mm
    with pytest.raises(ValueError, match="no boxes"):
        api.cal_3d_bbox_distance_between_categories(BOXES["table"], BOXES.get("piano", []))


def test_direction_helpers():
    assert api.get_rel_direction_quadrant("table", "tv", "lamp", BOXES) == "front-left"
    assert api.get_rel_direction_quadrant("table", "tv", "sofa", BOXES) == "back-right"
    assert api.get_rel_direction_lr("table", "tv", "lamp", BOXES) == "left"
    assert api.get_rel_direction_lr("table", "tv", "sofa", BOXES) == "right"  # 243.4 degrees
    assert api.get_rel_direction_lrb("tv", "table", "lamp", BOXES) == "right"  # facing -y flips sides
    for helper in (api.get_rel_direction_quadrant, api.get_rel_direction_lr, api.get_rel_direction_lrb):
        assert helper("table", "tv", "piano", BOXES) == "ambiguous"  # a missing category
        assert helper("table", "empty", "lamp", BOXES) == "ambiguous"


def test_closest_among_choices():
    # exact = sampled here: table->chair 0.75, table->lamp ~1.85, table->tv 3.45
    assert api.get_closest_among_choices("table", ["lamp", "chair", "tv", "piano"], BOXES) == "chair"
    assert api.get_closest_among_choices("table", ["lamp", "piano"], BOXES) == "ambiguous"  # 1 present choice
    assert api.get_closest_among_choices("piano", ["lamp", "chair"], BOXES) == "ambiguous"


def test_namespace_names_and_aliases():
    ns = api.build_namespace(dict(SCENE), {"n_frames": 3})
    assert ns["object_bboxes"] is ns["object_bbox"] is ns["scene_info"]["object_bboxes"]
    assert ns["room_size"] == 20.0 and ns["inf"] == math.inf and ns["frame_info"] == {"n_frames": 3}
    assert set(api.HELPERS) <= set(ns)
    other = api.build_namespace({"object_bboxes": {"x": []}, "object_counts": {"x": 0}}, None)
    assert other["object_bbox"] == {"x": []} and other["frame_info"] == {} and other["room_size"] is None


def test_module_proxies_are_read_only_and_lack_file_access():
    assert api.NUMPY.array([1, 2]).sum() == 3 and api.NUMPY.linalg.norm([3, 4]) == 5.0
    assert api.MATH.pi == math.pi
    with pytest.raises(AttributeError, match="read-only"):
        api.MATH.pi = 3
    with pytest.raises(AttributeError, match="read-only"):
        del api.NUMPY.array
    for name in ("load", "save", "fromfile", "memmap", "lib", "ctypeslib", "random", "set_printoptions", "typecodes"):
        with pytest.raises(AttributeError, match="not available"):
            getattr(api.NUMPY, name)
    with pytest.raises(ImportError):
        api.SAFE_BUILTINS["__import__"]("os")
    assert api.SAFE_BUILTINS["__import__"]("numpy") is api.NUMPY
    assert "open" not in api.SAFE_BUILTINS and "getattr" not in api.SAFE_BUILTINS
