import numpy as np
import pytest

from curation.scenes.camera import walkthrough
from curation.scenes.procedural import generate_scene
from curation.scenes.render import render_path
from curation.scenes.visibility import MIN_VISIBLE_FRACTION, first_seen, frame_info, instance_fractions, visible_objects


def _rows(*items):
    return [{"category": c, "instance": i, "fraction": f} for c, i, f in items]


def test_instance_fractions_count_pixels():
    mask = np.array([[-1, 0, 0, 2], [2, 2, -1, -1]], dtype=np.int32)
    assert instance_fractions(mask, 3).tolist() == [2 / 8, 0.0, 3 / 8]
    with pytest.raises(ValueError, match="box index 2"):
        instance_fractions(mask, 2)


def test_first_seen_and_frame_info_shape():
    frames = [
        _rows(("chair", 0, 0.001)),  # below the minimum: not yet seen
        _rows(("chair", 0, 0.05), ("chair", 1, 0.01), ("table", 0, 0.2)),
        _rows(("table", 0, 0.1), ("chair", 1, 0.001), ("chair", 2, 0.0015)),
    ]
    assert first_seen(frames) == {("chair", 0): 1, ("chair", 1): 1, ("table", 0): 1}
    info = frame_info(frames, categories=["chair", "table", "sofa"])
    assert info["n_frames"] == 3
    assert info["first_frame"] == {"chair": 1, "table": 1}  # sofa never seen: no entry
    assert info["visible_fraction"]["chair"] == pytest.approx([0.001, 0.06, 0.0025])  # summed per category
    assert info["visible_fraction"]["sofa"] == [0.0, 0.0, 0.0]
    assert info["first_frame"]["chair"] == 1 and 0.0025 >= MIN_VISIBLE_FRACTION  # frame 2's sum counts too


def test_category_sum_can_reach_the_minimum_when_instances_do_not():
    frames = [_rows(("cup", 0, 0.0012), ("cup", 1, 0.0012))]
    assert frame_info(frames)["first_frame"] == {"cup": 0}
    assert first_seen(frames) == {}


def test_rendered_visibility_matches_the_mask():
    scene = generate_scene(1)
    frames = render_path(scene, walkthrough(scene, 4, width=64, height=64))
    rows = [visible_objects(scene, f.instance) for f in frames]
    for frame, visible in zip(frames, rows, strict=True):
        total = sum(r["fraction"] for r in visible)
        assert total == pytest.approx((frame.instance >= 0).mean())
        index_of = {(b.category, b.instance): i for i, b in enumerate(scene.boxes)}
        for r in visible:
            index = index_of[(r["category"], r["instance"])]
            assert r["fraction"] == pytest.approx((frame.instance == index).mean())
    info = frame_info(rows, scene.categories)
    assert set(info["visible_fraction"]) == set(scene.categories)
    assert all(len(v) == 4 for v in info["visible_fraction"].values())
    assert info["first_frame"]  # a walk through a furnished room sees something
