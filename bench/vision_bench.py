"""Do pretrained eyes make the tiny solver see? Counting and room size from overview frames.

The default world's rooms (params.yaml `scenes.world`) drawn as overview frames
(curation.scenes.overview), questions "How many X(s) are in this room?" and "What is the size
of this room?", the tiny solver fine-tuned for STEPS steps, scored on held-out rooms:

- baseline: the random-init encoder trained end to end (what the loop had before);
- pretrained: the encoder first trained on dense targets (training.vision_pretrain)
  for PRETRAIN_STEPS steps, then frozen while the language model learns;
- blind: each of those with another room's frame (what priors alone give).

Prints the VSI-Bench score per task, and the ratio pretrained / baseline of the visual
gain (sighted minus blind) on the overall score.

Run: python bench/vision_bench.py   (about 4 minutes on 2 cores)
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

from curation.scenes.frames import png_bytes  # noqa: E402
from curation.scenes.overview import overview, token_targets  # noqa: E402
from curation.scenes.procedural import generate_scene  # noqa: E402
from curation.tasks.base import spoken  # noqa: E402
from ouroboros.params import load_params  # noqa: E402
from training.confidence import score  # noqa: E402
from training.metrics import vsibench_scores  # noqa: E402
from training.sft import TrainParams, train  # noqa: E402
from training.solver import load_solver  # noqa: E402
from training.vision_params import VisionPretrainParams  # noqa: E402
from training.vision_pretrain import pretrain_vision  # noqa: E402

STEPS, PRETRAIN_STEPS, N_TRAIN, N_TEST, N_PRETRAIN = 600, 600, 300, 60, 1500
PARAMS = TrainParams(mode="full", lr=2e-3, max_steps=STEPS, batch_size=16, schedule="cosine", warmup_ratio=0.05)


def rooms(seeds, world, span: float, size: int):
    for seed in seeds:
        scene = generate_scene(seed, **world.knobs(seed))
        rgb, instance = overview(scene, size, span / size)
        yield scene, png_bytes(rgb), instance


def questions(seeds, world, span: float, size: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    samples, frames = [], []
    for scene, png, _ in rooms(seeds, world, span, size):
        frame = f"{scene.scene_id}-overview"
        frames.append({"frame_id": frame, "scene_id": scene.scene_id, "index": 0, "image": png})
        common = {"scene_id": scene.scene_id, "frame_ids": [frame], "options": None, "answer_type": "numeric"}
        for category, n in sorted(scene.object_counts.items()):
            samples.append(common | {"qa_id": f"{scene.scene_id}-{category}", "task": "object_counting",
                                     "question": f"How many {spoken(category)}(s) are in this room?", "answer": str(n)})
        samples.append(common | {"qa_id": f"{scene.scene_id}-room", "task": "room_size_estimation",
                                 "question": "What is the size of this room (in square meters)?",
                                 "answer": str(round(scene.room_size, 1))})
    return pl.DataFrame(samples), pl.DataFrame(frames)


def evaluate(solver, samples: pl.DataFrame, frames: pl.DataFrame, blind: bool) -> dict:
    scored = samples.join(score(solver, samples, frames, blind=blind), on="qa_id")
    return vsibench_scores({"question_type": r["task"], "options": None, "ground_truth": r["answer"],
                            "prediction": r["prediction"]} for r in scored.iter_rows(named=True))


def main() -> None:
    torch.set_num_threads(2)
    params = load_params(Path(__file__).resolve().parents[1] / "params.yaml")
    world, span, size = params.scenes.world, params.frames.overview_m, params.frames.overview_size
    categories = sorted(world.categories)
    train_set = questions(range(N_TRAIN), world, span, size)
    test_set = questions(range(100_000, 100_000 + N_TEST), world, span, size)
    results = {}
    for name in ("baseline", "pretrained"):
        solver = load_solver("tiny", device="cpu", seed=0, image_size=size, max_frames=1)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            if name == "pretrained":
                images, targets = [], []
                for scene, png, instance in rooms(range(500_000, 500_000 + N_PRETRAIN), world, span, size):
                    images.append(png)
                    targets.append(token_targets(scene, instance, span / size, 4, categories))
                pretrain_vision(solver, images, np.stack(targets), Path(out) / "eyes",
                                VisionPretrainParams(steps=PRETRAIN_STEPS))
            train(solver, *train_set, Path(out) / "solver", replace(PARAMS, freeze_vision=name == "pretrained"))
        results[name] = {blind: evaluate(solver, *test_set, blind) for blind in (False, True)}
        print(f"{name}: {time.perf_counter() - start:.0f} s")
        for task in sorted(results[name][False]):
            print(f"  {task:<24} sighted {results[name][False][task]:5.1f}   blind {results[name][True][task]:5.1f}")
    gain = {n: r[False]["overall"] - r[True]["overall"] for n, r in results.items()}
    print(f"visual gain (sighted - blind, overall): baseline {gain['baseline']:.1f}, pretrained "
          f"{gain['pretrained']:.1f}; ratio {gain['pretrained'] / max(gain['baseline'], 0.1):.1f}x")


if __name__ == "__main__":
    main()
