"""`TrainParams`: one fine-tuning run's settings, TRL-style (every field with a help text).

Kept apart from training.sft so that reading params.yaml does not import transformers.
A field that is a `transformers.TrainingArguments` argument under another name says which
in its metadata ("arg", and "to" when the value needs translating), so `arguments()` builds
them from the fields and the mapping lives beside each default; any other TrainingArguments
argument (deepspeed, gradient_accumulation_steps, ...) passes through `trainer` as it is.
"""

from dataclasses import field, fields, replace
from typing import Annotated, Any, Literal

from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, model_validator
from pydantic.dataclasses import dataclass

from plumbing.params import STRICT

# Where a run logs (`trainer.report_to`, transformers' names): dvclive writes local files that
# dvc.yaml declares; the others are the Trainer's own integrations, and wandb or mlflow reach
# a service only when named here. The default keeps a run on disk and off the network.
REPORT_TO = ("dvclive", "tensorboard", "wandb", "mlflow", "none")
DEFAULT_REPORT_TO = "dvclive"


@dataclass(frozen=True, config=STRICT)
class GRPOParams:
    """A GRPO round (training.grpo, TRL's GRPOTrainer): each question of the slice is answered
    `group_size` times by sampling, each answer is rewarded by the registered reward functions
    `rewards` names (training.rewards: name -> weight), and the policy moves towards the
    answers that beat their group's mean. TrainParams.batch_size counts questions per optimizer
    step, as in SFT, so both methods see the same number of examples per step."""

    group_size: Annotated[int, Field(ge=2)] = field(
        default=4,
        # one answer has no group to be better than: its advantage would always be 0
        metadata={"help": "completions sampled per question (at least 2)", "arg": "num_generations"},
    )
    max_completion_length: PositiveInt = field(
        default=8, metadata={"help": "tokens a sampled answer may take ('12.75' is 5, <|im_end|> one more)",
                             "arg": "max_completion_length"})
    beta: NonNegativeFloat = field(
        default=0.0, metadata={"help": "KL coefficient against the round's starting weights (0: no reference model)",
                               "arg": "beta"})
    temperature: PositiveFloat = field(default=1.0, metadata={"help": "sampling temperature", "arg": "temperature"})
    loss: Literal["grpo", "dr_grpo", "dapo"] = field(
        default="dapo", metadata={"help": "TRL's loss variant (how token losses are normalised)", "arg": "loss_type"})
    rewards: Annotated[dict[str, float], Field(min_length=1)] = field(
        default_factory=lambda: {"vsibench": 1.0},
        metadata={"help": "reward function name -> weight; names registered in training.rewards.REWARDS "
                  "(checked at load by ouroboros.registered)",
                  "arg": "reward_weights", "to": lambda v: list(v.values())},
    )
    vllm_url: str | None = field(
        default=None,
        metadata={"help": "a `trl vllm-serve` server that samples the completions (TRL use_vllm, server mode); "
                  "None samples with the model in this process"},
    )

    def arguments(self) -> dict[str, Any]:
        """The GRPOConfig keywords the fields stand for."""
        if not self.vllm_url:
            return _mapped(self)
        return _mapped(self) | {"use_vllm": True, "vllm_mode": "server", "vllm_server_base_url": self.vllm_url}


