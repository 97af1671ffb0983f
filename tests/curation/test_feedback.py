import polars as pl
import pytest
from pydantic import ValidationError

from curation.feedback import (
    Feedback,
    FeedbackParams,
    apportion,
    compute_feedback,
    proposal_counts,
)
from curation.proposer import TemplateProposer
from curation.tasks import task_group, task_keys
from tests.curation.builders import qa_frame, scores_frame


def _scored(bins: dict[tuple[str, str], tuple[int, int]]):
    """qa rows and scores: bins {(task, bin): (n_correct, n_wrong)} on the counting/size templates."""
    qa, scores = [], []
    template = {"object_counting": "count", "object_size_estimation": "longest_dimension"}
    for (task, b), (right, wrong) in bins.items():
        for k in range(right + wrong):
            qid = f"{task}-{b}-{k}"
            qa.append({"qa_id": qid, "task": task, "template": template[task], "difficulty_bin": b,
                       "question": f"question {qid}"})
            ok = k < right
            scores.append({"qa_id": qid, "correct": ok, "confidence": 0.95 if ok else 0.1})
            scores.append({"qa_id": qid, "correct": not ok, "confidence": 0.5, "blind": True})
    return qa_frame(qa), scores_frame(scores)


def test_stats_per_bin_ignore_blind_scores_and_weights_follow_the_policy():
    qa, scores = _scored({("object_counting", "easy"): (9, 1), ("object_counting", "hard"): (1, 9)})
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="spatialevo"))
    easy, hard = fb.bins
    assert (easy.bin, easy.n, easy.accuracy) == ("easy", 10, pytest.approx(0.9))
    assert easy.mean_confidence == pytest.approx(0.9 * 0.95 + 0.1 * 0.1)
    assert (easy.weight, hard.weight) == (pytest.approx(0.1), pytest.approx(0.9))
    floored = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="spatialevo", floor=0.2))
    assert [b.weight for b in floored.bins] == [0.2, pytest.approx(0.9)]  # no bin starves


def test_smoothing_over_rounds_and_json_round_trip():
    qa, s1 = _scored({("object_counting", "easy"): (10, 0)})
    evo = FeedbackParams(policy="spatialevo")
    first = compute_feedback(qa, s1, round=1, params=evo)
    _, s2 = _scored({("object_counting", "easy"): (0, 10)})
    second = compute_feedback(qa, s2, round=2, previous=first, params=FeedbackParams(policy="spatialevo",
                                                                                    smoothing=0.25))
    assert second.bins[0].accuracy == 0.0
    assert second.bins[0].smoothed == pytest.approx(0.75)  # 0.25 * 0 + 0.75 * 1
    assert second.tasks[0].smoothed == pytest.approx(0.75)
    assert Feedback.from_json(second.to_json()) == second


def test_examples_list_failed_and_trivial_questions_per_task():
    qa, scores = _scored({("object_counting", "easy"): (2, 3)})
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(n_examples=2))
    assert fb.examples["object_counting"]["failed"] == ["question object_counting-easy-2",
                                                       "question object_counting-easy-3"]
    assert len(fb.examples["object_counting"]["trivial"]) == 2


def test_feedback_moves_the_template_budget_toward_failing_bins(real_scenes):
    qa, scores = _scored({
        ("object_counting", "easy"): (20, 0), ("object_counting", "hard"): (0, 20),
        ("object_size_estimation", "easy"): (20, 0),
    })
    fb = compute_feedback(qa, scores, round=1, params=FeedbackParams(policy="spatialevo"))
    proposer = TemplateProposer(seed=3)
    before = proposer.propose(real_scenes, 600)
    after = proposer.propose(real_scenes, 600, fb)

    def share(df, task, b):
        return df.filter((df["task"] == task) & (df["difficulty_bin"] == b)).height / df.height

    assert share(after, "object_counting", "hard") > 2 * share(before, "object_counting", "hard")
    assert share(after, "object_counting", "easy") < 0.5 * share(before, "object_counting", "easy")
    assert share(after, "object_size_estimation", "easy") < 0.5 * share(before, "object_size_estimation", "easy")


def _banded(task: str, confidences: list[float]):
    qa = qa_frame([{"qa_id": f"{task}-{k}", "task": task, "question": f"q {task} {k}"}
                   for k in range(len(confidences))])
    scores = scores_frame([{"qa_id": f"{task}-{k}", "confidence": c, "correct": c > 0.5}
                           for k, c in enumerate(confidences)])
    return qa, scores


def test_mastered_and_unlearnable_tasks_both_lose_budget_to_the_frontier():
    parts = [_banded("object_counting", [0.97] * 18 + [0.5] * 2),  # mastered: mostly easy
             _banded("object_size_estimation", [0.02] * 18 + [0.5] * 2),  # unlearnable: mostly hard
             _banded("room_size_estimation", [0.5] * 16 + [0.02] * 4)]  # on the frontier
    qa = pl.concat([p[0] for p in parts])
    scores = pl.concat([p[1] for p in parts])
    fb = compute_feedback(qa, scores, round=1)
    weights = fb.task_weights()
    assert weights["room_size_estimation"] == pytest.approx(0.8)
    assert weights["object_counting"] == weights["object_size_estimation"] == pytest.approx(0.1)
    assert {t.task: (t.easy, t.frontier, t.hard) for t in fb.tasks}["object_counting"] == (18, 2, 0)
    keys = task_keys(with_frames=False)
    counts = proposal_counts(keys, fb, 1000)

    def group_total(group):
        return sum(n for k, n in counts.items() if task_group(k[0]) == group)

    assert group_total("room_size_estimation") > 4 * group_total("object_counting")
    assert group_total("object_counting") == group_total("object_size_estimation")


def test_the_proposer_split_does_not_depend_on_how_many_templates_or_bins_a_task_has():
    counts = proposal_counts(task_keys(with_frames=False), None, 600)
    per_group: dict[str, int] = {}
    for key, n in counts.items():
        per_group[task_group(key[0])] = per_group.get(task_group(key[0]), 0) + n
    # relative direction has 3 question types x 3 bins, counting 1 x 3: same share
    assert len(set(per_group.values())) == 1 and sum(per_group.values()) == 600


def test_apportion_is_exact_and_params_name_the_bad_field():
    assert apportion({"a": 1.0, "b": 1.0, "c": 2.0}, 10) == {"a": 3, "b": 2, "c": 5}
    assert sum(apportion({k: 0.3 for k in range(7)}, 100).values()) == 100
    with pytest.raises(ValidationError, match="smoothing"):
        FeedbackParams(smoothing=1.5)
