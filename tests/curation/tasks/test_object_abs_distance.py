import math

from tests.curation.tasks.reference import aabb_distance, n_points, sampled_distance
from tests.curation.tasks.runner import draw_rows, run

AXIS_ALIGNED = {"sofa", "table", "tv"}


def _near_rounding_edge(d: float) -> bool:
    return abs(d * 10 - math.floor(d * 10) - 0.5) < 0.05


def test_exact_mode_is_the_closest_point_distance(toy_scene, executor):
    rows = run(draw_rows("object_abs_distance", [toy_scene], 40, distance_mode="exact"), [toy_scene], executor)
    checked = set()
    for r in rows:
        a, b = r["literals"]
        assert "exact" in r["program"]
        if {a, b} <= AXIS_ALIGNED:
            boxes = r["meta"]["object_bbox"]
            assert r["answer"] == str(round(aabb_distance(boxes[a][0], boxes[b][0]), 1))
            checked.add(frozenset((a, b)))
    assert len(checked) == 3  # sofa-table 0.87, sofa-tv 3.0, table-tv 1.53


def test_vsibench_mode_is_the_point_sampled_distance_on_real_scenes(real_scenes, executor):
    rows = run(draw_rows("object_abs_distance", real_scenes, 80, seed=4), real_scenes, executor)
    checked = 0
    for r in rows:
        boxes = [r["meta"]["object_bbox"][c] for c in r["literals"]]
        if max(n_points(b[0]) for b in boxes) > 6000:
            continue  # keep the independent brute force cheap
        d = sampled_distance(*boxes)
        if not _near_rounding_edge(d):
            assert r["answer"] == str(round(d, 1)), (r["question"], d)
            checked += 1
    assert checked >= 8
