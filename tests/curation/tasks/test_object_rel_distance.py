from tests.curation.builders import make_box, make_scene
from tests.curation.tasks.reference import aabb_distance, n_points, sampled_distance
from tests.curation.tasks.runner import draw_rows, letter_of, run


def _scene(second_gap: float):
    """Primary cube at the origin; choices at known axis-aligned gaps along +x / +y / -x."""
    boxes = [
        make_box("box", (0.0, 0.0, 0.5), (1.0, 1.0, 1.0)),
        make_box("near", (1.5, 0.0, 0.5), (1.0, 1.0, 1.0)),  # gap 0.5 m
        make_box("mid", (0.0, 1.0 + second_gap, 0.5), (1.0, 1.0, 1.0)),  # gap second_gap
        make_box("far", (-3.5, 0.0, 0.5), (1.0, 1.0, 1.0)),  # gap 2.5 m
    ]
    return make_scene("proc-reldist", boxes)


def test_exact_mode_picks_the_closest_and_refuses_near_ties(executor):
    clear, tie = _scene(1.2), _scene(0.6)  # 0.5 vs 1.2 m is clear; 0.5 vs 0.6 m is within 0.15 m
    for scene, expect_answer in ((clear, True), (tie, False)):
        rows = run(draw_rows("object_rel_distance", [scene], 30, template="choices3", distance_mode="exact"),
                   [scene], executor)
        about_box = [r for r in rows if r["literals"][0] == "box"]
        assert about_box
        for r in about_box:
            boxes = r["meta"]["object_bbox"]
            choices = r["literals"][1:]
            if expect_answer:
                best = min(choices, key=lambda c: aabb_distance(boxes["box"][0], boxes[c][0]))
                assert r["answer"] == letter_of(r, best)
            else:
                assert r["answer"] is None and r["exec_value"] == '"ambiguous"'


def _expected(boxes: dict, primary: str, choices: list[str]) -> str | None:
    d = {c: sampled_distance(boxes[primary], boxes[c]) for c in choices}
    ranked = sorted(d.values())
    if ranked[0] < 0.15 or any(b - a <= 0.15 for a, b in zip(ranked, ranked[1:], strict=False)):
        return None
    return min(d, key=d.get)


def test_vsibench_mode_on_real_scenes_follows_the_015_rules(real_scenes, executor):
    rows = run(draw_rows("object_rel_distance", real_scenes, 60, template="choices2", seed=5), real_scenes, executor)
    checked = 0
    for r in rows:
        boxes = r["meta"]["object_bbox"]
        primary, *choices = r["literals"]
        if max(n_points(b) for c in r["literals"] for b in boxes[c]) > 4000:
            continue
        expected = _expected(boxes, primary, choices)
        assert r["answer"] == (None if expected is None else letter_of(r, expected.replace("_", " ")))
        checked += 1
    assert checked >= 6
