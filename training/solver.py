"""Loading, saving and embedding with the Qwen3-VL solver.

`load_solver(spec)` builds one of three things behind the same `Solver` type:
- `"tiny"`: a random-init Qwen3-VL from a config in code with the offline BPE tokenizer
  (training.tokenizer); the CPU default, fully fine-tuned (LoRA cannot train a random head).
- a directory written by `Solver.save`: `solver.json` says whether it holds full weights
  (`model.safetensors` + `config.json`) or a LoRA adapter over a base named in it.
- any other local directory: a real Qwen3-VL checkpoint (2B/4B/8B) with `config.json`,
  tokenizer files and `preprocessor_config.json`, loaded with `local_files_only=True`,
  bf16 on CUDA. Nothing ever downloads.
"""

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from transformers import AutoTokenizer, Qwen3VLConfig, Qwen3VLForConditionalGeneration

from training.errors import SolverNotFoundError, SolverSpecError
from training.images import PatchSpec, decode_png, patchify
from training.tokenizer import train_tokenizer

SOLVER_FILE = "solver.json"

# The tiny solver's sizes: ~0.8M parameters, trains at ~150 samples/s on one CPU core at
# 64 px with 4 frames. Every key can be overridden through load_solver(**size).
TINY_SIZE: dict[str, int] = {
    "text_hidden": 128,
    "text_layers": 2,
    "text_heads": 4,
    "text_kv_heads": 2,
    "head_dim": 32,
    "text_intermediate": 256,
    "vision_depth": 2,
    "vision_hidden": 64,
    "vision_heads": 2,
    "vision_intermediate": 128,
    "patch_size": 16,
    "vocab_size": 1024,
}
# Frame settings that are not model sizes; they travel with the checkpoint.
FRAME_DEFAULTS: dict[str, int] = {"image_size": 64, "max_frames": 4}


