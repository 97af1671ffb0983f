"""Solver throughput on CPU: batched vs one-by-one scoring, and Trainer vs a plain loop.

Prints samples/s and ratios measured in the same run:
- scoring: `training.confidence.score` with batch_size=16 vs batch_size=1 (target >= 5x);
- training: `training.sft.train` (transformers.Trainer) vs a bare AdamW loop over the same
  collated batches: the Trainer's overhead, which decides Trainer vs hand-written loop.
Tiny solver, 64 px frames (4 LLM tokens each), 4 frames per question, 1 intra-op thread
(on a shared 2-core machine 2 threads spin-wait on each other and run several times slower).

Run: python bench/solver_bench.py
"""

import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.batches import FrameStore, encode, items_from_samples  # noqa: E402
from training.confidence import score  # noqa: E402
from training.sft import TrainParams, train  # noqa: E402
from training.solver import load_solver  # noqa: E402

N_SCENES, FRAMES_PER_SCENE, N_SAMPLES, IMAGE_SIZE = 16, 4, 64, 64


def tables(seed: int = 0, *, n_scenes: int = N_SCENES, frames_per_scene: int = FRAMES_PER_SCENE,
           n_samples: int = N_SAMPLES, image_size: int = IMAGE_SIZE) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(samples, frames): random-noise frames, questions alternating numeric counting and
    3-option multiple choice, each over all of its scene's frames."""
    rng = np.random.default_rng(seed)
    frames = []
    for s in range(n_scenes):
        for i in range(frames_per_scene):
            buf = io.BytesIO()
            Image.fromarray(rng.integers(0, 256, (image_size, image_size, 3), dtype=np.uint8)).save(buf, format="PNG")
            frames.append({"frame_id": f"s{s}f{i}", "scene_id": f"s{s}", "index": i, "image": buf.getvalue()})
    samples = []
    for k in range(n_samples):
        s = k % n_scenes
        row = {"qa_id": f"q{k}", "scene_id": f"s{s}", "frame_ids": [f"s{s}f{i}" for i in range(frames_per_scene)]}
        if k % 2:
            row |= {
                "task": "object_counting",
                "question": "How many chair(s) are in this room?",
                "options": None,
                "answer_type": "numeric",
                "answer": str(k % 9 + 1),
            }
        else:
            row |= {
                "task": "object_rel_distance",
                "question": "Which of these objects (door, sofa) is the closest to the bed?",
                "options": ["A. door", "B. sofa", "C. lamp"],
                "answer_type": "mca",
                "answer": "ABC"[k % 3],
            }
        samples.append(row)
    return pl.DataFrame(samples), pl.DataFrame(frames)


def best_of(repeats: int, *fns) -> list[float]:
    """The fastest of `repeats` runs of each function, run interleaved so that load from other
    processes on a shared machine hits both sides alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def plain_loop(solver, samples, frames, steps: int, batch_size: int) -> None:
    """`steps` AdamW steps over the same kind of batches the Trainer sees."""
    store = FrameStore(solver, frames)
    items = items_from_samples(samples, store, solver.config.max_frames)
    opt = torch.optim.AdamW(solver.model.parameters(), lr=1e-3)
    solver.model.train()
    for step in range(steps):
        first = (step * batch_size) % len(items)
        loss = solver.model(**encode(solver, store, items[first : first + batch_size], with_answers=True)).loss
        loss.backward()
        opt.step()
        opt.zero_grad()


def main() -> None:
    torch.set_num_threads(1)
    samples, frames = tables()
    solver = load_solver("tiny", device="cpu", image_size=IMAGE_SIZE, max_frames=FRAMES_PER_SCENE)
    score(solver, samples.head(4), frames, batch_size=4)  # warm-up
    parts = {
        "all": samples,
        "mca": samples.filter(pl.col("answer_type") == "mca"),
        "numeric": samples.filter(pl.col("answer_type") == "numeric"),
    }
    for name, part in parts.items():
        batched, single = best_of(
            3,
            lambda p=part: score(solver, p, frames, batch_size=16),
            lambda p=part: score(solver, p, frames, batch_size=1),
        )
        print(
            f"scoring {name:<8} batched(16): {len(part) / batched:6.1f} samples/s   one-by-one: "
            f"{len(part) / single:6.1f} samples/s   ratio {single / batched:.1f}x (target >= 5x)"
        )

    steps, batch_size = 40, 8
    params = TrainParams(mode="full", lr=1e-3, max_steps=steps, batch_size=batch_size)

    def fresh():
        return load_solver("tiny", device="cpu", image_size=IMAGE_SIZE, max_frames=FRAMES_PER_SCENE)

    def with_trainer():
        with tempfile.TemporaryDirectory() as out:
            train(fresh(), samples, frames, out, params)

    trainer, plain = best_of(2, with_trainer, lambda: plain_loop(fresh(), samples, frames, steps, batch_size))
    trainer_rate, plain_rate = steps * batch_size / trainer, steps * batch_size / plain
    print(
        f"training Trainer: {trainer_rate:6.1f} samples/s   plain loop: {plain_rate:6.1f} samples/s   "
        f"Trainer/plain {trainer_rate / plain_rate:.2f}x (Trainer time includes its setup and the checkpoint save)"
    )


if __name__ == "__main__":
    main()
