"""Return values become plain JSON or an error that says why."""

import json
import math

import numpy as np
import pytest

from curation.executor.values import MAX_ITEMS, UnstorableValue, plain, to_json


def test_plain_and_numpy_values_convert():
    value = to_json({"a": (1, np.float64(2.5), np.int64(3), np.bool_(True)), "b": np.array([[1, 2]]), "c": None})
    assert value == {"a": [1, 2.5, 3, True], "b": [[1, 2]], "c": None}
    assert type(value["a"][1]) is float and type(value["a"][2]) is int and type(value["a"][3]) is bool
    assert to_json(np.str_("left")) == "left" and type(to_json(np.str_("left"))) is str


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (math.nan, "not a finite number"),
        ([1, np.float32("inf")], "value[1] is inf"),
        ({1: "a"}, "key of type int"),
        ({1, 2}, "type set"),
        (1 + 2j, "type complex"),
        ((x for x in []), "type generator"),
        (list(range(MAX_ITEMS + 1)), "more than"),
        ("x" * 1_000_001, "characters"),
        (np.array([object()]), "dtype object"),
        (["ok", "\ud800"], "not valid Unicode"),
    ],
)
def test_unstorable_values_name_the_reason(value, why):
    with pytest.raises(UnstorableValue, match=why.replace("[", r"\[")):
        to_json(value)


def test_deep_nesting_is_refused_without_recursion_error():
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(UnstorableValue, match="nested deeper"):
        to_json(deep)


def test_plain_converts_numpy_at_any_depth_of_trusted_data():
    scene = {"room_center": np.array([1.0, 2.0, 0.0]), "object_counts": {"chair": np.int64(3)},
             "object_bbox": {"chair": [{"centroid": (np.float32(0.5), 1, 2)}]}}
    out = plain(scene)
    assert json.loads(json.dumps(out)) == {"room_center": [1.0, 2.0, 0.0], "object_counts": {"chair": 3},
                                           "object_bbox": {"chair": [{"centroid": [0.5, 1, 2]}]}}
    assert type(out["object_counts"]["chair"]) is int and plain("chair") == "chair" and plain(None) is None
