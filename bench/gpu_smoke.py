"""GPU smoke test at real size: a Qwen3-VL with the 2B/4B/8B dimensions and random weights, a
round's train step and its scoring, through the project's own code. Nothing downloads.

It builds the config with training.solver.tiny_model_config at the sizes in SIZES (the
published Qwen3-VL config.json dimensions; the vocabulary is the real 151,936 rows, so the
embedding and LM-head cost is real, while the text uses the offline tokenizer's ids), inits
the weights at random in bf16 on the device, then

- trains `--train-steps` steps of `--batch-size` with training.sft.train in LoRA mode (what a
  real checkpoint trains with; gradient checkpointing and bf16 on CUDA, as in a round);
- scores `--score-samples` questions with training.confidence.score (teacher-forced gold
  confidence for multiple choice, greedy + teacher forcing for numeric);

and prints samples/s for both and the peak memory of each (torch.cuda.max_memory_allocated).
Questions carry `--frames` noise frames of `--image-size` px: 32 frames at 448 px is
32 x 196 = 6,272 vision tokens a question, the paper's setting.

Run: bash bench/gpu_smoke.sh                      (4B on one GPU, <= 10 minutes)
     bash bench/gpu_smoke.sh --size tiny --device cpu --frames 2 --image-size 64 ...
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
from transformers import Qwen3VLForConditionalGeneration

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.solver_bench import tables  # noqa: E402
from training.confidence import score  # noqa: E402
from training.images import fit_size  # noqa: E402
from training.sft import TrainParams, train  # noqa: E402
from training.solver import TINY_SIZE, Solver, SolverConfig, tiny_model_config  # noqa: E402
from training.tokenizer import train_tokenizer  # noqa: E402

QWEN_VOCAB = 151_936
# Qwen3-VL-2B/4B share a 24-layer, 1024-wide vision tower; 8B has the 27-layer SigLIP2-so400m.
_VISION_SMALL = {"vision_depth": 24, "vision_hidden": 1024, "vision_heads": 16, "vision_intermediate": 4096}
SIZES: dict[str, dict] = {
    "tiny": {**TINY_SIZE},
    "2b": {"text_hidden": 2048, "text_layers": 28, "text_heads": 16, "text_kv_heads": 8, "head_dim": 128,
           "text_intermediate": 6144, **_VISION_SMALL, "patch_size": 16, "vocab_size": QWEN_VOCAB,
           "deepstack": [5, 11, 17], "tie": True},
    "4b": {"text_hidden": 2560, "text_layers": 36, "text_heads": 32, "text_kv_heads": 8, "head_dim": 128,
           "text_intermediate": 9728, **_VISION_SMALL, "patch_size": 16, "vocab_size": QWEN_VOCAB,
           "deepstack": [5, 11, 17], "tie": True},
    "8b": {"text_hidden": 4096, "text_layers": 36, "text_heads": 32, "text_kv_heads": 8, "head_dim": 128,
           "text_intermediate": 12288, "vision_depth": 27, "vision_hidden": 1152, "vision_heads": 16,
           "vision_intermediate": 4304, "patch_size": 16, "vocab_size": QWEN_VOCAB,
           "deepstack": [8, 16, 24], "tie": False},
}


def build(size: str, device: str, image_size: int, frames: int) -> Solver:
    """A random-init Qwen3-VL of `size` on `device` (bf16 on CUDA, float32 on CPU)."""
    dims = dict(SIZES[size])
    deepstack, tie = dims.pop("deepstack", None), dims.pop("tie", False)
    tokenizer = train_tokenizer()
    config = tiny_model_config(dims, dims["vocab_size"], tokenizer)
    if size != "tiny":  # what the real configs set beyond the tiny one's dimensions
        config.vision_config.deepstack_visual_indexes = deepstack
        config.vision_config.num_position_embeddings = 2304
        config.vision_config.hidden_act = "gelu_pytorch_tanh"
        config.text_config.rope_parameters["rope_theta"] = 5_000_000.0
        config.text_config.max_position_embeddings = 262_144
        config.tie_word_embeddings = tie
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    torch.manual_seed(0)
    default = torch.get_default_dtype()
    torch.set_default_dtype(dtype)  # init straight in bf16: a 4B model never exists in float32
    try:
        with torch.device(device):
            model = Qwen3VLForConditionalGeneration(config)
    finally:
        torch.set_default_dtype(default)
    solver_config = SolverConfig(base=f"random-{size}", image_size=image_size, max_frames=frames)
    return Solver(model.eval(), tokenizer, solver_config, torch.device(device))


def vision_tokens(solver: Solver, image_size: int) -> int:
    """LLM tokens one square frame of `image_size` px takes (after the 2 x 2 patch merge)."""
    height, width = fit_size(image_size, image_size, solver.patch)
    return (height // solver.patch.factor) * (width // solver.patch.factor)


def peak_gib(device: str) -> float | None:
    return torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else None


def reset_peak(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def run(args: argparse.Namespace) -> dict:
    if args.device == "cpu":
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    solver = build(args.size, args.device, args.image_size, args.frames)
    n_params = sum(p.numel() for p in solver.model.parameters())
    n_train = args.train_steps * args.batch_size
    samples, frames = tables(n_scenes=4, frames_per_scene=args.frames, image_size=args.image_size,
                             n_samples=max(n_train, args.score_samples))
    built_s = time.perf_counter() - start

    reset_peak(args.device)
    params = TrainParams(mode="lora", max_steps=args.train_steps, batch_size=args.batch_size, lr=1e-4)
    with tempfile.TemporaryDirectory() as out:
        trained = train(solver, samples.head(n_train), frames, out, params)
    train_peak = peak_gib(args.device)

    reset_peak(args.device)
    scored = samples.head(args.score_samples)
    t0 = time.perf_counter()
    score(solver, scored, frames, batch_size=args.score_batch_size)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    score_s = time.perf_counter() - t0
    return {
        "size": args.size, "device": args.device, "params_b": round(n_params / 1e9, 3),
        "frames": args.frames, "image_size": args.image_size,
        "vision_tokens_per_question": args.frames * vision_tokens(solver, args.image_size),
        "build_s": round(built_s, 1),
        "train_samples_per_s": round(trained["samples_per_s"], 3), "train_steps": trained["steps"],
        "train_peak_gib": train_peak,
        "score_samples_per_s": round(len(scored) / score_s, 3), "score_samples": len(scored),
        "score_peak_gib": peak_gib(args.device),
        "total_s": round(time.perf_counter() - start, 1),
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    cuda = torch.cuda.is_available()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="4b")
    ap.add_argument("--device", default="cuda" if cuda else "cpu")
    ap.add_argument("--frames", type=int, default=32, help="frames per question")
    ap.add_argument("--image-size", type=int, default=448, help="frame side in px (448: 196 tokens a frame)")
    ap.add_argument("--train-steps", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=4, help="training samples per step")
    ap.add_argument("--score-samples", type=int, default=32)
    ap.add_argument("--score-batch-size", type=int, default=8)
    # on a shared 2-core box two intra-op threads spin-wait on each other (bench/solver_bench.py)
    ap.add_argument("--threads", type=int, default=1, help="CPU intra-op threads (CPU only)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    result = run(parse(argv))
    for key, value in result.items():
        print(f"{key:>27}: {value}")
    print(json.dumps(result))  # the last line, for scripts


if __name__ == "__main__":
    main()
