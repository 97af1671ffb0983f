from tests.curation.tasks.runner import draw_rows, letter_of, run


def test_order_of_first_appearance_from_frame_info(toy_scene, executor):
    first = {"sofa": 3, "table": 0, "tv": 17, "lamp": 9, "bed": 30, "desk": 22}
    info = {toy_scene.scene_id: {"n_frames": 32, "first_frame": first, "visible_fraction": {}}}
    rows = run(draw_rows("obj_appearance_order", [toy_scene], 12, frame_info=info), [toy_scene], executor,
               frame_info=info)
    assert len(rows) == 12
    for r in rows:
        cats = r["literals"][1:5]  # after "first_frame"
        order = ", ".join(sorted(cats, key=first.get))
        assert r["answer"] == letter_of(r, order)
        assert len(set(r["options"])) == 4


def test_no_frame_info_gives_no_question(toy_scene):
    assert draw_rows("obj_appearance_order", [toy_scene], 3).height == 0
