"""`TrainParams`: one fine-tuning run's settings, TRL-style (every field with a help text).

Kept apart from training.sft so that reading params.yaml does not import transformers.
A field that is a `transformers.TrainingArguments` argument under another name says which
in its metadata ("arg", and "to" when the value needs translating), so `arguments()` builds
them from the fields and the mapping lives beside each default; any other TrainingArguments
argument (deepspeed, gradient_accumulation_steps, ...) passes through `trainer` as it is.
"""

import math
from dataclasses import dataclass, field, fields
from typing import Any

from training.errors import TrainParamsError

MODES = ("auto", "full", "lora")
SCHEDULES = ("constant", "linear", "cosine")
# Where a run logs (`trainer.report_to`, transformers' names): dvclive writes local files that
# dvc.yaml declares; the others are the Trainer's own integrations, and wandb or mlflow reach
# a service only when named here. The default keeps a run on disk and off the network.
REPORT_TO = ("dvclive", "tensorboard", "wandb", "mlflow", "none")
DEFAULT_REPORT_TO = "dvclive"


@dataclass(frozen=True)
class TrainParams:
    """One fine-tuning run. `max_steps` > 0 overrides `epochs`; `max_frames`/`image_size` of
    None keep the solver's own frame settings (a value replaces them, and is saved with
    the checkpoint so scoring later sees frames the same way). `schedule_steps` > 0 makes
    rounds share one LR schedule (training.sft explains how a run continues it)."""

    mode: str = field(
        default="auto",
        metadata={"help": "full: train every weight; lora: peft adapter; auto: full for tiny, lora for checkpoints"},
    )
    epochs: float = field(default=1.0, metadata={"help": "passes over the samples", "arg": "num_train_epochs"})
    max_steps: int = field(
        default=0,
        metadata={"help": "optimizer steps; 0 = use epochs", "arg": "max_steps", "to": lambda v: v if v > 0 else -1},
    )
    lr: float = field(default=1e-4, metadata={"help": "peak learning rate (AdamW)", "arg": "learning_rate"})
    # The global batch, not transformers' per-device one: the same params then take the same
    # optimizer steps (and keep `schedule_steps` valid) whatever the number of processes.
    batch_size: int = field(
        default=8,
        metadata={"help": "samples per optimizer step over all processes (each of K takes batch_size / K)"},
    )
    schedule: str = field(
        default="constant",
        metadata={"help": "learning-rate schedule: constant|linear|cosine", "arg": "lr_scheduler_type",
                  "to": lambda v: "constant_with_warmup" if v == "constant" else v},
    )
    warmup_ratio: float = field(
        default=0.0,
        # a float in [0, 1) for warmup_steps is a fraction of the total steps
        metadata={"help": "fraction of the schedule's steps with linear warmup", "arg": "warmup_steps"},
    )
    schedule_steps: int = field(
        default=0,
        metadata={"help": "optimizer steps the LR schedule spans over all rounds (warmup once, then one "
                  "decay); 0 = this run alone, so each round restarts it"},
    )
    weight_decay: float = field(default=0.0, metadata={"help": "AdamW weight decay", "arg": "weight_decay"})
    lora_rank: int = field(default=16, metadata={"help": "LoRA rank r"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scale alpha (update scaled by alpha / r)"})
    lora_dropout: float = field(default=0.0, metadata={"help": "dropout on the LoRA input"})
    lora_targets: tuple[str, ...] = field(
        default=("q_proj", "k_proj", "v_proj", "o_proj"),
        metadata={"help": "module names LoRA wraps; the defaults are the language model's attention"},
    )
    seed: int = field(
        default=0,
        metadata={"help": "seeds init of new LoRA weights and the data order", "arg": ("seed", "data_seed")},
    )
    max_frames: int | None = field(default=None, metadata={"help": "frames per question; None = the solver's"})
    image_size: int | None = field(default=None, metadata={"help": "frame side budget in px; None = the solver's"})
    gradient_checkpointing: bool | None = field(default=None, metadata={"help": "None = on for CUDA only"})
    freeze_vision: bool = field(
        default=False,
        metadata={"help": "full mode: keep the vision encoder fixed (it was pretrained: training.vision_pretrain)"},
    )
    trainer: dict[str, Any] = field(
        default_factory=dict,
        metadata={"help": "further transformers.TrainingArguments passed as they are (e.g. deepspeed: a config "
                  "file, gradient_accumulation_steps); not ones the fields above or training.sft set"},
    )

    def __post_init__(self):
        if self.mode not in MODES:
            raise TrainParamsError("mode", f"one of {MODES}", self.mode)
        if self.schedule not in SCHEDULES:
            raise TrainParamsError("schedule", f"one of {SCHEDULES}", self.schedule)
        checks = {
            "epochs": self.epochs > 0 or self.max_steps > 0,
            "max_steps": isinstance(self.max_steps, int) and self.max_steps >= 0,
            "lr": self.lr > 0 and math.isfinite(self.lr),
            "batch_size": isinstance(self.batch_size, int) and self.batch_size >= 1,
            "warmup_ratio": 0 <= self.warmup_ratio < 1,
            "schedule_steps": isinstance(self.schedule_steps, int) and self.schedule_steps >= 0,
            "weight_decay": self.weight_decay >= 0,
            "lora_rank": isinstance(self.lora_rank, int) and self.lora_rank >= 1,
            "lora_alpha": self.lora_alpha > 0,
            "lora_dropout": 0 <= self.lora_dropout < 1,
            "lora_targets": len(self.lora_targets) > 0 and all(isinstance(t, str) for t in self.lora_targets),
            "max_frames": self.max_frames is None or (isinstance(self.max_frames, int) and self.max_frames >= 1),
            "image_size": self.image_size is None or (isinstance(self.image_size, int) and self.image_size >= 32),
        }
        for name, ok in checks.items():
            if not ok:
                spec = next(f for f in fields(self) if f.name == name)
                raise TrainParamsError(name, spec.metadata["help"], getattr(self, name))
        if self.trainer:
            self._check_trainer()

    def arguments(self) -> dict[str, Any]:
        """The TrainingArguments keywords the fields stand for, then `trainer`'s (the per-device
        batch and checkpointing depend on the processes and device: training.sft sets those)."""
        out = {}
        for spec in fields(self):
            if "arg" in spec.metadata:
                value = spec.metadata.get("to", lambda v: v)(getattr(self, spec.name))
                out |= dict.fromkeys(_names(spec), value)
        return out | self.trainer

    def report_to(self) -> list[str]:
        """The integrations `trainer.report_to` names (default dvclive); [] for none."""
        value = self.trainer.get("report_to", DEFAULT_REPORT_TO)
        return [name for name in ([value] if isinstance(value, str) else value) if name != "none"]

    def _check_trainer(self) -> None:
        from transformers import TrainingArguments  # only when `trainer` is used: reading params stays light

        known = {f.name for f in fields(TrainingArguments) if f.init}
        for key in sorted(self.trainer):
            if key not in known:
                raise TrainParamsError(f"trainer.{key}", "a transformers.TrainingArguments argument", key)
            owner = next((f.name for f in fields(self) if key in _names(f)), None)
            if owner:
                raise TrainParamsError(f"trainer.{key}", f"a key TrainParams does not own (set {owner} instead)", key)
        value = self.trainer.get("report_to", DEFAULT_REPORT_TO)
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list | tuple) or not names or any(n not in REPORT_TO for n in names):
            raise TrainParamsError("trainer.report_to", f"one of {REPORT_TO} or a list of them", value)
        from transformers.integrations import get_available_reporting_integrations

        installed = get_available_reporting_integrations()
        absent = [n for n in names if n != "none" and n not in installed]
        if absent:  # else the Trainer would refuse it only once a stage is training
            raise TrainParamsError("trainer.report_to", f"integrations installed here (pip install {absent[0]}; "
                                   f"installed: {', '.join(installed) or 'none'})", value)


def _names(spec) -> tuple[str, ...]:
    """The TrainingArguments a field becomes (none, one or several)."""
    names = spec.metadata.get("arg", ())
    return (names,) if isinstance(names, str) else names
