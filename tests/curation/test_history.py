"""Per-scene difficulty history from QA + SCORES rows, and the scene weights the proposers draw by."""

import dataclasses

import numpy as np
import polars as pl
import pytest

from curation.bands import BandParams
from curation.history import HistoryItem, pick, scene_history, scene_probabilities, scene_weights
from curation.proposer import TemplateProposer
from curation.tasks import BINS
from tests.curation.builders import qa_frame, scores_frame

QA = qa_frame([
    {"qa_id": "a", "round": 1, "scene_id": "s1", "question": "How many chairs?", "answer": "3"},
    {"qa_id": "b", "round": 2, "scene_id": "s1", "task": "object_rel_distance", "difficulty_bin": "hard",
     "question": "Closer to the tv or the bed?", "answer": "B", "options": ["A. tv", "B. bed"], "answer_type": "mca"},
    {"qa_id": "c", "round": 2, "scene_id": "s2", "question": "How many lamps?", "answer": "1"},
    {"qa_id": "a", "round": 2, "scene_id": "s1", "question": "How many chairs?", "answer": "3"},  # asked again
    {"qa_id": "d", "round": 2, "scene_id": "s2", "question": "Never scored", "answer": "2"},
])
SCORES = scores_frame([
    {"qa_id": "a", "round": 1, "confidence": 0.50},
    {"qa_id": "a", "round": 2, "confidence": 0.95},  # the latest sighted score counts
    {"qa_id": "a", "round": 2, "confidence": 0.01, "blind": True},  # blind scores never do
    {"qa_id": "b", "round": 2, "confidence": 0.05},
    {"qa_id": "c", "round": 2, "confidence": 0.40, "solver": "r1"},
    {"qa_id": "c", "round": 2, "confidence": 0.60, "solver": "r1b"},  # two solvers: their mean
])


def test_history_per_scene_newest_first_with_the_success_its_band_was_drawn_on():
    history = scene_history(QA, SCORES)
    assert history["s1"] == [
        HistoryItem(2, "object_counting", "easy", "How many chairs?", "3", 0.95, "easy"),
        # p = 0.05 on a two-option question: below chance, so its success is 0
        HistoryItem(2, "object_rel_distance", "hard", "Closer to the tv or the bed?", "B. bed", 0.0, "hard"),
    ]
    assert [(i.question, i.success, i.band) for i in history["s2"]] == [("How many lamps?", 0.5, "frontier")]
    # a numeric row's success is its answer's MRA, not the gold tokens' probability
    with_mra = SCORES.with_columns(mra=pl.when(pl.col("qa_id") == "a").then(0.3).otherwise(None))
    assert scene_history(QA, with_mra)["s1"][0].success == pytest.approx(0.3)
    paper = scene_history(QA, with_mra, BandParams(signal="gold_prob"))["s1"][0]
    assert (paper.success, paper.band) == (pytest.approx(0.95), "easy")


def test_bands_come_from_band_params():
    history = scene_history(QA, SCORES, BandParams(easy=0.97, hard=0.01, chance_correction=False))
    assert [i.band for i in history["s1"]] == ["frontier", "frontier"]
    corrected = scene_history(QA, SCORES, BandParams(easy=0.97, hard=0.01))
    assert [i.band for i in corrected["s1"]] == ["frontier", "hard"]  # p = 0.05 of two options: q = 0


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="options"):
        scene_history(QA.drop("options"), SCORES)


def test_weights_are_the_smoothed_frontier_share_and_unseen_keys_keep_the_prior():
    item = lambda band: HistoryItem(1, "object_counting", "easy", "q", "1", 0.5, band)  # noqa: E731
    history = {"s1": [item("easy")] * 4, "s2": [item("frontier")] * 2 + [item("hard")]}
    weights = scene_weights(history)
    assert weights == {("s1", "object_counting", "easy"): 1 / 6, ("s2", "object_counting", "easy"): 3 / 5}
    p = scene_probabilities(weights, ["s1", "s2", "s3"], "object_counting", "easy")
    np.testing.assert_allclose(p, np.array([1 / 6, 3 / 5, 1 / 2]) / (1 / 6 + 3 / 5 + 1 / 2))
    assert scene_probabilities({}, ["s1"], "object_counting", "easy") is None
    rng_a, rng_b = np.random.default_rng(0), np.random.default_rng(0)
    assert [pick(rng_a, 5, None) for _ in range(5)] == [int(rng_b.integers(5)) for _ in range(5)]


def test_template_proposer_asks_less_where_a_scenes_questions_were_easy(real_scenes):
    # two copies of one real scene: without history they are asked alike
    scenes = [dataclasses.replace(real_scenes[3], name=f"copy-{i}") for i in range(2)]
    easy = scenes[0].scene_id
    tasks = ["object_counting", "object_size_estimation", "object_abs_distance"]
    history = {easy: [HistoryItem(1, t, b, "q", "1", 0.99, "easy") for t in tasks for b in BINS for _ in range(20)]}

    def share_of_easy_scene(rows):
        asked = rows.filter(rows["task"].is_in(tasks))["scene_id"]
        return (asked == easy).sum() / asked.len()

    plain = TemplateProposer(seed=0).propose(scenes, 120)
    steered = TemplateProposer(seed=0).propose(scenes, 120, scene_weights=scene_weights(history))
    assert share_of_easy_scene(plain) >= 0.4
    # weight 1/22 against the unseen copy's 1/2; above 1/12 because once the unseen copy has
    # posed every distinct counting question it can, new ones come from the easy copy
    assert share_of_easy_scene(steered) <= 0.3
    other = steered.filter(~steered["task"].is_in(tasks))["scene_id"]
    assert 0.3 <= (other == easy).sum() / other.len() <= 0.7  # other tasks have no history there
