import pytest

from curation.errors import ParamError
from curation.feedback import Feedback, FeedbackParams, apportion, compute_feedback, policy_weight
from curation.proposer import TemplateProposer
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
    assert policy_weight("frontier", 0.5, 0.05) == 1.0
    assert policy_weight("frontier", 1.0, 0.05) == 0.05
    assert policy_weight("spatialevo", 0.99, 0.05) == 0.05


def test_smoothing_over_rounds_and_json_round_trip():
    qa, s1 = _scored({("object_counting", "easy"): (10, 0)})
    first = compute_feedback(qa, s1, round=1)
    _, s2 = _scored({("object_counting", "easy"): (0, 10)})
    second = compute_feedback(qa, s2, round=2, previous=first, params=FeedbackParams(smoothing=0.25))
    assert second.bins[0].accuracy == 0.0
    assert second.bins[0].smoothed_accuracy == pytest.approx(0.75)
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


def test_apportion_is_exact_and_params_name_the_bad_field():
    assert apportion({"a": 1.0, "b": 1.0, "c": 2.0}, 10) == {"a": 3, "b": 2, "c": 5}
    assert sum(apportion({k: 0.3 for k in range(7)}, 100).values()) == 100
    with pytest.raises(ParamError, match="feedback.policy"):
        FeedbackParams(policy="greedy")
    with pytest.raises(ParamError, match="feedback.smoothing"):
        FeedbackParams(smoothing=1.5)
