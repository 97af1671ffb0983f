"""Supervised fine-tuning of the solver on a selected slice: full (tiny) or LoRA (real checkpoints).

Built on `transformers.Trainer`, not a hand-written loop: the same code then runs under
accelerate/torchrun on several GPUs, with bf16 and gradient checkpointing, unchanged. The
layer over it is thin: a collator that turns sample rows into left-padded Qwen3-VL inputs
(training.batches; labels are -100 except on the answer tokens and the closing
`<|im_end|>`, so the loss is on the answer only), a callback that drives a rich progress
bar and records the loss curve, and the save of the solver (safetensors or adapter),
`metrics.json` and the resolved `train_params.json`. Measured on the tiny solver
(bench/solver_bench.py, 1 CPU thread, 64 px, 4 frames, batch 8, 40 steps): the Trainer runs
at 0.87-1.05x the samples/s of a bare AdamW loop over the same batches, its setup and the
checkpoint save included, so a plain loop would buy little and lose the multi-GPU path.

Determinism: the Trainer seeds torch/numpy/random from `params.seed` before building the
sampler, so the same params, samples and initial weights give the same trained weights.
"""

import json
import time
from dataclasses import asdict, replace
from pathlib import Path

import polars as pl
import torch
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments

from training.batches import FrameStore, Item, encode, items_from_samples
from training.errors import TrainParamsError
from training.progress import progress_bar
from training.solver import Solver, load_solver
from training.train_params import TrainParams


class _Samples(torch.utils.data.Dataset):
    def __init__(self, items: list[Item]):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Item:
        return self.items[i]


class _Collator:
    """Items -> model inputs with answer-only labels (tensors on CPU; the Trainer moves them)."""

    def __init__(self, solver: Solver, store: FrameStore):
        self.solver, self.store = solver, store

    def __call__(self, items: list[Item]) -> dict[str, torch.Tensor]:
        return {k: v.cpu() for k, v in encode(self.solver, self.store, items, with_answers=True).items()}