@dataclass(frozen=True)
class SolverConfig:
    """What a saved solver needs to be rebuilt: its kind ("full" weights or a "lora" adapter),
    its base ("tiny" or a checkpoint path), the tiny sizes and seed, and the frame settings
    (`image_size`: frames are resized to at most image_size^2 pixels; `max_frames`: at most
    this many frames per question, sampled uniformly over the video)."""

    kind: str = "full"
    base: str = "tiny"
    seed: int = 0
    size: dict[str, int] = field(default_factory=dict)
    image_size: int = FRAME_DEFAULTS["image_size"]
    max_frames: int = FRAME_DEFAULTS["max_frames"]
    patch: PatchSpec = field(default_factory=PatchSpec)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, where: str) -> "SolverConfig":
        try:
            raw = json.loads(text)
            raw["patch"] = PatchSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw["patch"].items()})
            return cls(**raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise SolverSpecError(f"{where}: not a valid solver config ({exc})") from exc


class Solver:
    """A Qwen3-VL model (optionally wrapped by peft), its tokenizer and frame settings."""

    def __init__(self, model: torch.nn.Module, tokenizer, config: SolverConfig, device: torch.device):
        self.model, self.tokenizer, self.config, self.device = model, tokenizer, config, device
        self.image_pad_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
        self.eos_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos_id
        self._single_ids: dict[str, int] = {}

    @property
    def patch(self) -> PatchSpec:
        return replace(self.config.patch, max_pixels=self.config.image_size**2)

    @property
    def base_model(self) -> Qwen3VLForConditionalGeneration:
        """The Qwen3-VL model under any peft wrapper."""
        return self.model.get_base_model() if hasattr(self.model, "get_base_model") else self.model

    def token_id(self, text: str) -> int:
        """The id of a text that must be exactly one token (a digit or option letter)."""
        if text not in self._single_ids:
            ids = self.tokenizer.encode(text, add_special_tokens=False)
            if len(ids) != 1:
                raise SolverSpecError(f"tokenizer splits {text!r} into {len(ids)} tokens; answers need it to be one")
            self._single_ids[text] = ids[0]
        return self._single_ids[text]

    def pixels(self, images: Sequence[Image.Image | bytes]) -> tuple[torch.Tensor, torch.Tensor]:
        """Images -> (pixel_values [sum of patches, C*t*p*p], image_grid_thw [n, 3]) on the model's device."""
        patches, grids = [], []
        for i, image in enumerate(images):
            img = decode_png(image, f"image {i}") if isinstance(image, bytes) else image
            rows, grid = patchify(img, self.patch)
            patches.append(rows)
            grids.append(grid)
        dtype = next(self.model.parameters()).dtype
        return (
            torch.from_numpy(np.concatenate(patches)).to(self.device, dtype),
            torch.tensor(grids, dtype=torch.long, device=self.device),
        )

    @torch.inference_mode()
    def embed_images(self, images: Sequence[Image.Image | bytes], batch_size: int = 32) -> np.ndarray:
        """Mean-pooled vision-tower features: float32 [len(images), text hidden size], one row per
        image (the merged patch tokens the LLM sees, averaged)."""
        rows = []
        for start in range(0, len(images), batch_size):
            pixel_values, grid = self.pixels(images[start : start + batch_size])
            out = self.base_model.model.get_image_features(pixel_values, grid)
            rows += [tokens.float().mean(dim=0).cpu().numpy() for tokens in out.pooler_output]
        hidden = self.base_model.config.text_config.hidden_size
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, hidden), np.float32)

    def save(self, out_dir: str | Path) -> Path:
        """Write weights (safetensors) or the adapter, the tokenizer and `solver.json` to `out_dir`."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out)
        self.tokenizer.save_pretrained(out)
        (out / SOLVER_FILE).write_text(self.config.to_json())
        return out


def _device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def tiny_model_config(size: dict[str, int], vocab_size: int, tokenizer) -> Qwen3VLConfig:
    """The Qwen3-VL config of the tiny solver; mrope splits head_dim/2 like Qwen's [24, 20, 20] of 64."""
    half = size["head_dim"] // 2
    hw = half * 5 // 16
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in ("<|image_pad|>", "<|video_pad|>")}
    return Qwen3VLConfig(
        text_config={
            "vocab_size": vocab_size,
            "hidden_size": size["text_hidden"],
            "intermediate_size": size["text_intermediate"],
            "num_hidden_layers": size["text_layers"],
            "num_attention_heads": size["text_heads"],
            "num_key_value_heads": size["text_kv_heads"],
            "head_dim": size["head_dim"],
            "max_position_embeddings": 4096,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "mrope_section": [half - 2 * hw, hw, hw],
                "mrope_interleaved": True,
            },
            "pad_token_id": tokenizer.pad_token_id,
        },
        vision_config={
            "depth": size["vision_depth"],
            "hidden_size": size["vision_hidden"],
            "intermediate_size": size["vision_intermediate"],
            "num_heads": size["vision_heads"],
            "patch_size": size["patch_size"],
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "out_hidden_size": size["text_hidden"],
            "num_position_embeddings": 64,  # an 8x8 learned grid, interpolated to each frame's patch grid
            "deepstack_visual_indexes": [0],
        },
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=tokenizer.convert_tokens_to_ids("<|vision_start|>"),
        vision_end_token_id=tokenizer.convert_tokens_to_ids("<|vision_end|>"),
    )


