import io

import numpy as np
import pytest
import torch
from PIL import Image
from pydantic import ValidationError

from tests.training.conftest import frames_table, samples_table
from training.errors import TrainParamsError
from training.sft import TrainParams, train
from training.solver import load_solver
from training.vision_params import VisionPretrainParams
from training.vision_pretrain import pretrain_vision


def _images(n: int, seed: int = 0):
    """64 px images, 2 x 2 output tokens; the target of a token is its quadrant's redness."""
    rng = np.random.default_rng(seed)
    images, targets = [], []
    for _ in range(n):
        quadrants = rng.integers(0, 2, size=(2, 2))
        rgb = np.zeros((64, 64, 3), np.uint8)
        for r in range(2):
            for c in range(2):
                rgb[32 * r : 32 * (r + 1), 32 * c : 32 * (c + 1)] = (220, 30, 30) if quadrants[r, c] else (30, 30, 220)
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, format="PNG")
        images.append(buffer.getvalue())
        targets.append(np.stack([quadrants, 1 - quadrants, quadrants], -1).astype(np.float32))
    return images, np.stack(targets)


def test_pretraining_teaches_the_encoder_and_leaves_the_language_model(tmp_path):
    solver = load_solver("tiny", device="cpu", seed=0, image_size=64, max_frames=1)
    lm_before = {k: v.clone() for k, v in solver.base_model.model.language_model.state_dict().items()}
    vis_before = {k: v.clone() for k, v in solver.base_model.model.visual.state_dict().items()}
    images, targets = _images(64)
    metrics = pretrain_vision(solver, images, targets, tmp_path / "eyes", VisionPretrainParams(steps=40, batch_size=16))
    assert metrics["final_loss"] < 0.5 * metrics["first_loss"]
    lm_after = solver.base_model.model.language_model.state_dict()
    assert all(torch.equal(lm_before[k], lm_after[k]) for k in lm_before)
    vis_after = solver.base_model.model.visual.state_dict()
    assert any(not torch.equal(vis_before[k], vis_after[k]) for k in vis_before)
    reloaded = load_solver(tmp_path / "eyes", device="cpu")
    assert all(torch.equal(v, reloaded.base_model.model.visual.state_dict()[k]) for k, v in vis_after.items())


def test_images_that_do_not_match_the_target_grid_are_refused(tmp_path):
    solver = load_solver("tiny", device="cpu", seed=0, image_size=64, max_frames=1)
    images, targets = _images(4)
    with pytest.raises(TrainParamsError, match="3x3 tokens"):
        pretrain_vision(solver, images, np.zeros((4, 3, 3, 3), np.float32), tmp_path, VisionPretrainParams(steps=1))
    with pytest.raises(TrainParamsError, match="one target map per image"):
        pretrain_vision(solver, images, targets[:2], tmp_path, VisionPretrainParams(steps=1))
    with pytest.raises(ValidationError, match="steps"):
        VisionPretrainParams(steps=0)


def test_freeze_vision_keeps_the_encoder_fixed_while_the_language_model_trains(tmp_path):
    solver = load_solver("tiny", device="cpu", seed=0, image_size=32, max_frames=2)
    samples, frames = samples_table(16, n_scenes=4, per_scene=4), frames_table(4, 4)
    visual = {k: v.clone() for k, v in solver.base_model.model.visual.state_dict().items()}
    lm = {k: v.clone() for k, v in solver.base_model.model.language_model.state_dict().items()}
    train(solver, samples, frames, tmp_path, TrainParams(mode="full", max_steps=3, batch_size=8, lr=1e-3,
                                                         freeze_vision=True))
    assert all(torch.equal(v, solver.base_model.model.visual.state_dict()[k]) for k, v in visual.items())
    assert any(not torch.equal(v, solver.base_model.model.language_model.state_dict()[k]) for k, v in lm.items())