class _RichProgress(TrainerCallback):
    """A rich progress bar on stderr, and the loss of every logged step."""

    def __init__(self):
        self.losses: list[float] = []
        self._bar = None

    def on_train_begin(self, args, state, control, **kwargs):
        self._bar = progress_bar()
        self._bar.start()
        self._task = self._bar.add_task("training", total=state.max_steps)

    def on_step_end(self, args, state, control, **kwargs):
        self._bar.update(self._task, completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.losses.append(float(logs["loss"]))
            self._bar.update(self._task, description=f"training loss {logs['loss']:.3f}")

    def on_train_end(self, args, state, control, **kwargs):
        self._bar.stop()


def _checkpointing(solver: Solver, params: TrainParams) -> bool:
    """Activation checkpointing: as asked, else on for CUDA (memory) and off on CPU (speed)."""
    return solver.device.type == "cuda" if params.gradient_checkpointing is None else params.gradient_checkpointing


def _prepare_model(solver: Solver, params: TrainParams, init: str | Path | None) -> None:
    """Put the weights to train in place: load `init` (full weights or an adapter) and wrap LoRA."""
    from peft import LoraConfig, PeftModel, get_peft_model

    is_peft = isinstance(solver.model, PeftModel)
    if params.mode == "full":
        if is_peft:
            raise TrainParamsError("mode", "'lora' for a solver that carries a LoRA adapter", params.mode)
        if init is not None:
            previous = load_solver(init, device=str(solver.device))
            if previous.config.kind != "full":
                raise TrainParamsError("mode", f"'lora' to continue from the adapter in {init}", params.mode)
            solver.model.load_state_dict(previous.model.state_dict())  # strict: same architecture
        for p in solver.base_model.model.visual.parameters():
            p.requires_grad_(not params.freeze_vision)
        return
    if init is not None:
        base = solver.model.get_base_model() if is_peft else solver.model
        solver.model = PeftModel.from_pretrained(base, str(init), is_trainable=True)
    elif not is_peft:
        torch.manual_seed(params.seed)
        config = LoraConfig(
            r=params.lora_rank,
            lora_alpha=params.lora_alpha,
            lora_dropout=params.lora_dropout,
            target_modules=list(params.lora_targets),
            task_type="CAUSAL_LM",
        )
        solver.model = get_peft_model(solver.model, config)
    for name, p in solver.model.named_parameters():
        p.requires_grad_("lora_" in name)
    if _checkpointing(solver, params):
        # the frozen embeddings' outputs must carry grad, or none reaches adapters in checkpointed layers
        solver.base_model.enable_input_require_grads()
    solver.config = replace(solver.config, kind="lora")


def _arguments(solver: Solver, params: TrainParams, out: Path) -> TrainingArguments:
    cuda = solver.device.type == "cuda"
    return TrainingArguments(
        output_dir=str(out / "trainer"),
        num_train_epochs=params.epochs,
        max_steps=params.max_steps if params.max_steps > 0 else -1,
        per_device_train_batch_size=params.batch_size,
        learning_rate=params.lr,
        lr_scheduler_type="constant_with_warmup" if params.schedule == "constant" else params.schedule,
        warmup_steps=params.warmup_ratio,  # a float in [0, 1) is a fraction of the total steps
        weight_decay=params.weight_decay,
        seed=params.seed,
        data_seed=params.seed,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        remove_unused_columns=False,
        dataloader_pin_memory=False,
        use_cpu=not cuda,
        bf16=cuda and next(solver.model.parameters()).dtype == torch.bfloat16,
        activation_checkpointing=_checkpointing(solver, params),
    )


def train(
    solver: Solver,
    samples: pl.DataFrame,
    frames: pl.DataFrame,
    out_dir: str | Path,
    params: TrainParams,
    init: str | Path | None = None,
) -> dict:
    """Fine-tune `solver` in place on `samples` and save it to `out_dir`; returns the metrics
    (also written to out_dir/metrics.json): n_samples, steps, epochs, first_loss,
    final_loss (mean of the last 10% of logged steps), loss_curve, seconds, samples_per_s."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if params.mode == "auto":
        params = replace(params, mode="full" if solver.config.base == "tiny" else "lora")
    overrides = {k: v for k, v in (("max_frames", params.max_frames), ("image_size", params.image_size)) if v}
    solver.config = replace(solver.config, **overrides)
    store = FrameStore(solver, frames)
    items = items_from_samples(samples, store, solver.config.max_frames)
    if not items:
        raise TrainParamsError("samples", "at least one training sample", 0)
    _prepare_model(solver, params, init)
    progress = _RichProgress()
    trainer = Trainer(
        model=solver.model,
        args=_arguments(solver, params, out),
        train_dataset=_Samples(items),
        data_collator=_Collator(solver, store),
        callbacks=[progress],
    )
    trainer.remove_callback(PrinterCallback)  # the rich bar and metrics.json replace its stdout dicts
    start = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - start
    solver.model.eval()
    trainer_dir = out / "trainer"  # the Trainer's own output dir; nothing is saved there
    if trainer_dir.is_dir() and not any(trainer_dir.iterdir()):
        trainer_dir.rmdir()
    solver.save(out)
    losses = progress.losses
    tail = losses[-max(1, len(losses) // 10) :]
    metrics = {
        "n_samples": len(items),
        "steps": result.global_step,
        "epochs": float(trainer.state.epoch or 0.0),
        "first_loss": losses[0] if losses else None,
        "final_loss": sum(tail) / len(tail) if tail else None,
        "loss_curve": losses,
        "seconds": seconds,
        "samples_per_s": result.global_step * params.batch_size / seconds if seconds > 0 else 0.0,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "train_params.json").write_text(json.dumps(asdict(params), indent=2, sort_keys=True))
    return metrics
