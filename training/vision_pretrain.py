"""Eyes for the tiny solver: pretrain its vision encoder on dense targets, once.

A real VLM arrives with a vision encoder trained on billions of images; the tiny solver's
is random, and the answer-only language loss reaches it too weakly for it to learn to
see (a fine-tuned tiny solver scores the same with another scene's frames as with its
own). So the encoder (patch embedding, blocks and the merger that makes the tokens the
language model reads) is first trained to predict, for every output token, dense
targets that the renderer knows exactly (curation.scenes.overview.token_targets: what each
image cell shows, how many objects of each category stand in it, how much of it is
room), through a linear head that is then thrown away. The rounds then keep the encoder
frozen (TrainParams.freeze_vision), as real VLM fine-tuning often does, so what it
learned is not washed out by the language loss.

Built on `transformers.Trainer` like training.sft: the probe (encoder + head) is a
module whose forward returns the loss. Targets are float32 [n_images, grid, grid, D];
every image must patchify to a grid x grid token map (the overview size divided by
patch_size * merge_size).
"""

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from transformers import PrinterCallback, Trainer, TrainingArguments

from training.errors import TrainParamsError
from training.solver import Solver
from training.vision_params import VisionPretrainParams


class _Probe(torch.nn.Module):
    """The solver's vision encoder plus a linear head from each output token to its targets."""

    def __init__(self, solver: Solver, n_targets: int, weights: torch.Tensor):
        super().__init__()
        self.visual = solver.base_model.model.visual
        self.head = torch.nn.Linear(solver.base_model.config.text_config.hidden_size, n_targets)
        self.register_buffer("weights", weights)

    def forward(self, pixel_values, image_grid_thw, targets):
        tokens = self.visual(pixel_values, grid_thw=image_grid_thw).pooler_output  # [n * grid^2, hidden]
        predicted = self.head(tokens).reshape(targets.shape)
        loss = ((predicted - targets) ** 2 * self.weights).mean()
        return {"loss": loss}


class _Images(torch.utils.data.Dataset):
    def __init__(self, images: list[bytes], targets: np.ndarray):
        self.images, self.targets = images, targets

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[bytes, np.ndarray]:
        return self.images[i], self.targets[i]


def _target_weights(n_targets: int, count_weight: float) -> torch.Tensor:
    """Per target column: shares weigh 1, the count block (the middle K columns) count_weight."""
    k = (n_targets - 1) // 2
    weights = torch.ones(n_targets)
    weights[k : 2 * k] = count_weight
    return weights


def pretrain_vision(
    solver: Solver, images: list[bytes], targets: np.ndarray, out_dir: str | Path, params: VisionPretrainParams,
    seed: int = 0,
) -> dict:
    """Train `solver`'s vision encoder in place on (images, targets) and save the whole solver
    to `out_dir` (the language model untouched); returns metrics (also metrics.json):
    n_images, steps, first_loss, final_loss, seconds."""
    if len(images) != len(targets) or not images:
        raise TrainParamsError("vision", f"one target map per image (got {len(images)} images, "
                               f"{len(targets)} targets)", len(images))
    grid = targets.shape[1]
    _, grids = solver.pixels(images[:1])
    tokens = int(grids[0].prod()) // solver.patch.merge_size**2
    if tokens != grid * grid:
        raise TrainParamsError("vision", f"images that patchify to {grid}x{grid} tokens", f"{tokens} tokens")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    probe = _Probe(solver, targets.shape[-1], _target_weights(targets.shape[-1], params.count_weight))

    def collate(batch):
        pixel_values, grid_thw = solver.pixels([image for image, _ in batch])
        stacked = torch.from_numpy(np.stack([t for _, t in batch])).reshape(-1, targets.shape[-1])
        return {"pixel_values": pixel_values.cpu(), "image_grid_thw": grid_thw.cpu(), "targets": stacked}

    losses: list[float] = []
    trainer = Trainer(
        model=probe,
        args=TrainingArguments(
            output_dir=str(out / "trainer"), max_steps=params.steps, per_device_train_batch_size=params.batch_size,
            learning_rate=params.lr, lr_scheduler_type="cosine", warmup_steps=0.05, seed=seed,
            data_seed=seed, logging_steps=10, save_strategy="no", report_to="none", disable_tqdm=True,
            remove_unused_columns=False, dataloader_pin_memory=False, use_cpu=solver.device.type != "cuda",
        ),
        train_dataset=_Images(images, targets),
        data_collator=collate,
    )
    trainer.remove_callback(PrinterCallback)
    start = time.perf_counter()
    solver.model.train()
    trainer.train()
    solver.model.eval()
    losses = [float(h["loss"]) for h in trainer.state.log_history if "loss" in h]
    trainer_dir = out / "trainer"
    if trainer_dir.is_dir() and not any(trainer_dir.iterdir()):
        trainer_dir.rmdir()
    solver.save(out)
    metrics = {"n_images": len(images), "steps": params.steps, "first_loss": losses[0] if losses else None,
               "final_loss": losses[-1] if losses else None, "seconds": time.perf_counter() - start}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "vision_params.json").write_text(json.dumps(asdict(params), indent=2, sort_keys=True))
    return metrics
