import json

import pytest
import torch

from training.confidence import score
from training.errors import TrainParamsError
from training.sft import TrainParams, train
from training.solver import load_solver

FULL = TrainParams(mode="auto", lr=3e-3, epochs=30, batch_size=8, seed=0)


def _solver():
    return load_solver("tiny", device="cpu", seed=0, image_size=32, max_frames=2)


@pytest.fixture(scope="module")
def tables(make_samples, make_frames):
    return make_samples(32, n_scenes=8, per_scene=2), make_frames(8, 2)


@pytest.fixture(scope="module")
def overfit(tables, tmp_path_factory):
    """(scores before, solver after, metrics, out dir) for the tiny solver fully fine-tuned on 32 samples."""
    samples, frames = tables
    solver = _solver()
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
    solver = _solver()
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
    fresh = _solver()
    train(
        fresh,
        samples,
        frames,
        tmp_path / "r2",
        TrainParams(**{**params.__dict__, "max_steps": 1, "lr": 1e-9}),
        init=tmp_path / "r1",
    )
    moved = {k: v for k, v in fresh.model.state_dict().items() if "lora_B" in k}
    assert all(torch.allclose(moved[k], lora[k], atol=1e-6) for k in lora)


def test_full_training_continues_from_init(overfit, tables, tmp_path):
    _, trained, _, out = overfit
    fresh = _solver()
    params = TrainParams(mode="full", lr=1e-9, max_steps=1, batch_size=8)
    train(fresh, *tables, tmp_path / "r2", params, init=out)
    a, b = trained.model.state_dict(), fresh.model.state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    assert not (tmp_path / "r2" / "trainer").exists()


def test_same_seed_same_weights(tables, tmp_path):
    samples, frames = tables
    params = TrainParams(mode="full", lr=1e-3, max_steps=3, batch_size=4, seed=7)
    a, b = _solver(), _solver()
    train(a, samples, frames, tmp_path / "a", params)
    train(b, samples, frames, tmp_path / "b", params)
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)


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
    ],
)
def test_params_validation_names_the_field(field, kwargs):
    with pytest.raises(TrainParamsError, match=f"TrainParams.{field}:"):
        TrainParams(**kwargs)


def test_local_checkpoint_loads_offline_and_trains_lora_by_default(tables, tmp_path):
    """A Hugging Face-layout directory (no solver.json) goes through the real-checkpoint path."""
    samples, frames = tables
    tiny = _solver()
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
