from tests.curation.tasks.runner import draw_rows, run


def test_longest_edge_rounded_to_cm_on_a_hand_made_scene(toy_scene, executor):
    rows = run(draw_rows("object_size_estimation", [toy_scene], 18), [toy_scene], executor)
    expected = {"sofa": "200", "table": "120", "tv": "110", "lamp": "160", "bed": "200", "desk": "140"}
    assert {r["literals"][0]: r["answer"] for r in rows} == expected  # chairs (2 boxes) are never asked


def test_real_scenes_round_not_truncate(real_scenes, executor):
    rows = run(draw_rows("object_size_estimation", real_scenes, 40, seed=2), real_scenes, executor)
    for r in rows:
        (box,) = r["meta"]["object_bbox"][r["literals"][0]]
        assert r["answer"] == str(round(max(box["axesLengths"]) * 100))
