"""Does the tiny solver learn to *see*? Counting over synthetic frames, against two controls.

Each synthetic scene holds N in 1..5 red squares on a grey floor (plus a few blue
distractor squares); every frame shows the scene's red squares at new random places, so the
count is visible in any frame and the question text alone carries no information. The
tiny solver is fully fine-tuned for a fixed number of steps on the training scenes, then
scored on held-out scenes (per task: here the one task object_counting):
- accuracy (exact count) and VSI-Bench MRA with the real frames,
- the best constant answer (the training set's most frequent count, a prior-only model),
- the blind control: the same trained solver with each question's frames swapped for
  another scene's (training.confidence.score(blind=True)); learning that is visual falls
  back towards the constant here.

Run: python bench/learning_bench.py   (about 2 minutes on a busy 2-core machine)
"""

import io
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.confidence import score  # noqa: E402
from training.metrics import mean_relative_accuracy, parse_number  # noqa: E402
from training.sft import TrainParams, train  # noqa: E402
from training.solver import load_solver  # noqa: E402

SIZE, FRAMES, MAX_COUNT, SQUARE = 64, 2, 5, 9
N_TRAIN, N_TEST = 600, 150
PARAMS = TrainParams(mode="full", lr=2e-3, max_steps=300, batch_size=16, schedule="cosine", warmup_ratio=0.05)


def draw_frame(rng: np.random.Generator, count: int, distractors: int) -> bytes:
    """A SIZE x SIZE PNG: `count` red and `distractors` blue squares at non-overlapping places."""
    image = np.full((SIZE, SIZE, 3), 128, dtype=np.uint8)
    cells = rng.permutation(36)[: count + distractors]  # a 6x6 grid of slots keeps squares apart
    for k, cell in enumerate(cells):
        y, x = divmod(int(cell), 6)
        y0, x0 = y * 10 + int(rng.integers(0, 2)), x * 10 + int(rng.integers(0, 2))
        image[y0 : y0 + SQUARE, x0 : x0 + SQUARE] = (220, 30, 30) if k < count else (30, 30, 220)
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return buf.getvalue()


def dataset(n: int, seed: int, prefix: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    samples, frames = [], []
    for k in range(n):
        scene, count = f"{prefix}{k}", int(rng.integers(1, MAX_COUNT + 1))
        distractors = int(rng.integers(0, 3))
        ids = [f"{scene}f{i}" for i in range(FRAMES)]
        frames += [
            {"frame_id": fid, "scene_id": scene, "index": i, "image": draw_frame(rng, count, distractors)}
            for i, fid in enumerate(ids)
        ]
        samples.append(
            {
                "qa_id": f"{scene}q",
                "scene_id": scene,
                "task": "object_counting",
                "question": "How many chair(s) are in this room?",
                "options": None,
                "answer_type": "numeric",
                "answer": str(count),
                "frame_ids": ids,
            }
        )
    return pl.DataFrame(samples), pl.DataFrame(frames)


def report(name: str, predictions: list[str], gold: list[str]) -> tuple[float, float]:
    values = [parse_number(p) for p in predictions]
    accuracy = float(np.mean([v == float(g) for v, g in zip(values, gold, strict=True)]))
    mra = float(np.mean([mean_relative_accuracy(v, float(g)) for v, g in zip(values, gold, strict=True)]))
    print(f"  {name:<26} accuracy {100 * accuracy:5.1f}%   MRA {100 * mra:5.1f}")
    return accuracy, mra


def main() -> None:
    torch.set_num_threads(1)  # see bench/solver_bench.py
    train_samples, train_frames = dataset(N_TRAIN, 0, "tr")
    test_samples, test_frames = dataset(N_TEST, 1, "te")
    solver = load_solver("tiny", device="cpu", seed=0, image_size=SIZE, max_frames=FRAMES)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        metrics = train(solver, train_samples, train_frames, out, PARAMS)
    print(
        f"trained {metrics['steps']} steps x {PARAMS.batch_size} in {time.perf_counter() - start:.0f} s "
        f"({metrics['samples_per_s']:.0f} samples/s), loss {metrics['first_loss']:.2f} -> {metrics['final_loss']:.2f}"
    )
    gold = test_samples["answer"].to_list()
    constant = Counter(train_samples["answer"]).most_common(1)[0][0]
    print(f"object_counting, {N_TEST} held-out scenes, counts 1..{MAX_COUNT}:")
    seen, _ = report("solver (real frames)", score(solver, test_samples, test_frames)["prediction"].to_list(), gold)
    const, _ = report(f"best constant ({constant!r})", [constant] * len(gold), gold)
    blind, _ = report(
        "blind (swapped frames)", score(solver, test_samples, test_frames, blind=True)["prediction"].to_list(), gold
    )
    print(f"ratio solver/constant {seen / max(const, 1e-9):.2f}x   solver/blind {seen / max(blind, 1e-9):.2f}x")


if __name__ == "__main__":
    main()
