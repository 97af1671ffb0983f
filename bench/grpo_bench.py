"""GRPO against SFT on the tiny solver: cost per example, and whether GRPO learns.

1. Cost: SFT and GRPO (training.sft / training.grpo) train the same rows for the same
   optimizer steps of the same number of questions; samples/s counts questions, so the ratio
   is the cost of one training example under each method (GRPO samples `group_size` answers
   per question, scores them, and back-propagates through every one; the rollouts table adds
   one no-grad forward over the batch for the log-probs).
2. Learning: on the learning bench's counting task (bench/learning_bench.py: red squares in
   the frames, "How many chair(s)?"), a briefly SFT-warm-started solver, then a few dozen GRPO
   steps; the held-out mean reward (the expected VSI-Bench score of a sampled answer, the
   quantity GRPO maximises, estimated from SAMPLES answers to each of N_TEST questions at
   temperature 1, the same sampling seed before and after) before and after, per seed, and
   the greedy answer's score beside it. GRPO needs the warm start: from random init no sampled
   answer is a number, every group's rewards are 0 and nothing is learned
   (tests/training/test_grpo.py).

   The measure's own noise: two sampling seeds on the same weights differ by 0.5 to 1.1
   points at N_TEST x SAMPLES = 1280 answers (seeds 10, 11); at the earlier 48 x 4 = 192 the
   standard error alone was about 2.5 points, the size of the margin the test asserts.

Run: python bench/grpo_bench.py   (a few minutes on a busy 2-core machine)
"""

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.learning_bench import FRAMES, SIZE, dataset  # noqa: E402
from training import grpo  # noqa: E402
from training.batches import FrameStore, encode, items_from_samples  # noqa: E402
from training.rewards import REWARDS  # noqa: E402
from training.sft import train  # noqa: E402
from training.solver import Solver, load_solver  # noqa: E402
from training.train_params import GRPOParams, TrainParams  # noqa: E402

WARM = TrainParams(mode="full", lr=2e-3, max_steps=30, batch_size=16)
GRPO = TrainParams(method="grpo", mode="full", lr=5e-4, max_steps=30, batch_size=8,
                   grpo=GRPOParams(group_size=4, max_completion_length=4))
SAMPLES = 8  # sampled answers per held-out question
N_TRAIN, N_TEST = 480, 160  # the warm start's 30 x 16 rows; GRPO's 30 x 8 are the first half of them


@torch.no_grad()
def sampled_reward(solver: Solver, samples: pl.DataFrame, frames: pl.DataFrame, *, seed: int = 0,
                   greedy: bool = False) -> float:
    """Mean `vsibench` reward of SAMPLES answers per question sampled at GRPO's temperature
    (with `greedy`, of the one most likely answer)."""
    store = FrameStore(solver, frames)
    batch = encode(solver, store, items_from_samples(samples, store, solver.config.max_frames), with_answers=False)
    torch.manual_seed(seed)
    n = 1 if greedy else SAMPLES
    how = {"do_sample": False} if greedy else {"do_sample": True, "temperature": GRPO.grpo.temperature, "top_k": 0,
                                               "top_p": 1.0, "num_return_sequences": SAMPLES}
    out = solver.model.generate(**batch, **how, max_new_tokens=GRPO.grpo.max_completion_length,
                                eos_token_id=solver.eos_id, pad_token_id=solver.pad_id)
    texts = solver.tokenizer.batch_decode(out[:, batch["input_ids"].shape[1]:], skip_special_tokens=True)
    repeat = {k: [v for v in samples[k].to_list() for _ in range(n)] for k in ("task", "answer")}
    return float(np.mean(REWARDS["vsibench"](completions=[t.strip() for t in texts], **repeat)))


def learning(seed: int, n_train: int = N_TRAIN, n_test: int = N_TEST) -> dict[str, float]:
    """Held-out mean reward after the warm start and after GRPO (before, after), and the
    greedy answer's score at both (greedy_before, greedy_after), for one seed: its own rooms,
    initial weights and data order."""
    train_rows, train_frames = dataset(n_train, seed, "tr")
    test_rows, test_frames = dataset(n_test, 1000 + seed, "te")
    solver = load_solver("tiny", device="cpu", seed=seed, image_size=SIZE, max_frames=FRAMES)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        train(solver, train_rows, train_frames, f"{tmp}/warm", replace(WARM, seed=seed))
        for when in ("before", "after"):
            if when == "after":
                grpo.train(solver, train_rows, train_frames, f"{tmp}/grpo", replace(GRPO, seed=seed))
            out[when] = sampled_reward(solver, test_rows, test_frames)
            out[f"greedy_{when}"] = sampled_reward(solver, test_rows, test_frames, greedy=True)
    return out


def cost(steps: int = 20, batch: int = 8) -> dict[str, float]:
    """Questions per second of SFT and GRPO on the same rows, from the same warm-started weights."""
    rows, frames = dataset(steps * batch, 0, "c")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, params in (("sft", replace(WARM, max_steps=steps, batch_size=batch)),
                             ("grpo", replace(GRPO, max_steps=steps, batch_size=batch))):
            solver = load_solver("tiny", device="cpu", seed=0, image_size=SIZE, max_frames=FRAMES)
            train(solver, rows, frames, f"{tmp}/warm", WARM)  # GRPO's answers then have SFT's length
            fit = grpo.train if name == "grpo" else train
            metrics = fit(solver, rows, frames, f"{tmp}/{name}", params)
            out[name] = (metrics[0] if name == "grpo" else metrics)["samples_per_s"]
    return out


def main() -> None:
    torch.set_num_threads(1)  # see bench/solver_bench.py
    start = time.perf_counter()
    speed = cost()
    print(f"cost, {GRPO.grpo.group_size} answers per question, 1 CPU thread, {SIZE} px, {FRAMES} frames: "
          f"SFT {speed['sft']:.1f} questions/s, GRPO {speed['grpo']:.1f} questions/s, "
          f"GRPO costs {speed['sft'] / speed['grpo']:.1f}x SFT per example")
    print(f"learning: held-out mean reward (x100), warm start {WARM.max_steps} SFT steps -> "
          f"+{GRPO.max_steps} GRPO steps of {GRPO.batch_size} questions")
    for seed in range(3):
        got = {k: 100 * v for k, v in learning(seed).items()}
        print(f"  seed {seed}: {got['before']:5.1f} -> {got['after']:5.1f} ({got['after'] - got['before']:+.1f});"
              f" greedy {got['greedy_before']:5.1f} -> {got['greedy_after']:5.1f}"
              f" ({got['greedy_after'] - got['greedy_before']:+.1f})")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
