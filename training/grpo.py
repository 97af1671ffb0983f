"""GRPO rounds: the solver trained by TRL's `GRPOTrainer`, rewarded by VSI-Bench's own score.

The layer over TRL is as thin as training.sft's over transformers:
- `FramesProcessor`: the solver's tokenizer and image processor as the Qwen3-VL processor TRL
  drives (frames as images in the prompt, laid out as training.prompts lays them out, so a
  prompt is the token sequence SFT and scoring see, bit for bit); images only, because
  Qwen3-VL's video processor needs torchvision, which this project does not install;
- `prompts`: the slice as a `datasets.Dataset` of conversational prompts with their frames and
  the columns the reward functions read (training.rewards);
- `_GRPO`: GRPOTrainer with training.sft's `Continuing` hooks (the round resumes the previous
  round's weights, AdamW moments and place in the LR schedule, as SFT rounds do) and two
  hooks overridden to keep every rollout: the rewards TRL computed, and after each generation
  batch the completions, advantages and the mean log-prob of each completion's tokens under
  the policy that sampled them.

A step takes `params.batch_size` questions and samples `params.grpo.group_size` answers to
each (TRL's per-device batch counts completions: batch_size x group_size), so SFT and GRPO
rounds of equal steps train on equal numbers of examples. With `params.grpo.vllm_url` a
`trl vllm-serve` server samples the answers (TRL syncs the weights to it every step).

The rollouts table (one row per sampled answer): qa_id, group (the generation's running
index of the question's group in this run), sample (0..G-1 in the group), completion (the
answer text), reward (the weighted sum TRL optimises), advantage (TRL's, group-normalised),
logp_mean (mean log-prob of the completion's tokens, nats), parsed (the benchmark reads it as
an answer: training.rewards.parses; one that does not gets reward 0 from `vsibench`).
"""

from pathlib import Path

import datasets
import polars as pl
import torch
from accelerate.utils import gather_object
from transformers import PrinterCallback, Qwen3VLProcessor
from transformers.processing_utils import ProcessorMixin
from trl import GRPOConfig, GRPOTrainer

from store.schema import ROLLOUT_SCHEMA
from training.batches import FrameStore, items_from_samples
from training.errors import TrainParamsError
from training.images import image_processor
from training.prompts import IM_END, IM_START, IMAGE_PAD, VISION_END, VISION_START
from training.rewards import REWARDS, parses
from training.sft import (
    Continuing,
    RichProgress,
    checkpointing,
    continuing,
    prepare_model,
    resolve,
    run,
    training_arguments,
)
from training.solver import Solver
from training.train_params import TrainParams

# training.prompts.chat_prompt as a chat template: one user turn, frames first, then the text,
# and the assistant turn opened (tests check the two give the same tokens).
CHAT_TEMPLATE = (
    f"{{% for m in messages %}}{IM_START}{{{{ m.role }}}}\n"
    "{% if m.content is string %}{{ m.content }}{% else %}{% for c in m.content %}"
    f"{{% if c.type == 'image' %}}{VISION_START}{IMAGE_PAD}{VISION_END}{{% else %}}{{{{ c.text }}}}{{% endif %}}"
    f"{{% endfor %}}{{% endif %}}{IM_END}\n{{% endfor %}}"
    f"{{% if add_generation_prompt %}}{IM_START}assistant\n{{% endif %}}"
)


class FramesProcessor(Qwen3VLProcessor):
    """Qwen3VLProcessor over images and text alone: the solver's tokenizer, its image processor
    (training.images) and CHAT_TEMPLATE. Qwen3VLProcessor's own __init__ requires a video
    processor; the special tokens it looks up are set here the same way."""

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        self.image_token, self.video_token = "<|image_pad|>", "<|video_pad|>"
        self.image_token_id = tokenizer.convert_tokens_to_ids(self.image_token)
        self.video_token_id = tokenizer.convert_tokens_to_ids(self.video_token)
        ProcessorMixin.__init__(self, image_processor, tokenizer, chat_template=chat_template)
        self.vision_start_token, self.vision_end_token = VISION_START, VISION_END
        self.vision_start_token_id = tokenizer.convert_tokens_to_ids(VISION_START)
        self.vision_end_token_id = tokenizer.convert_tokens_to_ids(VISION_END)


def processor(solver: Solver) -> FramesProcessor:
    """The solver's processor; TRL needs its tokenizer to pad on the left (so does scoring)."""
    solver.tokenizer.padding_side = "left"
    return FramesProcessor(image_processor=image_processor(solver.patch), tokenizer=solver.tokenizer,
                           chat_template=CHAT_TEMPLATE)


def prompts(samples: pl.DataFrame, store: FrameStore, max_frames: int) -> datasets.Dataset:
    """One conversational prompt per sample row (frames as images, VSI-Bench's wording), with
    the row's qa_id, task, answer, answer_type and options for the reward functions."""
    items = items_from_samples(samples, store, max_frames)  # checks columns and gold answers
    rows = []
    for row, item in zip(samples.iter_rows(named=True), items, strict=True):
        content = [{"type": "image", "text": None}] * len(item.frame_ids) + [{"type": "text", "text": item.text}]
        rows.append({"prompt": [{"role": "user", "content": content}],
                     "images": [{"bytes": store.png(f), "path": None} for f in item.frame_ids],
                     **{k: row[k] for k in ("qa_id", "task", "answer", "answer_type", "options")}})
    # frames stay PNG bytes in the table; datasets decodes them to PIL images when TRL reads a row
    return datasets.Dataset.from_list(rows).cast_column("images", datasets.Sequence(datasets.Image()))


