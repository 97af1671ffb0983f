"""near_duplicate: same scene, task and answer, and a question vector within the threshold."""

import numpy as np
import pytest

from curation.errors import ParamError
from curation.filters import FilterContext, apply_recipe
from tests.curation.builders import qa_frame

DISTANCE_PROGRAM = 'def compute_answer():\n    return distance_between("sofa", "lamp")\n'
COUNT = 'def compute_answer():\n    return object_counts["{}"]\n'
REWRITTEN_PROGRAM = 'def compute_answer():\n    d = distance_between("lamp", "sofa")\n    return round(d, 2)\n'


def table_encoder(vectors: dict[str, list[float]]):
    """A constructed encoder: each test question has a chosen vector, so similarities are known."""
    return lambda texts: np.array([vectors[t] for t in texts], dtype=np.float32)


def test_flags_later_rephrasings_of_the_same_question_only():
    encode = table_encoder({
        "count chairs": [1.0, 0.0, 0.0],
        "chairs, how many": [0.96, 0.28, 0.0],  # unit length, cosine 0.96 to the first
        "count tables": [0.0, 1.0, 0.0],
        "which is nearer": [0.0, 0.0, 1.0],
        "nearer, which": [0.0, 0.1, 1.0],  # cosine 0.995
    })
    rows = qa_frame([
        {"qa_id": "first", "question": "count chairs", "answer": "2"},
        {"qa_id": "rephrased", "question": "chairs, how many", "answer": "2"},
        {"qa_id": "other_object", "question": "count tables", "answer": "2"},
        {"qa_id": "other_scene", "scene_id": "s1", "question": "chairs, how many", "answer": "2"},
        {"qa_id": "other_answer", "question": "chairs, how many", "answer": "3"},
        {"qa_id": "mca", "task": "object_rel_distance", "question": "which is nearer", "answer_type": "mca",
         "options": ["A. bed", "B. sofa"], "answer": "B"},
        {"qa_id": "mca_shuffled", "task": "object_rel_distance", "question": "nearer, which", "answer_type": "mca",
         "options": ["A. sofa", "B. bed"], "answer": "A"},
    ])
    out = apply_recipe(rows, [{"near_duplicate": {}}], FilterContext(embed_questions=encode))
    assert out["drop_reason"].to_list() == [None, "near_duplicate", None, None, None, None, "near_duplicate"]
    flag = out["flags"][1][0]
    assert flag["score"] == pytest.approx(0.96, abs=1e-6) and flag["reason"] == "near_duplicate: cosine 0.96 to first"
    loose = apply_recipe(rows, [{"near_duplicate": {"threshold": 0.999}}], FilterContext(embed_questions=encode))
    assert loose["drop_reason"].to_list() == [None] * 7


def test_without_an_encoder_the_error_says_what_is_missing():
    with pytest.raises(ParamError, match="near_duplicate.*question encoder"):
        apply_recipe(qa_frame([{}]), [{"near_duplicate": {}}], FilterContext())


@pytest.mark.slow
def test_minilm_catches_a_rephrasing_that_dedupe_keeps():
    from training.encoders import text_encoder

    rows = qa_frame([
        {"question": "What is the distance between the sofa and the lamp (in meters)?", "program": DISTANCE_PROGRAM,
         "answer": "2.3", "task": "object_abs_distance"},
        {"question": "How far is the lamp from the sofa, in metres?", "program": REWRITTEN_PROGRAM,
         "answer": "2.3", "task": "object_abs_distance"},
        {"question": "How many chair(s) are in this room?", "answer": "2", "program": COUNT.format("chair")},
        {"question": "How many table(s) are in this room?", "answer": "2", "program": COUNT.format("table")},
    ])
    ctx = FilterContext(embed_questions=text_encoder())
    out = apply_recipe(rows, [{"dedupe": {}}, {"near_duplicate": {}}], ctx)
    assert [f["flagged"] for f in out["flags"][1]] == [False, True]  # dedupe keeps it, near_duplicate does not
    assert out["drop_reason"].to_list() == [None, "near_duplicate", None, None]
