"""training.grpo: TRL's GRPOTrainer on the tiny solver, its processor, rollouts and continuation."""

import io
import warnings

import polars as pl
import pytest
import torch
from PIL import Image

from tests.training.conftest import tiny_solver
from training import grpo
from training.batches import FrameStore, encode, items_from_samples
from training.errors import OptimizerStateWarning, TrainParamsError
from training.metrics import sample_score
from training.rewards import REWARDS
from training.sft import OPTIMIZER_FILE
from training.train_params import GRPOParams, TrainParams

G = 2
# The random-init solver rarely writes an answer, so the benchmark's reward alone is 0 for every
# sample; a length term (registered for these tests) gives the groups rewards that differ.
PARAMS = TrainParams(method="grpo", mode="full", lr=1e-3, max_steps=2, batch_size=2, schedule_steps=6,
                     grpo=GRPOParams(group_size=G, max_completion_length=3, rewards={"vsibench": 1.0, "length": 0.25}))


def length(completions, **_):
    return [float(len(c[0]["content"])) for c in completions]


@pytest.fixture(scope="module")
def tables(make_samples, make_frames):
    return make_samples(8, n_scenes=4, per_scene=2), make_frames(4, 2)


@pytest.fixture(scope="module")
def run(tables, tmp_path_factory):
    """(solver, weights before, metrics, rollouts, out dir) of 2 GRPO steps on the random-init solver."""
    samples, frames = tables
    solver = tiny_solver()
    before = {k: v.clone() for k, v in solver.model.state_dict().items()}
    out = tmp_path_factory.mktemp("grpo")
    with REWARDS.registered("length", length):
        metrics, rollouts = grpo.train(solver, samples, frames, out / "r1", PARAMS)
    return solver, before, metrics, rollouts, out


def test_the_processor_gives_the_inputs_sft_and_scoring_encode(tables):
    samples, frames = tables
    solver = tiny_solver()
    store = FrameStore(solver, frames)
    items = items_from_samples(samples.head(2), store, 2)[:1] + items_from_samples(samples.head(2), store, 1)[1:]
    expected = encode(solver, store, items, with_answers=False)
    proc = grpo.processor(solver)
    convs = [[{"role": "user", "content": [{"type": "image"}] * len(i.frame_ids) + [{"type": "text", "text": i.text}]}]
             for i in items]
    texts = [proc.apply_chat_template(c, add_generation_prompt=True, tokenize=False) for c in convs]
    images = [[Image.open(io.BytesIO(store.png(f))) for f in i.frame_ids] for i in items]
    got = proc(images=images, text=texts, padding=True, return_tensors="pt")
    assert [len(i.frame_ids) for i in items] == [2, 1]  # rows of different lengths: left padding matters
    for key, value in expected.items():
        assert torch.equal(got[key].to(value.dtype), value), key


def test_grpo_trains_the_weights_and_saves_the_round(run):
    solver, before, metrics, _, out = run
    after = solver.model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    assert metrics["steps"] == 2 and metrics["n_samples"] == 8 and len(metrics["reward_curve"]) == 2
    assert {"model.safetensors", OPTIMIZER_FILE, "metrics.json", "train_params.json"} <= {
        p.name for p in (out / "r1").iterdir()}


def test_rollouts_hold_every_sampled_answer_with_its_reward_and_advantage(run, tables):
    _, _, metrics, rollouts, _ = run
    samples, _ = tables
    assert rollouts.height == PARAMS.max_steps * PARAMS.batch_size * G
    groups = rollouts.group_by("group").agg(pl.col("qa_id").n_unique(), pl.col("sample").sort(), pl.col("reward"),
                                            pl.col("advantage"))
    assert groups.height == metrics["groups"] == PARAMS.max_steps * PARAMS.batch_size
    assert (groups["qa_id"] == 1).all() and all(s == list(range(G)) for s in groups["sample"].to_list())
    gold = rollouts.join(samples.select("qa_id", "task", "answer"), on="qa_id")
    # the reward is the weighted sum: the benchmark's score of the text plus a quarter of its length
    assert gold["reward"].to_list() == pytest.approx([sample_score(t, a, c) + 0.25 * len(c) for t, a, c in
                                                      gold.select("task", "answer", "completion").iter_rows()])
    # TRL's advantage: the reward less its group's mean, over the group's std (+1e-4)
    for rewards, advantages in zip(groups["reward"].to_list(), groups["advantage"].to_list(), strict=True):
        r = torch.tensor(rewards)
        assert advantages == pytest.approx(((r - r.mean()) / (r.std() + 1e-4)).tolist(), abs=1e-5)
    zero = sum(len(set(r)) == 1 for r in groups["reward"].to_list())
    assert metrics["zero_variance_groups"] == zero
    assert (rollouts["logp_mean"] < 0).all()
    same = rollouts.group_by("group", "completion").agg(pl.col("logp_mean").n_unique()).filter(pl.len() > 0)
    assert (same["logp_mean"] == 1).all()  # the same text in one group was the same tokens, the same log-prob


