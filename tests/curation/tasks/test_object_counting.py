from tests.curation.builders import make_box, make_scene
from tests.curation.tasks.runner import draw_rows, run


def test_counts_come_from_object_counts_not_the_box_list(executor):
    # The metadata says 3 chairs but lists 2 boxes (as some ScanNet scenes do): VSI-Bench answers 3.
    scene = make_scene("proc-counts", [make_box("chair", (0, 0, 0.4), (0.5, 0.5, 0.8), instance=i) for i in range(2)],
                       counts={"chair": 3})
    (row,) = run(draw_rows("object_counting", [scene], 1), [scene], executor)
    assert row["question"].count("chair(s)") == 1 and row["answer"] == "3"


def test_real_scenes(real_scenes, executor):
    rows = run(draw_rows("object_counting", real_scenes, 40, seed=1), real_scenes, executor)
    assert len(rows) == 40
    for r in rows:
        (category,) = r["literals"]
        assert r["answer"] == str(r["meta"]["object_counts"][category])
