"""One rank of the 2-process check in test_distributed.py (started by torchrun, gloo on CPU).

Scores the samples with the untrained tiny solver (sharded), then trains it with DDP, and
writes from rank 0 out/scores.parquet. Each rank asks train() to save to its own
out/solver<R>/, so the test sees which ranks wrote; each writes out/rank<R>.json (its metrics).
"""

import json
import sys
from pathlib import Path

from accelerate import PartialState

from tests.training.conftest import frames_table, samples_table
from training.confidence import score
from training.distributed import is_main, rank_and_world
from training.sft import train
from training.solver import load_solver
from training.train_params import TrainParams

# the same sizes as test_distributed.py's single-process reference
SAMPLES, SCENES, PER_SCENE, SCORE_BATCH = 32, 8, 2, 4
PARAMS = TrainParams(mode="full", lr=3e-3, epochs=2, batch_size=8, seed=0)


def main(out: Path) -> None:
    PartialState(cpu=True)  # joins the gloo group, as ouroboros.launch.as_worker does
    samples, frames = samples_table(SAMPLES, SCENES, PER_SCENE), frames_table(SCENES, PER_SCENE)
    solver = load_solver("tiny", device="cpu", seed=0, image_size=32, max_frames=2)
    scores = score(solver, samples, frames, batch_size=SCORE_BATCH)
    if is_main():
        scores.write_parquet(out / "scores.parquet")
    rank, world = rank_and_world()
    metrics = train(solver, samples, frames, out / f"solver{rank}", PARAMS)
    (out / f"rank{rank}.json").write_text(json.dumps({"world": world, "rows": scores.height, **metrics}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