@dataclass(frozen=True, config=STRICT)
class TrainParams:
    """One fine-tuning run. `max_steps` > 0 overrides `epochs`; `max_frames`/`image_size` of
    None keep the solver's own frame settings (a value replaces them, and is saved with
    the checkpoint so scoring later sees frames the same way). `schedule_steps` > 0 makes
    rounds share one LR schedule (training.sft explains how a run continues it)."""

    method: Literal["sft", "grpo"] = field(
        default="sft",
        metadata={"help": "sft: supervised on the gold answers (training.sft); grpo: reinforcement learning with "
                  "the benchmark's score as the reward (training.grpo, settings in `grpo`)"},
    )
    grpo: GRPOParams = field(default_factory=GRPOParams, metadata={"help": "method grpo's settings"})
    mode: Literal["auto", "full", "lora"] = field(
        default="auto",
        metadata={"help": "full: train every weight; lora: peft adapter; auto: full for tiny, lora for checkpoints"},
    )
    epochs: NonNegativeFloat = field(
        default=1.0, metadata={"help": "passes over the samples", "arg": "num_train_epochs"})
    max_steps: NonNegativeInt = field(
        default=0,
        metadata={"help": "optimizer steps; 0 = use epochs", "arg": "max_steps", "to": lambda v: v if v > 0 else -1},
    )
    steps_per_round: NonNegativeInt = field(
        default=0,
        metadata={"help": "optimizer steps of every loop round, whatever the size of its slice (so every data "
                  "policy spends the same compute); 0 = a round trains like a single run (epochs / max_steps)"},
    )
    lr: Annotated[float, Field(gt=0, allow_inf_nan=False)] = field(
        default=1e-4, metadata={"help": "peak learning rate (AdamW)", "arg": "learning_rate"})
    # The global batch, not transformers' per-device one: the same params then take the same
    # optimizer steps (and keep `schedule_steps` valid) whatever the number of processes.
    batch_size: PositiveInt = field(
        default=8,
        metadata={"help": "samples per optimizer step over all processes (each of K takes batch_size / K)"},
    )
    schedule: Literal["constant", "linear", "cosine"] = field(
        default="constant",
        metadata={"help": "learning-rate schedule: constant|linear|cosine", "arg": "lr_scheduler_type",
                  "to": lambda v: "constant_with_warmup" if v == "constant" else v},
    )
    warmup_ratio: Annotated[float, Field(ge=0, lt=1)] = field(
        default=0.0,
        # a float in [0, 1) for warmup_steps is a fraction of the total steps
        metadata={"help": "fraction of the schedule's steps with linear warmup", "arg": "warmup_steps"},
    )
    schedule_steps: NonNegativeInt = field(
        default=0,
        metadata={"help": "optimizer steps the LR schedule spans over all rounds (warmup once, then one "
                  "decay); 0 = this run alone, so each round restarts it"},
    )
    weight_decay: NonNegativeFloat = field(default=0.0, metadata={"help": "AdamW weight decay", "arg": "weight_decay"})
    lora_rank: PositiveInt = field(default=16, metadata={"help": "LoRA rank r"})
    lora_alpha: PositiveInt = field(default=32, metadata={"help": "LoRA scale alpha (update scaled by alpha / r)"})
    lora_dropout: Annotated[float, Field(ge=0, lt=1)] = field(
        default=0.0, metadata={"help": "dropout on the LoRA input"})
    lora_targets: Annotated[tuple[str, ...], Field(min_length=1)] = field(
        default=("q_proj", "k_proj", "v_proj", "o_proj"),
        metadata={"help": "module names LoRA wraps; the defaults are the language model's attention"},
    )
    seed: int = field(
        default=0,
        metadata={"help": "seeds init of new LoRA weights and the data order", "arg": ("seed", "data_seed")},
    )
    max_frames: PositiveInt | None = field(default=None, metadata={"help": "frames per question; None = the solver's"})
    image_size: Annotated[int, Field(ge=32)] | None = field(
        default=None, metadata={"help": "frame side budget in px; None = the solver's"})
    gradient_checkpointing: bool | None = field(default=None, metadata={"help": "None = on for CUDA only"})
    freeze_vision: bool = field(
        default=False,
        metadata={"help": "full mode: keep the vision encoder fixed (it was pretrained: training.vision_pretrain)"},
    )
    trainer: dict[str, Any] = field(
        default_factory=dict,
        metadata={"help": "further transformers.TrainingArguments passed as they are (e.g. deepspeed: a config "
                  "file, gradient_accumulation_steps, report_to: one or a list of " + "|".join(REPORT_TO)
                  + f", default {DEFAULT_REPORT_TO}); not ones the fields above or training.sft set"},
    )

    @model_validator(mode="after")
    def _has_a_length(self):
        if self.epochs <= 0 and self.max_steps <= 0:
            raise ValueError("epochs: must be > 0 when max_steps is 0 (set one of them)")
        return self

    @model_validator(mode="after")
    def _trainer_keys_are_free_training_arguments(self):
        if not self.trainer:
            return self
        from transformers import TrainingArguments  # only when `trainer` is used: reading params stays light

        known = {f.name for f in fields(TrainingArguments) if f.init}
        for key in sorted(self.trainer):
            if key not in known:
                raise ValueError(f"trainer.{key}: expected a transformers.TrainingArguments argument")
            owner = next((f.name for f in fields(self) if key in _names(f)), None)
            if owner:
                raise ValueError(f"trainer.{key}: expected a key TrainParams does not own (set {owner} instead)")
        return self

    @model_validator(mode="after")
    def _report_to_is_an_installed_integration(self):
        if "report_to" not in self.trainer:
            return self
        value = self.trainer["report_to"]
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list | tuple) or not names or any(n not in REPORT_TO for n in names):
            raise ValueError(f"trainer.report_to: expected one of {REPORT_TO} or a list of them, got {value!r}")
        from transformers.integrations import get_available_reporting_integrations

        installed = get_available_reporting_integrations()
        absent = [n for n in names if n != "none" and n not in installed]
        if absent:  # else the Trainer would refuse it only once a stage is training
            raise ValueError(f"trainer.report_to: expected integrations installed here (pip install {absent[0]}; "
                             f"installed: {', '.join(installed) or 'none'}), got {value!r}")
        return self

    def for_round(self, seed: int) -> "TrainParams":
        """The run one loop round makes: `steps_per_round` steps (when set), data order from `seed`."""
        return replace(self, seed=seed, max_steps=self.steps_per_round or self.max_steps)

    def arguments(self) -> dict[str, Any]:
        """The TrainingArguments keywords the fields stand for, then `trainer`'s (the per-device
        batch and checkpointing depend on the processes and device: training.sft sets those)."""
        return _mapped(self) | self.trainer

    def report_to(self) -> list[str]:
        """The integrations `trainer.report_to` names (default dvclive); [] for none."""
        value = self.trainer.get("report_to", DEFAULT_REPORT_TO)
        return [name for name in ([value] if isinstance(value, str) else value) if name != "none"]


def _mapped(params) -> dict[str, Any]:
    """The library arguments of the fields of `params` that name one in their metadata."""
    out = {}
    for spec in fields(params):
        if "arg" in spec.metadata:
            value = spec.metadata.get("to", lambda v: v)(getattr(params, spec.name))
            out |= dict.fromkeys(_names(spec), value)
    return out


def _names(spec) -> tuple[str, ...]:
    """The TrainingArguments a field becomes (none, one or several)."""
    names = spec.metadata.get("arg", ())
    return (names,) if isinstance(names, str) else names