def test_unparsable_answers_are_counted_and_score_zero(run):
    _, _, metrics, rollouts, _ = run
    bad = rollouts.filter(~pl.col("parsed"))
    assert metrics["unparsed"] == bad.height > 0  # a random-init solver writes garbage
    # the benchmark's term is 0 for them: what is left is the length term
    assert bad["reward"].to_list() == pytest.approx([0.25 * len(c) for c in bad["completion"]])


def test_a_round_resumes_the_previous_rounds_optimizer_and_schedule(run, tables):
    solver, _, _, _, out = run
    samples, frames = tables
    with warnings.catch_warnings(), REWARDS.registered("length", length):
        warnings.simplefilter("error", OptimizerStateWarning)
        grpo.train(solver, samples, frames, out / "r2", PARAMS, resume=out / "r1")
    first = torch.load(out / "r1" / OPTIMIZER_FILE, weights_only=True)
    second = torch.load(out / "r2" / OPTIMIZER_FILE, weights_only=True)
    assert (first["schedule_step"], second["schedule_step"]) == (2, 4)
    steps = {s["step"].item() for s in second["optimizer"]["state"].values()}
    assert steps == {4.0}  # AdamW's step count went on from round 1's


def test_groups_whose_rewards_are_all_equal_teach_nothing(tables, tmp_path):
    """The benchmark's reward alone: the random-init solver never answers, every group's rewards
    are 0, every advantage 0, and the weights stay where they were (DAPO's reason to filter)."""
    samples, frames = tables
    solver = tiny_solver()
    before = {k: v.clone() for k, v in solver.model.state_dict().items()}
    metrics, rollouts = grpo.train(solver, samples, frames, tmp_path, TrainParams(
        method="grpo", mode="full", lr=1e-2, max_steps=1, batch_size=2, grpo=GRPOParams(group_size=G)))
    assert (rollouts["reward"] == 0).all() and (rollouts["advantage"] == 0).all()
    assert metrics["zero_variance_groups"] == metrics["groups"] == 2
    assert all(torch.equal(before[k], v) for k, v in solver.model.state_dict().items())


def test_a_registered_reward_is_called_with_the_slice_columns(tables, tmp_path):
    samples, frames = tables
    seen = []

    def tasks(completions, task, answer_type, **_):
        seen.append((task, answer_type))
        return [1.0] * len(completions)

    params = TrainParams(method="grpo", mode="full", max_steps=1, batch_size=2,
                         grpo=GRPOParams(group_size=G, max_completion_length=3, rewards={"tasks": 0.5}))
    with REWARDS.registered("tasks", tasks):
        _, rollouts = grpo.train(tiny_solver(), samples, frames, tmp_path, params)
    (task, kind), = seen
    assert len(task) == 2 * G and set(task) <= set(samples["task"]) and set(kind) <= {"mca", "numeric"}
    assert (rollouts["reward"] == 0.5).all()


def test_an_unregistered_reward_stops_before_training(tables, tmp_path):
    samples, frames = tables
    params = TrainParams(method="grpo", grpo=GRPOParams(rewards={"mra": 1.0}))
    with pytest.raises(TrainParamsError, match=r"grpo.rewards: expected names in \['format', 'vsibench'\]"):
        grpo.train(tiny_solver(), samples, frames, tmp_path, params)
    assert not any(tmp_path.iterdir())
