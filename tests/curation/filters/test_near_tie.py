from curation.filters import apply_recipe
from tests.curation.builders import qa_frame


def test_near_tie_uses_per_task_margins_and_skips_rows_without_margin():
    rows = qa_frame([
        {"qa_id": "close_choices", "task": "object_rel_distance", "difficulty": {"margin": 0.05}},
        {"qa_id": "clear_choices", "task": "object_rel_distance", "difficulty": {"margin": 0.8}},
        {"qa_id": "edge_angle", "task": "object_rel_direction_hard", "difficulty": {"margin": 4.0}},
        {"qa_id": "clear_angle", "task": "object_rel_direction_hard", "difficulty": {"margin": 40.0}},
        {"qa_id": "no_margin", "task": "object_rel_distance", "difficulty": {}},
        {"qa_id": "other_task", "task": "object_counting", "difficulty": {"margin": 0.0}},
    ])
    out = apply_recipe(rows, [{"near_tie": {}}])
    assert out.filter(out["ambiguous"])["qa_id"].to_list() == ["close_choices", "edge_angle"]
    assert out["drop_reason"].to_list() == ["near_tie", None, "near_tie", None, None, None]
    scores = [f[0]["score"] for f in out["flags"].to_list()]
    assert scores == [0.05, 0.8, 4.0, 40.0, None, None]


def test_near_tie_thresholds_are_parameters():
    rows = qa_frame([{"task": "object_rel_distance", "difficulty": {"margin": 0.5}}])
    assert apply_recipe(rows, [{"near_tie": {"margins": {"object_rel_distance": 1.0}}}])["ambiguous"][0]
