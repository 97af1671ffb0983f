import json
import re
import shutil
import warnings
from dataclasses import replace

import pytest
import torch
from pydantic import ValidationError

from ouroboros.fingerprints import files_digest
from tests.training.conftest import tiny_solver
from training.batches import FrameStore, items_from_samples
from training.confidence import score
from training.errors import OptimizerStateWarning, TrainParamsError
from training.sft import OPTIMIZER_FILE, TrainParams, _trainer, train
from training.solver import load_solver

FULL = TrainParams(mode="auto", lr=3e-3, epochs=30, batch_size=8, seed=0)


@pytest.fixture(scope="module")
def tables(make_samples, make_frames):
    return make_samples(32, n_scenes=8, per_scene=2), make_frames(8, 2)


@pytest.fixture(scope="module")
def overfit(tables, tmp_path_factory):
    """(scores before, solver after, metrics, out dir) for the tiny solver fully fine-tuned on 32 samples."""
    samples, frames = tables
    solver = tiny_solver()
    before = score(solver, samples, frames)
    out = tmp_path_factory.mktemp("full")
    metrics = train(solver, samples, frames, out, FULL)
    return before, solver, metrics, out


def _logits(solver, samples, frames):
    from training.batches import FrameStore, encode, items_from_samples

    store = FrameStore(solver, frames)
    batch = encode(solver, store, items_from_samples(samples, store, solver.config.max_frames), with_answers=False)
    with torch.inference_mode():
        return solver.model(**batch).logits


def test_overfits_32_samples(overfit):
    _, _, metrics, _ = overfit
    assert metrics["n_samples"] == 32 and metrics["steps"] == 4 * 30
    assert metrics["final_loss"] < 0.1 * metrics["first_loss"]


def test_confidence_of_gold_rises_on_trained_samples(overfit, tables, check_numeric_pass):
    before, solver, _, _ = overfit
    check_numeric_pass(solver, *tables)  # trained answers stop at <|im_end|> at different steps
    after = score(solver, *tables)
    assert after["confidence"].mean() > before["confidence"].mean() + 0.3
    assert (after["confidence"] > before["confidence"]).mean() > 0.9
    assert after["correct"].mean() > 0.8


def test_checkpoint_reloads_with_identical_logits_and_records(overfit, tables):
    _, solver, metrics, out = overfit
    assert json.loads((out / "metrics.json").read_text())["final_loss"] == metrics["final_loss"]
    recorded = json.loads((out / "train_params.json").read_text())
    assert recorded["lr"] == FULL.lr and recorded["mode"] == "full"  # "auto" resolves to full for tiny
    loaded = load_solver(out, device="cpu")
    assert torch.equal(_logits(solver, *tables), _logits(loaded, *tables))


def test_lora_adapter_trains_saves_reloads_and_continues(tables, tmp_path):
    samples, frames = tables
    solver = tiny_solver()
    base = {k: v.clone() for k, v in solver.model.state_dict().items()}
    params = TrainParams(mode="lora", lr=1e-2, max_steps=3, batch_size=8, lora_rank=4, lora_alpha=8)
    train(solver, samples, frames, tmp_path / "r1", params)
    assert (tmp_path / "r1" / "adapter_model.safetensors").exists()
    assert not (tmp_path / "r1" / "model.safetensors").exists()
    lora = {k: v for k, v in solver.model.state_dict().items() if "lora_B" in k}
    assert lora and any(v.abs().sum() > 0 for v in lora.values())  # B starts at zero, so it moved
    frozen = solver.model.get_base_model().state_dict()
    assert all(torch.equal(frozen[k], v) for k, v in base.items() if k in frozen)
    loaded = load_solver(tmp_path / "r1", device="cpu")
    assert torch.equal(_logits(solver, samples, frames), _logits(loaded, samples, frames))
    # the next round starts from this adapter, not from a fresh one
    fresh = tiny_solver()
    saved = torch.load(tmp_path / "r1" / OPTIMIZER_FILE, weights_only=True)
    names = [name for group in saved["layout"] for name, _ in group]
    assert names and all("lora_" in name for name in names)  # moments of the adapter only
    with warnings.catch_warnings():
        warnings.simplefilter("error", OptimizerStateWarning)  # the adapter's state lines up
        train(
            fresh,
            samples,
            frames,
            tmp_path / "r2",
            TrainParams(**{**params.__dict__, "max_steps": 1, "lr": 1e-9}),
            init=tmp_path / "r1",
            resume=tmp_path / "r1",
        )
    moved = {k: v for k, v in fresh.model.state_dict().items() if "lora_B" in k}
    assert all(torch.allclose(moved[k], lora[k], atol=1e-6) for k in lora)


def test_full_training_continues_from_init(overfit, tables, tmp_path):
    _, trained, _, out = overfit
    fresh = tiny_solver()
    params = TrainParams(mode="full", lr=1e-9, max_steps=1, batch_size=8)
    train(fresh, *tables, tmp_path / "r2", params, init=out)
    a, b = trained.model.state_dict(), fresh.model.state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    assert not (tmp_path / "r2" / "trainer").exists()


