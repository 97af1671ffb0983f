import pytest

from curation.errors import ParamError
from curation.filters import FilterContext, apply_recipe
from curation.filters.jitter import jitter_scene
from curation.gold import execute_proposals
from curation.proposer.rows import proposal_frame, proposal_row
from curation.tasks import Candidate
from tests.curation.builders import make_box, make_scene, qa_frame

CLOSEST = """def compute_answer():
    a = cal_3d_bbox_distance_between_categories(object_bboxes["box"], object_bboxes["left"])
    b = cal_3d_bbox_distance_between_categories(object_bboxes["box"], object_bboxes["right"])
    return "left" if a < b else "right"
"""
DISTANCE = """def compute_answer():
    return round(cal_3d_bbox_exact_distance_between_categories(object_bboxes["box"], object_bboxes["left"]), 2)
"""


def _scene(right_gap: float):
    """A cube with a neighbour 1.0 m to its left and one `right_gap` m to its right."""
    return make_scene(f"proc-tie-{right_gap}", [
        make_box("box", (0.0, 0.0, 0.5), (1.0, 1.0, 1.0)),
        make_box("left", (-2.0, 0.0, 0.5), (1.0, 1.0, 1.0)),
        make_box("right", (1.0 + right_gap, 0.0, 0.5), (1.0, 1.0, 1.0)),
    ])


def _rows(scenes, program, answer_type, options):
    candidate = Candidate("object_rel_distance", "t", "q?", options, answer_type, program, {}, "na")
    return proposal_frame([proposal_row(candidate, s.scene_id, proposer="template", round=0) for s in scenes])


def test_flags_a_near_tie_and_not_a_clear_case(executor):
    near_tie, clear = _scene(1.02), _scene(3.0)  # 1.00 vs 1.02 m: 3-5 cm of noise flips it
    scenes = [near_tie, clear]
    rows = execute_proposals(_rows(scenes, CLOSEST, "mca", ("A. left", "B. right")), scenes, executor)
    assert rows["answer"].to_list() == ["A", "A"]
    ctx = FilterContext(scenes={s.scene_id: s for s in scenes}, executor=executor, seed=1)
    out = apply_recipe(rows, [{"perturbation": {"k": 6}}], ctx)
    assert out["drop_reason"].to_list() == ["perturbation", None]
    assert out["ambiguous"].to_list() == [True, False]
    scores = [f[0]["score"] for f in out["flags"].to_list()]
    assert scores[0] > 0 and scores[1] == 0.0


def test_numeric_answers_use_a_relative_tolerance(executor):
    scene = _scene(3.0)
    rows = execute_proposals(_rows([scene], DISTANCE, "numeric", None), [scene], executor)
    ctx = FilterContext(scenes={scene.scene_id: scene}, executor=executor)
    assert rows["answer"][0] == "1.0"
    assert apply_recipe(rows, [{"perturbation": {"rel_tol": 0.2}}], ctx)["drop_reason"][0] is None
    assert apply_recipe(rows, [{"perturbation": {"rel_tol": 0.001}}], ctx)["drop_reason"][0] == "perturbation"


def test_jitter_stays_within_measurement_noise():
    scene = _scene(1.0)
    for copy in range(5):
        moved = jitter_scene(scene, seed=0, copy=copy)
        for before, after in zip(scene.boxes, moved.boxes, strict=True):
            shift = sum((a - b) ** 2 for a, b in zip(after.centroid, before.centroid, strict=True)) ** 0.5
            assert 0.03 - 1e-9 <= shift <= 0.05 + 1e-9
            for a, b in zip(after.axes_lengths, before.axes_lengths, strict=True):
                assert abs(a / b - 1) <= 0.05 + 1e-9
            assert after.R.tolist() == before.R.tolist()
    assert jitter_scene(scene, 0, 1) == jitter_scene(scene, 0, 1)
    assert jitter_scene(scene, 0, 2, key="abc") != jitter_scene(scene, 0, 2)  # the key seeds the copy


def test_rows_without_gold_are_not_measured_and_bad_params_name_the_field():
    counting = 'def compute_answer():\n    return object_counts["chair"]\n'
    rows = qa_frame([{"answer": None}, {"answer": "2", "program": counting}])
    out = apply_recipe(rows, [{"perturbation": {}}], FilterContext())  # neither row needs the executor
    assert [f[0]["score"] for f in out["flags"].to_list()] == [None, 0.0]
    assert out["drop_reason"].to_list() == [None, None]
    with pytest.raises(ParamError, match="filters.perturbation.k"):
        apply_recipe(proposal_frame([]), [{"perturbation": {"k": 0}}])