def _split_size(size: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    unknown = set(size) - set(TINY_SIZE) - set(FRAME_DEFAULTS)
    if unknown:
        raise SolverSpecError(
            f"unknown solver size keys {sorted(unknown)}; known: {sorted(TINY_SIZE | FRAME_DEFAULTS)}"
        )
    for key, value in size.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise SolverSpecError(f"solver size {key!r} must be a positive int, got {value!r}")
    model = {k: size.get(k, v) for k, v in TINY_SIZE.items()}
    frames = {k: size.get(k, v) for k, v in FRAME_DEFAULTS.items()}
    return model, frames


def build_tiny(seed: int = 0, device: str = "auto", **size: int) -> Solver:
    """A random-init tiny Qwen3-VL; the same seed and sizes give the same weights."""
    model_size, frames = _split_size(size)
    tokenizer = train_tokenizer(model_size["vocab_size"])
    torch.manual_seed(seed)
    model = Qwen3VLForConditionalGeneration(tiny_model_config(model_size, len(tokenizer), tokenizer))
    dev = _device(device)
    config = SolverConfig(seed=seed, size=model_size, patch=PatchSpec(patch_size=model_size["patch_size"]), **frames)
    return Solver(model.to(dev).eval(), tokenizer, config, dev)


def _load_saved(path: Path, device: str) -> Solver:
    config = SolverConfig.from_json((path / SOLVER_FILE).read_text(), str(path / SOLVER_FILE))
    if config.kind == "lora":
        from peft import PeftModel

        base = load_solver(config.base, device=device, seed=config.seed, **_base_size(config))
        model = PeftModel.from_pretrained(base.model, path, is_trainable=False)
        return Solver(model.eval(), base.tokenizer, config, base.device)
    dev = _device(device)
    dtype = torch.bfloat16 if dev.type == "cuda" and config.base != "tiny" else torch.float32
    model = Qwen3VLForConditionalGeneration.from_pretrained(path, local_files_only=True, dtype=dtype)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    return Solver(model.to(dev).eval(), tokenizer, config, dev)


def _base_size(config: SolverConfig) -> dict[str, int]:
    frames = {"image_size": config.image_size, "max_frames": config.max_frames}
    return {**config.size, **frames} if config.base == "tiny" else frames


def _load_checkpoint(path: Path, device: str, frames: dict[str, int]) -> Solver:
    """A real Qwen3-VL checkpoint directory (Hugging Face layout)."""
    dev = _device(device)
    dtype = torch.bfloat16 if dev.type == "cuda" else torch.float32
    model = Qwen3VLForConditionalGeneration.from_pretrained(path, local_files_only=True, dtype=dtype)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    tokenizer.padding_side = "left"
    pre = (
        json.loads((path / "preprocessor_config.json").read_text())
        if (path / "preprocessor_config.json").exists()
        else {}
    )
    vision = model.config.vision_config
    patch = PatchSpec(
        patch_size=vision.patch_size,
        merge_size=vision.spatial_merge_size,
        temporal_patch_size=vision.temporal_patch_size,
        image_mean=tuple(pre.get("image_mean", (0.5, 0.5, 0.5))),
        image_std=tuple(pre.get("image_std", (0.5, 0.5, 0.5))),
    )
    config = SolverConfig(base=str(path.resolve()), patch=patch, **frames)
    return Solver(model.to(dev).eval(), tokenizer, config, dev)


def load_solver(spec: str | Path = "tiny", device: str = "auto", seed: int = 0, **size: int) -> Solver:
    """The solver named by `spec`: "tiny" (random init from `seed`, sizes overridable by keyword:
    see TINY_SIZE and FRAME_DEFAULTS), a directory written by `Solver.save`, or a local
    Qwen3-VL checkpoint directory. For directories only `image_size`/`max_frames` may be
    given; they replace the saved (or default) frame settings."""
    if str(spec) == "tiny":
        return build_tiny(seed=seed, device=device, **size)
    path = Path(spec)
    if not path.is_dir():
        raise SolverNotFoundError(f"solver {str(spec)!r} is neither 'tiny' nor an existing directory")
    model_keys = sorted(set(size) - set(FRAME_DEFAULTS))
    if model_keys:
        raise SolverSpecError(f"size keys {model_keys} only apply to 'tiny'; {path} fixes its own sizes")
    _, frames = _split_size(size)
    if (path / SOLVER_FILE).exists():
        solver = _load_saved(path, device)
        solver.config = replace(solver.config, **{k: v for k, v in size.items()})
        return solver
    if not (path / "config.json").exists():
        raise SolverNotFoundError(f"{path}: no {SOLVER_FILE} or config.json, so it is not a solver checkpoint")
    return _load_checkpoint(path, device, frames)
