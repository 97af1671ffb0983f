from collections import Counter

import pytest
from pydantic import ValidationError

from curation.bands import BandParams
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
    picked, counts = select(rows, SelectionParams(budget=90), seed=1, scores=scores)
    assert picked.height == 90
    assert Counter(picked["task"]) == dict.fromkeys(TASKS, 30)
    letters = Counter(picked.filter(picked["answer_type"] == "mca")["answer"])
    assert max(letters.values()) - min(letters.values()) <= 2
    reasons = dict(counts.iter_rows())
    assert reasons == {"selected": 90, "over_budget": 90, "invalid": 1, "perturbation": 1, "ambiguous": 1,
                       "trivial": 1}
    assert picked.columns == rows.columns


def _q(qa_id: str, p: float) -> float:
    """Chance-corrected confidence, written out: the pool's MCA rows have 4 options."""
    return p if qa_id.startswith("object_counting") else max(0.0, (p - 0.25) / 0.75)


def test_select_prefers_the_chance_corrected_frontier_and_is_deterministic_per_seed():
    rows, scores = _pool()
    picked, _ = select(rows, SelectionParams(budget=30), seed=2, scores=scores)
    conf = dict(zip(scores["qa_id"], scores["confidence"], strict=True))
    chosen = [abs(_q(q, conf[q]) - 0.5) for q in picked["qa_id"]]
    rest = [abs(_q(q, conf[q]) - 0.5) for q in rows["qa_id"] if q in conf and q not in set(picked["qa_id"])]
    assert sum(chosen) / len(chosen) < 0.5 * sum(rest) / len(rest)
    again, _ = select(rows, SelectionParams(budget=30), seed=2, scores=scores)
    assert again["qa_id"].to_list() == picked["qa_id"].to_list()


def test_a_two_option_row_at_chance_is_hard_not_frontier():
    rows = qa_frame([{"qa_id": "coin", "task": "object_rel_direction_easy", "answer_type": "mca",
                      "options": ["A. left", "B. right"], "answer": "A"},
                     {"qa_id": "half", "task": "object_counting"}])
    scores = scores_frame([{"qa_id": "coin", "confidence": 0.5}, {"qa_id": "half", "confidence": 0.5}])
    picked, _ = select(rows, SelectionParams(budget=1, unscored_distance=0.0), scores=scores)
    assert picked["qa_id"].to_list() == ["half"]  # q = 0.5 is the frontier; the coin flip has q = 0
    raw, _ = select(rows, SelectionParams(budget=2), scores=scores, bands=BandParams(chance_correction=False))
    assert raw.height == 2


def test_task_weights_share_the_budget_and_relative_direction_levels_are_one_task():
    rows, scores = _pool()
    extra = qa_frame([{"qa_id": f"easy-dir-{k}", "task": "object_rel_direction_easy", "answer_type": "mca",
                       "options": ["A. left", "B. right"], "answer": "AB"[k % 2]} for k in range(60)])
    rows = rows.vstack(extra.select(rows.columns))
    weights = {"object_counting": 2.0, "object_rel_distance": 1.0, "object_rel_direction": 1.0}
    picked, _ = select(rows, SelectionParams(budget=80), scores=scores, task_weights=weights)
    groups = Counter("object_rel_direction" if t.startswith("object_rel_direction") else t for t in picked["task"])
    assert groups == {"object_counting": 40, "object_rel_distance": 20, "object_rel_direction": 20}


def test_small_tasks_give_their_share_to_the_others():
    rows, scores = _pool()
    rows = rows.filter((rows["task"] != "object_counting") | (rows["qa_id"].str.ends_with("-1")))
    picked, _ = select(rows, SelectionParams(budget=61), scores=scores)
    assert Counter(picked["task"]) == {"object_counting": 1, "object_rel_distance": 30,
                                       "object_rel_direction_hard": 30}


def test_selection_params_validation_names_the_field():
    with pytest.raises(ValidationError, match="frontier"):
        SelectionParams(frontier=2.0)
    with pytest.raises(ValidationError, match="budget"):
        SelectionParams(budget=-1)


def test_with_selected_marks_exactly_the_slice():
    rows, scores = _pool(8)
    picked, _ = select(rows, SelectionParams(budget=5), scores=scores)
    marked = with_selected(rows, picked)
    assert marked["selected"].sum() == 5
    assert set(marked.filter("selected")["qa_id"]) == set(picked["qa_id"])


def _numeric(mras: dict[str, float], confidence: float) -> tuple:
    """Counting rows, one per name, all at gold confidence `confidence`, with the given MRAs."""
    rows = qa_frame([{"qa_id": q, "task": "object_counting", "answer": "3"} for q in mras])
    return rows, scores_frame([{"qa_id": q, "confidence": confidence, "mra": m} for q, m in mras.items()])


def test_prefer_learnability_takes_the_rows_the_solver_half_solves():
    rows, scores = _numeric({"known": 1.0, "half": 0.5, "most": 0.7, "lost": 0.0}, confidence=0.02)
    picked, _ = select(rows, SelectionParams(budget=2, prefer="learnability"), scores=scores)
    assert sorted(picked["qa_id"]) == ["half", "most"]  # q(1-q): 0.25 and 0.21; known and lost 0
    # the frontier preference on gold confidence sees four identical rows; the seed decides
    paper = BandParams(signal="gold_prob")
    by_seed = {tuple(sorted(select(rows, SelectionParams(budget=2), seed=s, scores=scores, bands=paper)[0]["qa_id"]))
               for s in range(8)}
    assert len(by_seed) > 1


def test_bands_on_success_make_a_close_numeric_answer_easy():
    rows, scores = _numeric({"close": 1.0, "off": 0.3}, confidence=0.33)  # room size: p(gold) stays low
    _, paper = select(rows, SelectionParams(budget=2), scores=scores, bands=BandParams(signal="gold_prob"))
    _, fixed = select(rows, SelectionParams(budget=2), scores=scores)
    assert dict(paper.iter_rows()) == {"selected": 2}
    assert dict(fixed.iter_rows()) == {"selected": 1, "trivial": 1}


def test_selection_prefer_must_be_known():
    with pytest.raises(ValidationError, match=r"prefer\n  Input should be 'frontier' or 'learnability'"):
        SelectionParams(prefer="nearest")
