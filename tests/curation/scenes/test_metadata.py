import copy
import json

import numpy as np
import pytest

from curation.errors import SceneFormatError
from curation.scenes.metadata import Scene, load_vsibench_meta, scene_from_meta


def box(centroid=(0.0, 0.0, 0.5), lengths=(1.0, 1.0, 1.0), axes=(1, 0, 0, 0, 1, 0, 0, 0, 1)):
    c, half = np.array(centroid), np.array(lengths) / 2
    return {"centroid": list(centroid), "axesLengths": list(lengths), "normalizedAxes": list(axes),
            "min": list(c - half), "max": list(c + half)}


META = {
    "room_size": 12.5, "room_center": [0.0, 0.0, 1.0], "dataset": "scannet",
    "object_counts": {"chair": 2, "table": 1},
    "object_bbox": {"chair": [box(), box((2.0, 0.0, 0.5))], "table": [box((0.0, 2.0, 0.4))]},
}


def write(tmp_path, payload, name="meta.json"):
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return path


def test_valid_scene_round_trips_through_meta_and_row():
    scene = scene_from_meta("scene0001_00", META)
    assert scene.source == "scannet" and len(scene.boxes) == 3 and scene.warnings == ()
    assert scene_from_meta("scene0001_00", scene.to_meta()).scene_id == scene.scene_id
    assert Scene.from_row(scene.to_row()) == scene


def test_object_bboxes_key_is_accepted():
    meta = {k: v for k, v in META.items() if k != "object_bbox"} | {"object_bboxes": META["object_bbox"]}
    assert scene_from_meta("s", meta).scene_id == scene_from_meta("s", META).scene_id


def test_count_mismatch_is_a_warning_not_an_error():
    meta = copy.deepcopy(META)
    meta["object_counts"]["chair"] = 3
    scene = scene_from_meta("s", meta)
    assert scene.object_counts["chair"] == 3 and len(scene.boxes_of("chair")) == 2
    assert scene.warnings == ("object_counts['chair'] = 3 but 2 box(es)",)


def test_truncated_json_names_the_file(tmp_path):
    path = write(tmp_path, json.dumps({"s": META})[:-40])
    with pytest.raises(SceneFormatError, match=r"meta\.json: field '<json>': not valid JSON"):
        load_vsibench_meta(path)


def test_missing_key_names_scene_and_field(tmp_path):
    meta = {k: v for k, v in META.items() if k != "room_center"}
    with pytest.raises(SceneFormatError, match=r"scene 'scene0002_00': field 'room_center': missing"):
        load_vsibench_meta(write(tmp_path, {"scene0002_00": meta}))


def test_nan_is_rejected_with_its_field(tmp_path):
    meta = copy.deepcopy(META)
    meta["object_bbox"]["table"][0]["centroid"][1] = float("nan")
    with pytest.raises(SceneFormatError, match=r"field 'table\[0\]\.centroid': expected finite numbers"):
        load_vsibench_meta(write(tmp_path, {"s": meta}))


def test_non_orthogonal_axes_are_rejected(tmp_path):
    meta = copy.deepcopy(META)
    meta["object_bbox"]["chair"][1]["normalizedAxes"] = [1, 0, 0, 0.3, 1, 0, 0, 0, 1]
    with pytest.raises(SceneFormatError, match=r"chair\[1\]\.normalizedAxes.*orthogonal"):
        load_vsibench_meta(write(tmp_path, {"s": meta}))


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        (("object_bbox", "chair", 0, "axesLengths"), [1.0, 0.0, 1.0], "positive"),
        (("object_counts", "chair"), -1, "count >= 0"),
        (("room_size",), "big", "expected numbers"),
        (("object_bbox", "chair"), {"centroid": [0, 0, 0]}, "list of boxes"),
    ],
)
def test_other_malformed_fields(tmp_path, path, value, fragment):
    meta = copy.deepcopy(META)
    target = meta
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SceneFormatError, match=fragment):
        load_vsibench_meta(write(tmp_path, {"s": meta}))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SceneFormatError, match="no such file"):
        load_vsibench_meta(tmp_path / "nope.json")


def test_real_scannet_and_scannetpp_files(scannet_meta, scannetpp_meta):
    scannet, scannetpp = load_vsibench_meta(scannet_meta), load_vsibench_meta(scannetpp_meta)
    assert (len(scannet), len(scannetpp)) == (88, 50)
    assert {s.source for s in scannet} == {"scannet"} and {s.source for s in scannetpp} == {"scannetpp"}
    assert len({s.scene_id for s in scannet + scannetpp}) == 138
    # The real ScanNet file has scenes whose counts disagree with their box lists.
    assert any(s.warnings for s in scannet)
    raw = json.loads(scannet_meta.read_text())
    for scene in scannet:
        assert scene.object_counts == raw[scene.name]["object_counts"]
        assert len(scene.boxes) == sum(len(b) for b in raw[scene.name]["object_bbox"].values())


def test_boxes_by_category_groups_in_scene_order_and_feeds_the_meta_record():
    from tests.curation.builders import make_box, make_scene

    sofa, chair0, chair1 = make_box("sofa", (0, 0, 0.4), (2, 1, 0.8)), make_box("chair", (1, 1, 0.5), (0.5, 0.5, 1)), \
        make_box("chair", (3, 1, 0.5), (0.5, 0.5, 1), instance=1)
    scene = make_scene("grouped", [sofa, chair0, chair1])
    grouped = scene.boxes_by_category()
    assert list(grouped) == ["sofa", "chair"]  # first-box order, as the meta record lists them
    assert grouped == {"sofa": [sofa], "chair": [chair0, chair1]}
    bbox = scene.to_meta()["object_bbox"]
    assert list(bbox) == ["sofa", "chair"] and [b["centroid"] for b in bbox["chair"]] == [[1, 1, 0.5], [3, 1, 0.5]]