class _GRPO(Continuing, GRPOTrainer):
    """GRPOTrainer that continues a previous round and keeps every rollout (module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rollouts: list[dict] = []
        self._groups = 0  # groups generated so far, over all processes

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        self._rewards = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        return self._rewards  # [all processes' completions, reward functions]

    def _generate_and_score_completions(self, inputs):
        out = super()._generate_and_score_completions(inputs)
        if self.model.training:
            self._keep(inputs, out)
        return out

    def _keep(self, inputs: list[dict], out: dict) -> None:
        n, g = len(inputs), self.num_generations
        mine = slice(self.accelerator.process_index * n, (self.accelerator.process_index + 1) * n)
        weights = self.reward_weights.to(self._rewards.device)
        rewards = (self._rewards[mine] * weights).nansum(dim=1).tolist()
        mask = out["completion_mask"]
        logp = (self._sampled_logps(out) * mask).sum(-1) / mask.sum(-1).clamp(min=1)
        texts = self.processing_class.batch_decode(
            [ids[m.bool()].tolist() for ids, m in zip(out["completion_ids"], mask, strict=True)],
            skip_special_tokens=True)
        # RepeatSampler puts each question's g copies next to each other, and processes take
        # contiguous shares, so row i of process k is sample i % g of group (k * n + i) // g
        first = self._groups + self.accelerator.process_index * n // g
        rows = [{"qa_id": x["qa_id"], "group": first + i // g, "sample": i % g, "completion": text,
                 "reward": reward, "advantage": float(advantage), "logp_mean": float(lp),
                 "parsed": parses(x["answer_type"], x["options"], text)}
                for i, (x, text, reward, advantage, lp) in enumerate(
                    zip(inputs, texts, rewards, out["advantages"].tolist(), logp.tolist(), strict=True))]
        self.rollouts += gather_object(rows)
        self._groups += self.accelerator.num_processes * n // g

    @torch.no_grad()
    def _sampled_logps(self, out: dict) -> torch.Tensor:
        """[B, C] log-probs of the sampled tokens under the sampling policy: the ones TRL already
        has (vLLM's, or the policy's when it needed them), else one forward pass."""
        for key in ("sampling_per_token_logps", "old_per_token_logps"):
            if out.get(key) is not None:
                return out[key]
        ids = torch.cat([out["prompt_ids"], out["completion_ids"]], dim=1)
        mask = torch.cat([out["prompt_mask"], out["completion_mask"]], dim=1)
        logps, _, _ = self._get_per_token_logps_and_entropies(
            self.model, ids, mask, out["completion_ids"].size(1), pixel_values=out.get("pixel_values"),
            image_grid_thw=out.get("image_grid_thw"), num_images=out.get("num_images"),
            mm_token_type_ids=out.get("mm_token_type_ids"))
        return logps


def _trainer(solver: Solver, dataset: datasets.Dataset, params: TrainParams, out: Path,
             resume: str | Path | None, log_dir: Path | None) -> tuple[_GRPO, RichProgress]:
    unknown = [name for name in params.grpo.rewards if name not in REWARDS]
    if unknown:  # params loaded through ouroboros are checked at load; a direct caller is checked here
        raise TrainParamsError("grpo.rewards", f"names in {sorted(REWARDS)}", unknown[0])
    # TRL turns its alias gradient_checkpointing on by default: it must say what `activation_checkpointing` says
    args = training_arguments(solver, params, out, log_dir, config=GRPOConfig, per_question=params.grpo.group_size,
                              gradient_checkpointing=checkpointing(solver, params), **params.grpo.arguments())
    progress = RichProgress()
    trainer = _GRPO(
        model=solver.model,
        reward_funcs=[REWARDS[name] for name in params.grpo.rewards],
        args=args,
        train_dataset=dataset,
        processing_class=processor(solver),
        **continuing(params, progress, resume, log_dir),
    )
    trainer.remove_callback(PrinterCallback)  # the rich bar and metrics.json replace its stdout dicts
    return trainer, progress


def train(
    solver: Solver, samples: pl.DataFrame, frames: pl.DataFrame, out_dir: str | Path, params: TrainParams,
    init: str | Path | None = None, resume: str | Path | None = None, log_dir: str | Path | None = None,
) -> tuple[dict, pl.DataFrame]:
    """GRPO on `samples` (training.sft.train's arguments and saved files); returns (metrics,
    rollouts). The metrics are SFT's (loss_curve: GRPO's loss per step; samples_per_s:
    questions per second) plus reward_curve (mean reward per step), groups, zero_variance_groups
    (groups whose rewards were all equal: they teach nothing) and unparsed (sampled answers
    the benchmark does not read as answers)."""
    out = Path(out_dir)
    params = resolve(solver, params)
    store = FrameStore(solver, frames)
    dataset = prompts(samples, store, solver.config.max_frames)
    if not len(dataset):
        raise TrainParamsError("samples", "at least one training sample", 0)
    prepare_model(solver, params, init)
    trainer, progress = _trainer(solver, dataset, params, out, resume, None if log_dir is None else Path(log_dir))
    metrics = run(trainer, progress, solver, out, params, len(dataset), summary=lambda: _summary(trainer.rollouts))
    return metrics, pl.DataFrame(trainer.rollouts, schema=ROLLOUT_SCHEMA)


def _summary(rollouts: list[dict]) -> dict:
    table = pl.DataFrame(rollouts, schema=ROLLOUT_SCHEMA)
    distinct = table.group_by("group").agg(pl.col("reward").n_unique().alias("n"))["n"]
    return {"groups": distinct.len(), "zero_variance_groups": int((distinct == 1).sum()),
            "unparsed": int((~table["parsed"]).sum())}
