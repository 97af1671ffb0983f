from collections import Counter

import pytest

from curation.errors import ParamError
from curation.selection import SelectionParams, select, with_selected
from tests.curation.builders import qa_frame, scores_frame

TASKS = ("object_rel_direction_hard", "object_rel_distance", "object_counting")


def _pool(n_per_task: int = 60):
    rows, scores = [], []
    for task in TASKS:
        for k in range(n_per_task):
            qid = f"{task}-{k}"
            mca = task != "object_counting"
            letter = "ABCD"[k % 4] if k % 10 else "A"  # A over-represented
            rows.append({"qa_id": qid, "task": task, "answer_type": "mca" if mca else "numeric",
                         "options": ["A. a", "B. b", "C. c", "D. d"] if mca else None,
                         "answer": letter if mca else str(k)})
            scores.append({"qa_id": qid, "confidence": (k * 7 % 90) / 100})
    rows += [
        {"qa_id": "dropped", "drop_reason": "invalid", "answer": None},
        {"qa_id": "amb", "ambiguous": True, "drop_reason": "perturbation"},
        {"qa_id": "amb_only", "ambiguous": True},
        {"qa_id": "trivial", "task": "object_counting"},
    ]
    scores.append({"qa_id": "trivial", "confidence": 0.99})
    return qa_frame(rows), scores_frame(scores)


def test_select_respects_budget_balances_tasks_and_letters_and_reports_reasons():
    rows, scores = _pool()
    picked, counts = select(rows, 90, SelectionParams(seed=1), scores=scores)
    assert picked.height == 90
    assert Counter(picked["task"]) == dict.fromkeys(TASKS, 30)
    letters = Counter(picked.filter(picked["answer_type"] == "mca")["answer"])
    assert max(letters.values()) - min(letters.values()) <= 2
    reasons = dict(counts.iter_rows())
    assert reasons == {"selected": 90, "over_budget": 90, "invalid": 1, "perturbation": 1, "ambiguous": 1,
                       "trivial": 1}
    assert picked.columns == rows.columns


def test_select_prefers_the_frontier_and_is_deterministic_per_seed():
    rows, scores = _pool()
    picked, _ = select(rows, 30, SelectionParams(seed=2), scores=scores)
    conf = dict(zip(scores["qa_id"], scores["confidence"], strict=True))
    chosen = [abs(conf[q] - 0.5) for q in picked["qa_id"]]
    rest = [abs(conf[q] - 0.5) for q in rows["qa_id"] if q in conf and q not in set(picked["qa_id"])]
    assert sum(chosen) / len(chosen) < 0.5 * sum(rest) / len(rest)
    again, _ = select(rows, 30, SelectionParams(seed=2), scores=scores)
    assert again["qa_id"].to_list() == picked["qa_id"].to_list()


def test_small_tasks_give_their_share_to_the_others():
    rows, scores = _pool()
    rows = rows.filter((rows["task"] != "object_counting") | (rows["qa_id"].str.ends_with("-1")))
    picked, _ = select(rows, 61, scores=scores)
    assert Counter(picked["task"]) == {"object_counting": 1, "object_rel_distance": 30,
                                       "object_rel_direction_hard": 30}


def test_selection_params_validation_names_the_field():
    with pytest.raises(ParamError, match="selection.tau_easy"):
        SelectionParams(tau_easy=2.0)


def test_with_selected_marks_exactly_the_slice():
    rows, scores = _pool(8)
    picked, _ = select(rows, 5, scores=scores)
    marked = with_selected(rows, picked)
    assert marked["selected"].sum() == 5
    assert set(marked.filter("selected")["qa_id"]) == set(picked["qa_id"])