def test_same_seed_same_weights(tables, tmp_path):
    samples, frames = tables
    params = TrainParams(mode="full", lr=1e-3, max_steps=3, batch_size=4, seed=7)
    a, b = tiny_solver(), tiny_solver()
    train(a, samples, frames, tmp_path / "a", params)
    train(b, samples, frames, tmp_path / "b", params)
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert files_digest(tmp_path / "a") == files_digest(tmp_path / "b")  # optimizer.pt is byte-stable too


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("mode", {"mode": "qlora"}),
        ("lr", {"lr": 0.0}),
        ("batch_size", {"batch_size": 0}),
        ("lora_rank", {"lora_rank": 0}),
        ("max_frames", {"max_frames": 0}),
        ("schedule", {"schedule": "step"}),
        ("image_size", {"image_size": 8}),
        ("epochs", {"epochs": 0, "max_steps": 0}),
        ("schedule_steps", {"schedule_steps": -1}),
    ],
)
def test_params_validation_names_the_field(field, kwargs):
    with pytest.raises(ValidationError, match=rf"\b{field}\b"):
        TrainParams(**kwargs)


def test_local_checkpoint_loads_offline_and_trains_lora_by_default(tables, tmp_path):
    """A Hugging Face-layout directory (no solver.json) goes through the real-checkpoint path."""
    samples, frames = tables
    tiny = tiny_solver()
    ckpt = tmp_path / "hf"
    tiny.model.save_pretrained(ckpt)
    tiny.tokenizer.save_pretrained(ckpt)
    (ckpt / "preprocessor_config.json").write_text(json.dumps({"image_mean": [0.5] * 3, "image_std": [0.5] * 3}))
    real = load_solver(ckpt, device="cpu", image_size=32, max_frames=2)
    assert real.config.base == str(ckpt.resolve()) and real.config.patch.patch_size == 16
    assert torch.equal(_logits(tiny, samples, frames), _logits(real, samples, frames))
    train(real, samples, frames, tmp_path / "r1", TrainParams(lr=1e-2, max_steps=2, batch_size=8))
    assert (tmp_path / "r1" / "adapter_model.safetensors").exists()  # mode "auto" chose LoRA
    again = load_solver(tmp_path / "r1", device="cpu")
    assert torch.equal(_logits(real, samples, frames), _logits(again, samples, frames))
    # scoring (with its shared-cache numeric pass) runs through the peft wrapper too
    assert score(again, samples.head(4), frames).equals(score(real, samples.head(4), frames))


# One batch of the same 8 samples per step, so a run split in two rounds sees exactly the data
# of one uninterrupted run; linear schedule over 4 steps with one warmup step.
SPLIT = TrainParams(mode="full", lr=3e-3, batch_size=8, max_steps=2, schedule="linear", warmup_ratio=0.25,
                    schedule_steps=4, weight_decay=0.01)
SPLIT_LRS = [0.0, 3e-3, 2e-3, 1e-3]  # lr * k/1 during warmup, then lr * (4 - k)/(4 - 1)


@pytest.fixture(scope="module")
def continued(tables, tmp_path_factory):
    """Two resumed rounds of 2 steps (r1, r2) and one uninterrupted run of 4 (whole): dirs and metrics."""
    samples, frames = tables[0].head(8), tables[1]
    root = tmp_path_factory.mktemp("continued")
    metrics = {"whole": train(tiny_solver(), samples, frames, root / "whole", replace(SPLIT, max_steps=4))}
    metrics["r1"] = train(tiny_solver(), samples, frames, root / "r1", SPLIT)
    metrics["r2"] = train(load_solver(root / "r1", device="cpu"), samples, frames, root / "r2", SPLIT,
                          resume=root / "r1")
    return root, metrics


def _state_dicts_close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.allclose(a[k], b[k], rtol=1e-5, atol=1e-7) for k in a)


def test_resumed_rounds_match_one_uninterrupted_run(continued, tables):
    root, _ = continued
    whole = load_solver(root / "whole", device="cpu").model.state_dict()
    resumed = load_solver(root / "r2", device="cpu").model.state_dict()
    assert _state_dicts_close(resumed, whole)
    moments = [torch.load(root / d / OPTIMIZER_FILE, weights_only=True)["optimizer"]["state"] for d in ("r2", "whole")]
    assert all(_state_dicts_close(moments[0][i], moments[1][i]) for i in moments[1])
    # the oracle can tell: round 2 without the saved state ends elsewhere
    restarted = load_solver(root / "r1", device="cpu")
    train(restarted, tables[0].head(8), tables[1], root / "restarted", replace(SPLIT, schedule_steps=0))
    assert not _state_dicts_close(restarted.model.state_dict(), whole)


def test_lr_schedule_continues_into_round_2(continued):
    root, metrics = continued
    assert metrics["r1"]["lr_curve"] + metrics["r2"]["lr_curve"] == pytest.approx(SPLIT_LRS)
    assert metrics["whole"]["lr_curve"] == pytest.approx(SPLIT_LRS)
    saved = torch.load(root / "r2" / OPTIMIZER_FILE, weights_only=True)
    assert (saved["schedule_steps"], saved["schedule_step"]) == (4, 4)


