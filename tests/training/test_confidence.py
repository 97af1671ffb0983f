import math

import polars as pl
import pytest
import torch

from training.batches import FrameStore, encode, items_from_samples
from training.confidence import score
from training.errors import SampleError
from training.evaluate import evaluate


@pytest.fixture
def tables(make_samples, make_frames):
    return make_samples(12, n_scenes=4, per_scene=3), make_frames(4, 3)


def test_scores_have_the_scores_columns_and_valid_values(tiny, tables):
    samples, frames = tables
    out = score(tiny, samples, frames, batch_size=4)
    assert out.columns == ["qa_id", "confidence", "correct", "prediction", "mra"]
    assert out["qa_id"].to_list() == samples["qa_id"].to_list()
    assert out["confidence"].is_between(0, 1).all()
    mca = samples["answer_type"] == "mca"
    assert out.filter(mca)["mra"].is_null().all() and out.filter(~mca)["mra"].is_not_null().all()
    assert set(out.filter(mca)["prediction"]) <= {"A", "B", "C"}
    assert (out.filter(mca)["correct"] == (out.filter(mca)["prediction"] == samples.filter(mca)["answer"])).all()


def test_batched_equals_one_by_one(tiny, tables):
    samples, frames = tables
    batched = score(tiny, samples, frames, batch_size=16)
    single = score(tiny, samples, frames, batch_size=1)
    assert batched["prediction"].to_list() == single["prediction"].to_list()
    assert (batched["confidence"] - single["confidence"]).abs().max() < 1e-4


def test_blind_swaps_frames_deterministically(tiny, tables):
    samples, frames = tables
    seen = score(tiny, samples, frames)
    blind = score(tiny, samples, frames, blind=True)
    assert blind.equals(score(tiny, samples, frames, blind=True))
    assert (seen["confidence"] - blind["confidence"]).abs().max() > 1e-6
    with pytest.raises(SampleError, match="only one scene"):
        score(tiny, samples.head(1), frames.filter(pl.col("scene_id") == "s0"), blind=True)


def test_bad_tables_are_named(tiny, tables):
    samples, frames = tables
    with pytest.raises(SampleError, match="frame_ids"):
        score(tiny, samples.drop("frame_ids"), frames)
    with pytest.raises(SampleError, match="repeat qa_id"):
        score(tiny, pl.concat([samples.head(1), samples.head(1)]), frames)
    with pytest.raises(SampleError, match="'q0'.*'D'"):
        score(tiny, samples.head(1).with_columns(answer=pl.lit("D")), frames)
    with pytest.raises(SampleError, match="'q1'.*'many'"):
        score(tiny, samples.slice(1, 1).with_columns(answer=pl.lit("many")), frames)
    with pytest.raises(SampleError, match="s9f0"):
        score(tiny, samples.head(1).with_columns(frame_ids=pl.lit(["s9f0"])), frames)


def test_evaluate_reports_per_task(tiny, tables):
    samples, frames = tables
    result = evaluate(tiny, samples, frames)
    # VSI-Bench reports object_rel_direction even with no direction question (as 0)
    assert set(result) == {"overall", "object_counting", "object_rel_distance", "object_rel_direction"}
    assert all(0 <= v <= 100 for v in result.values())


def test_one_prefill_numeric_pass_matches_generate_and_teacher_forcing(tiny, tables, check_numeric_pass):
    check_numeric_pass(tiny, *tables)


def test_confidence_is_the_geometric_mean_of_gold_token_probabilities_for_every_answer_type(tiny, tables):
    """The oracle is transformers' own loss: for one sample, the mean cross-entropy over the
    labelled tokens (gold answer + <|im_end|>), so exp(-loss) is their geometric mean."""
    samples, frames = tables
    out = score(tiny, samples, frames, batch_size=5)
    store = FrameStore(tiny, frames)
    items = items_from_samples(samples, store, tiny.config.max_frames)
    with torch.inference_mode():
        for item, conf in zip(items, out["confidence"], strict=True):
            loss = tiny.model(**encode(tiny, store, [item], with_answers=True)).loss
            assert conf == pytest.approx(math.exp(-float(loss)), rel=1e-4)
    assert set(samples["answer_type"]) == {"mca", "numeric"}  # both paths were checked
