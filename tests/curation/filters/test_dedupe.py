from curation.filters import apply_recipe
from tests.curation.builders import qa_frame

P1 = 'def compute_answer():\n    return object_counts["chair"]\n'
P2 = 'def compute_answer():\n    return object_counts["table"]\n'


def test_dedupe_flags_later_paraphrases_and_near_identical_wording_per_scene():
    rows = qa_frame([
        {"qa_id": "first", "question": "How many chair(s) are in this room?", "program": P1},
        {"qa_id": "paraphrase", "question": "Count the chair(s) in this room.", "program": P1},
        {"qa_id": "recased", "question": "how many CHAIR(s) are in this room", "program": P1 + "# again\n"},
        {"qa_id": "other_object", "question": "How many table(s) are in this room?", "program": P2},
        {"qa_id": "other_scene", "scene_id": "s1", "question": "How many chair(s) are in this room?", "program": P1},
    ])
    out = apply_recipe(rows, [{"dedupe": {}}])
    assert out["drop_reason"].to_list() == [None, "duplicate", "duplicate", None, None]
    assert out["flags"][1][0]["reason"] == "duplicate: similarity 1.0 to first"


def test_dedupe_threshold_parameter():
    rows = qa_frame([
        {"question": "How many chair(s) are in this room?", "program": P1},
        {"question": "How many table(s) are in this room?", "program": P2},
    ])
    assert apply_recipe(rows, [{"dedupe": {"threshold": 0.5}}])["drop_reason"].to_list() == [None, "duplicate"]
