"""Supervised fine-tuning of the solver on a selected slice: full (tiny) or LoRA (real checkpoints).

Built on `transformers.Trainer`, not a hand-written loop: the same code then runs under
accelerate/torchrun on several GPUs, with bf16 and gradient checkpointing, unchanged. The
layer over it is thin: a collator that turns sample rows into left-padded Qwen3-VL inputs
(training.batches; labels are -100 except on the answer tokens and the closing
`<|im_end|>`, so the loss is on the answer only), a callback that drives a rich progress
bar and records the loss curve, DVCLive's callback (or the Trainer integrations
`trainer.report_to` names) logging every step to a log folder, and the save of the solver
(safetensors or adapter), `metrics.json` and the resolved `train_params.json`. Measured on the tiny solver
(bench/solver_bench.py, 1 CPU thread, 64 px, 4 frames, batch 8, 40 steps): the Trainer runs
at 0.87-1.05x the samples/s of a bare AdamW loop over the same batches, its setup and the
checkpoint save included, so a plain loop would buy little and lose the multi-GPU path.

Determinism: the Trainer seeds torch/numpy/random from `params.seed` before building the
sampler, so the same params, samples and initial weights give the same trained weights.

Several processes (torchrun / `accelerate launch` / `ouro round --processes K`; the caller
joins the process group): the Trainer wraps the model in DDP and accelerate shards each
global batch of `params.batch_size` rows (the same rows one process would take, from the
same seeded sampler) into K per-process batches; the loss is averaged over the answer tokens
of all K (`average_tokens_across_devices`), so the steps match one process's up to float
summation order. Every process ends with the same weights; rank 0 alone writes them.

Continuing across rounds (the paper keeps the optimizer state over its 4 rounds of SFT):
`train` saves `optimizer.pt` beside the solver: the AdamW state (moments and step count per
trainable parameter), the name and shape of each parameter it belongs to, and the LR
schedule's position. A run given `resume=<previous solver dir>` loads the moments into the
optimizer the Trainer builds (`create_optimizer`), with this run's hyperparameters (lr,
betas, weight decay come from `params`, not from the file). The LR schedule is a function of
the params and one step count, so that count is its whole state (no scheduler.pt): with
`params.schedule_steps` > 0 the schedule spans that many steps over all rounds, warmup
included once, and a run that resumes from a run of the same span enters it at the saved
step; with 0 each run has a schedule of its own. State saved for other parameters (another
model, LoRA vs full, a changed trainable set), or none at all, gives an
`OptimizerStateWarning` naming the directory and a fresh optimizer and schedule.
"""

import json
import os
import pickle
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

import polars as pl
import torch
from torch.optim.lr_scheduler import LambdaLR
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments

from plumbing.progress import progress_bar
from training.batches import FrameStore, Item, encode, items_from_samples
from training.distributed import barrier, is_main, rank_and_world
from training.errors import OptimizerStateWarning, TrainParamsError
from training.solver import Solver, load_solver
from training.train_params import TrainParams

OPTIMIZER_FILE = "optimizer.pt"
# Layout of a parameter set: [[name, shape] for each parameter] for each optimizer param group.
Layout = list[list[list]]


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