def test_resume_loads_the_saved_moments_with_this_runs_hyperparameters(continued, tables):
    root, _ = continued
    solver = load_solver(root / "r1", device="cpu")
    store = FrameStore(solver, tables[1])
    items = items_from_samples(tables[0].head(8), store, solver.config.max_frames)
    params = replace(SPLIT, lr=1e-3)
    trainer, _ = _trainer(solver, items, store, params, root / "probe", resume=root / "r1")
    optimizer = trainer.create_optimizer()
    saved = torch.load(root / "r1" / OPTIMIZER_FILE, weights_only=True)["optimizer"]["state"]
    slots = [p for group in optimizer.param_groups for p in group["params"]]
    assert saved and all(torch.equal(optimizer.state[slots[i]]["exp_avg"], s["exp_avg"]) for i, s in saved.items())
    assert all(torch.equal(optimizer.state[slots[i]]["step"], s["step"]) for i, s in saved.items())
    assert {g["lr"] for g in optimizer.param_groups} == {1e-3}  # lr from params, not from the file


def test_resume_without_optimizer_state_warns_and_starts_fresh(continued, tables, tmp_path):
    root, metrics = continued
    bare = tmp_path / "bare"
    shutil.copytree(root / "r1", bare)
    (bare / OPTIMIZER_FILE).unlink()
    with pytest.warns(OptimizerStateWarning, match=f"{re.escape(str(bare))}: no optimizer state saved there"):
        again = train(load_solver(bare, device="cpu"), tables[0].head(8), tables[1], tmp_path / "r2", SPLIT,
                      resume=bare)
    assert again["lr_curve"] == pytest.approx(SPLIT_LRS[:2])  # the schedule starts over too


def test_resume_from_other_parameters_warns_and_starts_fresh(continued, tables, tmp_path):
    root, _ = continued
    lora = replace(SPLIT, mode="lora", lora_rank=2, lora_alpha=4, schedule_steps=0, max_steps=1)
    with pytest.warns(OptimizerStateWarning, match=f"{re.escape(str(root / 'r1'))}: saved for param groups of"):
        train(tiny_solver(), tables[0].head(8), tables[1], tmp_path / "lora", lora, resume=root / "r1")


def test_schedule_shorter_than_the_rounds_is_an_error_naming_the_field(continued, tables, tmp_path):
    root, _ = continued
    with pytest.raises(TrainParamsError, match="TrainParams.schedule_steps: expected at least 6"):
        train(load_solver(root / "r2", device="cpu"), tables[0].head(8), tables[1], tmp_path / "r3", SPLIT,
              resume=root / "r2")


def test_fingerprint_covers_the_optimizer_state(continued, tmp_path):
    root, _ = continued
    copy = tmp_path / "r2"
    shutil.copytree(root / "r2", copy)
    assert files_digest(copy) == files_digest(root / "r2")
    state = torch.load(copy / OPTIMIZER_FILE, weights_only=True)
    state["optimizer"]["state"][0]["exp_avg"] += 1.0
    torch.save(state, copy / OPTIMIZER_FILE)
    assert files_digest(copy) != files_digest(root / "r2")


def test_dvclive_logs_loss_and_lr_of_every_step(tables, tmp_path):
    """The default report_to (dvclive) writes per-step plots and a summary under log_dir, and
    nothing in the solver folder; its loss per step is the one metrics.json records."""
    samples, frames = tables[0].head(8), tables[1]
    params = TrainParams(mode="full", lr=1e-3, max_steps=3, batch_size=4, schedule="linear")
    metrics = train(tiny_solver(), samples, frames, tmp_path / "solver", params, log_dir=tmp_path / "train")
    plots = tmp_path / "train" / "plots" / "metrics"
    loss = [line.split("\t") for line in (plots / "loss.tsv").read_text().splitlines()]
    assert loss[0] == ["step", "loss"] and [int(step) for step, _ in loss[1:]] == [0, 1, 2]
    assert [float(v) for _, v in loss[1:]] == pytest.approx(metrics["loss_curve"])
    lr = [float(line.split("\t")[1]) for line in (plots / "learning_rate.tsv").read_text().splitlines()[1:]]
    assert len(lr) == 3 and lr[0] > lr[-1]  # the linear decay, as the Trainer logged it
    summary = json.loads((tmp_path / "train" / "metrics.json").read_text())
    assert summary["step"] == 3 and summary["train"]["loss"] == pytest.approx(sum(metrics["loss_curve"]) / 3)
    assert not (tmp_path / "solver" / "trainer").exists() and not (tmp_path / "solver" / "dvclive").exists()


def test_report_to_none_logs_nowhere(tables, tmp_path):
    samples, frames = tables[0].head(4), tables[1]
    params = TrainParams(mode="full", max_steps=1, batch_size=4, trainer={"report_to": "none"})
    train(tiny_solver(), samples, frames, tmp_path / "solver", params, log_dir=tmp_path / "train")
    assert not (tmp_path / "train").exists()
