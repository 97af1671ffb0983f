from curation.filters import apply_recipe
from tests.curation.builders import qa_frame

MCA = {"answer_type": "mca", "options": ["A. left", "B. right"], "task": "object_rel_direction_easy"}


def test_invalid_flags_each_kind_of_unusable_answer_and_keeps_good_rows():
    rows = qa_frame([
        {"qa_id": "good_numeric"},
        {"qa_id": "good_mca", **MCA, "exec_value": '"right"', "answer": "B"},
        {"qa_id": "error", "exec_status": "error", "exec_value": None, "answer": None},
        {"qa_id": "none", "exec_value": None, "answer": None},
        {"qa_id": "nan", "exec_value": "NaN", "answer": None},
        {"qa_id": "ambiguous", **MCA, "exec_value": '"ambiguous"', "answer": None},
        {"qa_id": "not_an_option", **MCA, "exec_value": '"back"', "answer": None},
        {"qa_id": "dup_options", **MCA, "options": ["A. left", "B. left"], "exec_value": '"left"', "answer": "A"},
    ])
    out = apply_recipe(rows, [{"invalid": {}}])
    reasons = dict(zip(out["qa_id"], out["drop_reason"], strict=True))
    assert reasons == {
        "good_numeric": None, "good_mca": None, "error": "invalid", "none": "invalid", "nan": "invalid",
        "ambiguous": "invalid", "not_an_option": "invalid", "dup_options": "invalid",
    }
    details = {r["qa_id"]: r["flags"][0]["reason"] for r in out.iter_rows(named=True)}
    assert details["error"] == "invalid: exec error"
    assert details["nan"] == "invalid: returned nan"
    assert details["ambiguous"] == "invalid: returned ambiguous"
    assert details["not_an_option"] == "invalid: answer not among options"
    assert details["dup_options"] == "invalid: duplicate options"
    assert out["flags"][0].to_list() == [{"filter": "invalid", "score": 0.0, "flagged": False, "reason": None}]
    assert not out["ambiguous"].any()
