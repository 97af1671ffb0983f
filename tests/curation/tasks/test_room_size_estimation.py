from tests.curation.tasks.runner import draw_rows, run


def test_room_size_rounded_to_a_tenth(toy_scene, real_scenes, executor):
    (toy,) = run(draw_rows("room_size_estimation", [toy_scene], 1), [toy_scene], executor)
    assert toy["answer"] == "23.5"  # 23.46 m^2
    scenes = real_scenes[:15]
    rows = run(draw_rows("room_size_estimation", scenes, 16, seed=3), scenes, executor)
    assert len({r["scene_id"] for r in rows}) >= 10
    for r in rows:
        assert r["answer"] == str(round(r["meta"]["room_size"], 1))
        assert "If multiple rooms are shown" in r["question"]