class RichProgress(TrainerCallback):
    """A rich progress bar on stderr, the loss (and GRPO's mean reward) of every logged step and
    the LR every step used."""

    def __init__(self):
        self.losses: list[float] = []
        self.rewards: list[float] = []  # GRPO's mean reward per step (training.grpo)
        self.lrs: list[float] = []
        self._bar = None

    def on_train_begin(self, args, state, control, **kwargs):
        self._bar = progress_bar()
        self._bar.start()
        self._task = self._bar.add_task("training", total=state.max_steps)

    def on_step_begin(self, args, state, control, lr_scheduler=None, **kwargs):
        self.lrs.append(float(lr_scheduler.get_last_lr()[0]))  # the LR the coming optimizer step applies

    def on_step_end(self, args, state, control, **kwargs):
        self._bar.update(self._task, completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        # under DDP the Trainer logs the loss averaged over every process's share of the batch
        if logs and "reward" in logs:
            self.rewards.append(float(logs["reward"]))
        if logs and "loss" in logs:
            self.losses.append(float(logs["loss"]))
            self._bar.update(self._task, description=f"training loss {logs['loss']:.3f}")

    def on_train_end(self, args, state, control, **kwargs):
        self._bar.stop()


def checkpointing(solver: Solver, params: TrainParams) -> bool:
    """Activation checkpointing: as asked, else on for CUDA (memory) and off on CPU (speed)."""
    return solver.device.type == "cuda" if params.gradient_checkpointing is None else params.gradient_checkpointing


def prepare_model(solver: Solver, params: TrainParams, init: str | Path | None) -> None:
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
    if checkpointing(solver, params):
        # the frozen embeddings' outputs must carry grad, or none reaches adapters in checkpointed layers
        solver.base_model.enable_input_require_grads()
    solver.config = replace(solver.config, kind="lora")


# TrainingArguments this layer relies on: the loss of every step (the curve in metrics.json),
# no Trainer checkpoints (train() saves the solver and optimizer.pt itself), the collator's
# own columns, and the rich bar instead of tqdm. `TrainParams.trainer` may not change them.
FIXED = {
    "logging_steps": 1,
    "save_strategy": "no",
    "disable_tqdm": True,
    "remove_unused_columns": False,
    "dataloader_pin_memory": False,
}


def training_arguments(solver: Solver, params: TrainParams, out: Path, log_dir: Path | None = None, *,
                       config: type[TrainingArguments] = TrainingArguments, per_question: int = 1,
                       **extra) -> TrainingArguments:
    """`config` (TrainingArguments, or a subclass such as TRL's GRPOConfig with its `extra`
    keywords) from `params` (TrainParams.arguments), FIXED, and what the device and the number
    of processes decide; a step takes `params.batch_size` questions of `per_question` sequences
    each (GRPO: a group of sampled answers per question). The Trainer's integrations write
    under `log_dir`; with none they are off. dvclive is left out of them: `reporters` gives it
    a Live of its own."""
    fixed = sorted(set(params.trainer) & set(FIXED))
    if fixed:
        raise TrainParamsError(f"trainer.{fixed[0]}", "a key training.sft does not fix", params.trainer[fixed[0]])
    _, world = rank_and_world()
    if params.batch_size % world:
        raise TrainParamsError("batch_size", f"a multiple of the {world} processes", params.batch_size)
    cuda = solver.device.type == "cuda"
    others = [name for name in params.report_to() if name != "dvclive"] if log_dir else []
    return config(
        output_dir=str(log_dir if others else out / "trainer"),  # where tensorboard & co. write
        per_device_train_batch_size=params.batch_size * per_question // world,
        use_cpu=not cuda,
        bf16=cuda and next(solver.model.parameters()).dtype == torch.bfloat16,
        activation_checkpointing=checkpointing(solver, params),
        **FIXED,
        **params.arguments() | extra | {"report_to": others or "none"},
    )


def reporters(params: TrainParams, log_dir: Path | None) -> list[TrainerCallback]:
    """DVCLive's Trainer callback writing to `log_dir` (training.tracking), on rank 0 alone and
    never without a dir."""
    if log_dir is None or "dvclive" not in params.report_to() or not is_main():
        return []
    from training.tracking import dvclive_callback  # imports dvc: only runs that log pay for it

    return [dvclive_callback(log_dir)]


def _layout(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> Layout:
    """Which parameter each slot of the optimizer state belongs to (state is keyed by position)."""
    names = {id(p): name for name, p in model.named_parameters()}
    return [[[names[id(p)], list(p.shape)] for p in group["params"]] for group in optimizer.param_groups]


def _layout_difference(saved: Layout, current: Layout) -> str:
    """The first parameter where two layouts part, in words."""
    sizes = [len(g) for g in saved], [len(g) for g in current]
    if sizes[0] != sizes[1]:
        return f"saved for param groups of {sizes[0]} tensors, this run has {sizes[1]}"
    a, b = next((x, y) for gs, gc in zip(saved, current, strict=True) for x, y in zip(gs, gc, strict=True) if x != y)
    return f"saved for {a[0]} {a[1]}, this run has {b[0]} {b[1]}"


def _fresh(where: Path, why: str) -> None:
    warnings.warn(
        f"{where}: {why}; training starts with a fresh optimizer and LR schedule", OptimizerStateWarning, stacklevel=2
    )


def read_state(resume: Path) -> dict | None:
    """The optimizer state `train` saved in `resume`, or None (with a warning) when there is none to use."""
    path = resume / OPTIMIZER_FILE
    if not path.is_file():
        _fresh(resume, f"no optimizer state saved there (no {OPTIMIZER_FILE})")
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError) as exc:
        _fresh(path, f"unreadable ({exc})")
        return None
    if not isinstance(state, dict) or not {"optimizer", "layout", "schedule_steps", "schedule_step"} <= state.keys():
        _fresh(path, "not optimizer state saved by training.sft")
        return None
    return state


def _shifted(lr_lambda, start: int, step: int) -> float:
    return lr_lambda(start + step)


class Continuing:
    """Trainer hooks that continue a previous run: the optimizer starts from `saved` moments,
    and the LR schedule spans `span` steps (0: this run alone) and is entered at the saved step.
    Mixed into transformers' Trainer here and TRL's GRPOTrainer in training.grpo, so both
    methods continue rounds the same way."""

    def __init__(self, *args, saved: dict | None, source: Path | None, span: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved, self._source, self._span = saved, source, span
        self._start = 0  # the schedule step this run begins at

    def create_optimizer(self, model=None):
        optimizer = super().create_optimizer(model)
        if self._saved is not None:
            self._load_moments(optimizer, self._saved)
            self._saved = None  # loaded once, even if the Trainer asks for the optimizer again
        return optimizer

    def _load_moments(self, optimizer: torch.optim.Optimizer, saved: dict) -> None:
        current = _layout(self.model, optimizer)
        if saved["layout"] != current:
            _fresh(self._source, _layout_difference(saved["layout"], current))
            return
        # the saved per-parameter state under this run's param groups, so lr/betas/decay follow params
        groups = optimizer.state_dict()["param_groups"]
        optimizer.load_state_dict({"state": saved["optimizer"]["state"], "param_groups": groups})
        if self._span and saved["schedule_steps"] == self._span:
            self._start = saved["schedule_step"]

    def create_scheduler(self, num_training_steps: int, optimizer=None):
        if self.lr_scheduler is None:
            span = self._span or num_training_steps
            end = self._start + num_training_steps
            if end > span:
                done = f"{self._start} steps before this run, {num_training_steps} in it"
                raise TrainParamsError("schedule_steps", f"at least {end} ({done})", self._span)
            whole = super().create_scheduler(span, optimizer)  # warmup is a fraction of the whole span
            if self._start:
                # LambdaLR keeps the base LRs (`initial_lr`) the first one set, and starts at the shifted step 0
                shifted = [partial(_shifted, f, self._start) for f in whole.lr_lambdas]
                self.lr_scheduler = LambdaLR(whole.optimizer, shifted)
        return self.lr_scheduler

    def save_continuation(self, out: Path, steps: int) -> None:
        """Write the optimizer state and schedule position to out/optimizer.pt, atomically."""
        state = {
            "optimizer": self.optimizer.state_dict(),
            "layout": _layout(self.model, self.optimizer),
            "schedule_steps": self._span,
            "schedule_step": self._start + steps,
        }
        tmp = out / f"{OPTIMIZER_FILE}.tmp"
        torch.save(state, tmp)
        os.replace(tmp, out / OPTIMIZER_FILE)


class _ContinuingTrainer(Continuing, Trainer):
    """transformers' Trainer that continues a previous round (`Continuing`)."""


def continuing(params: TrainParams, progress: RichProgress, resume: str | Path | None,
               log_dir: Path | None) -> dict:
    """The keywords a `Continuing` trainer of either method takes: its callbacks, the state
    `resume` saved and the schedule's span."""
    return {"callbacks": [progress, *reporters(params, log_dir)],
            "saved": None if resume is None else read_state(Path(resume)),
            "source": None if resume is None else Path(resume), "span": params.schedule_steps}


def _trainer(
    solver: Solver, items: list[Item], store: FrameStore, params: TrainParams, out: Path, resume: str | Path | None,
    log_dir: Path | None = None,
) -> tuple[_ContinuingTrainer, RichProgress]:
    progress = RichProgress()
    trainer = _ContinuingTrainer(
        model=solver.model,
        args=training_arguments(solver, params, out, log_dir),
        train_dataset=_Samples(items),
        data_collator=_Collator(solver, store),
        **continuing(params, progress, resume, log_dir),
    )
    trainer.remove_callback(PrinterCallback)  # the rich bar and metrics.json replace its stdout dicts
    return trainer, progress


def save_run(trainer: Continuing, solver: Solver, out: Path, steps: int, metrics: dict,
             params: TrainParams) -> None:
    """The solver, optimizer.pt, metrics.json and the resolved train_params.json in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    trainer_dir = out / "trainer"  # the Trainer's own output dir; nothing is saved there
    if trainer_dir.is_dir() and not any(trainer_dir.iterdir()):
        trainer_dir.rmdir()
    solver.save(out)
    trainer.save_continuation(out, steps)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "train_params.json").write_text(json.dumps(asdict(params), indent=2, sort_keys=True))


def train(
    solver: Solver,
    samples: pl.DataFrame,
    frames: pl.DataFrame,
    out_dir: str | Path,
    params: TrainParams,
    init: str | Path | None = None,
    resume: str | Path | None = None,
    log_dir: str | Path | None = None,
) -> dict:
    """Fine-tune `solver` in place on `samples` and save it to `out_dir`, with its optimizer
    state (out_dir/optimizer.pt); returns the metrics (also written to out_dir/metrics.json):
    n_samples, steps, epochs, first_loss, final_loss (mean of the last 10% of logged steps),
    loss_curve, lr_curve (the LR each step applied), seconds, samples_per_s.

    `init`: a saved solver whose weights (or adapter) to start from instead of `solver`'s.
    `resume`: a solver directory saved by `train` (the previous round's) whose optimizer
    state and LR-schedule position to continue; see the module docstring.
    `log_dir`: where the integrations `params.trainer["report_to"]` names (default dvclive)
    log every step; None logs nowhere but metrics.json."""
    out = Path(out_dir)
    params = resolve(solver, params)
    store = FrameStore(solver, frames)
    items = items_from_samples(samples, store, solver.config.max_frames)
    if not items:
        raise TrainParamsError("samples", "at least one training sample", 0)
    prepare_model(solver, params, init)
    trainer, progress = _trainer(solver, items, store, params, out, resume, None if log_dir is None else Path(log_dir))
    return run(trainer, progress, solver, out, params, len(items))


def resolve(solver: Solver, params: TrainParams) -> TrainParams:
    """`params` with mode auto decided (full for tiny, lora for a checkpoint); the solver's frame
    settings replaced by params' where set (they are saved with it, so scoring sees the same)."""
    overrides = {k: v for k, v in (("max_frames", params.max_frames), ("image_size", params.image_size)) if v}
    solver.config = replace(solver.config, **overrides)
    if params.mode == "auto":
        return replace(params, mode="full" if solver.config.base == "tiny" else "lora")
    return params


def run(trainer: Continuing, progress: RichProgress, solver: Solver, out: Path, params: TrainParams,
        n_samples: int, summary: Callable[[], dict] = dict) -> dict:
    """Train, then save the run on rank 0 (`save_run`); its metrics (see `train`), with what
    `summary()` adds once training is done (training.grpo: the rollouts' counts)."""
    start = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - start
    solver.model.eval()
    losses = progress.losses
    tail = losses[-max(1, len(losses) // 10) :]
    metrics = {
        "n_samples": n_samples,
        "steps": result.global_step,
        "epochs": float(trainer.state.epoch or 0.0),
        "first_loss": losses[0] if losses else None,
        "final_loss": sum(tail) / len(tail) if tail else None,
        "loss_curve": losses,
        "lr_curve": progress.lrs,
        "seconds": seconds,
        # questions per second (GRPO samples a group of answers per question)
        "samples_per_s": result.global_step * params.batch_size / seconds if seconds > 0 else 0.0,
        **({"reward_curve": progress.rewards} if progress.rewards else {}),
        **summary(),
    }
    if is_main():  # DDP keeps every process's weights and optimizer state equal: one copy is saved
        save_run(trainer, solver, out, result.global_step, metrics, params)
    barrier()  # on every process, train() returns once the solver is on disk
    return metrics
