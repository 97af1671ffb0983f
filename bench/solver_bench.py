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


def tables(seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    for s in range(N_SCENES):
        for i in range(FRAMES_PER_SCENE):
            buf = io.BytesIO()
            Image.fromarray(rng.integers(0, 256, (IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)).save(buf, format="PNG")
            frames.append({"frame_id": f"s{s}f{i}", "scene_id": f"s{s}", "index": i, "image": buf.getvalue()})
    samples = []
    for k in range(N_SAMPLES):
        s = k % N_SCENES
        row = {"qa_id": f"q{k}", "scene_id": f"s{s}", "frame_ids": [f"s{s}f{i}" for i in range(FRAMES_PER_SCENE)]}
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


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plain_loop(solver, samples, frames, steps: int, batch_size: int) -> float:
    """Seconds for `steps` AdamW steps over the same batches the Trainer sees."""
    store = FrameStore(solver, frames)
    items = items_from_samples(samples, store, solver.config.max_frames)
    opt = torch.optim.AdamW(solver.model.parameters(), lr=1e-3)
    solver.model.train()
    start = time.perf_counter()
    for step in range(steps):
        first = (step * batch_size) % len(items)
        loss = solver.model(**encode(solver, store, items[first : first + batch_size], with_answers=True)).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    return time.perf_counter() - start


def main() -> None:
    torch.set_num_threads(1)
    samples, frames = tables()
    solver = load_solver("tiny", device="cpu", image_size=IMAGE_SIZE, max_frames=FRAMES_PER_SCENE)
    score(solver, samples.head(4), frames, batch_size=4)  # warm-up
    batched = timed(lambda: score(solver, samples, frames, batch_size=16))
    single = timed(lambda: score(solver, samples, frames, batch_size=1))
    print(
        f"scoring  batched(16): {N_SAMPLES / batched:7.1f} samples/s   one-by-one: {N_SAMPLES / single:7.1f} "
        f"samples/s   ratio {single / batched:.1f}x (target >= 5x)"
    )

    steps, batch_size = 40, 8
    plain = plain_loop(
        load_solver("tiny", device="cpu", image_size=IMAGE_SIZE, max_frames=FRAMES_PER_SCENE),
        samples,
        frames,
        steps,
        batch_size,
    )
    with tempfile.TemporaryDirectory() as out:
        metrics = train(
            load_solver("tiny", device="cpu", image_size=IMAGE_SIZE, max_frames=FRAMES_PER_SCENE),
            samples,
            frames,
            out,
            TrainParams(mode="full", lr=1e-3, max_steps=steps, batch_size=batch_size),
        )
    trainer_rate, plain_rate = metrics["samples_per_s"], steps * batch_size / plain
    print(
        f"training Trainer: {trainer_rate:7.1f} samples/s   plain loop: {plain_rate:7.1f} samples/s   "
        f"Trainer/plain {trainer_rate / plain_rate:.2f}x"
    )


if __name__ == "__main__":
    main()
