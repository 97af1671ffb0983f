"""Two processes (torchrun, gloo on CPU) against one: sharded scoring gives exactly one
process's rows, DDP training reaches one process's loss, and only rank 0 saves."""

import json
import os
import subprocess
import sys

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import ROOT
from tests.training.ddp_worker import PARAMS, PER_SCENE, SAMPLES, SCENES, SCORE_BATCH
from training.confidence import score
from training.distributed import from_main, gather, my_share, rank_and_world
from training.sft import train
from training.solver import load_solver

# DDP averages gradients over the ranks' halves of each global batch (tokens counted across
# ranks), so a step equals one process's up to float summation order and each half's own
# padding width: measured 4e-7 relative over these 8 steps.
LOSS_RTOL = 1e-5


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           str(ROOT / "tests/training/ddp_worker.py"), str(out)]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def one_process(make_samples, make_frames, tmp_path_factory):
    samples, frames = make_samples(SAMPLES, SCENES, PER_SCENE), make_frames(SCENES, PER_SCENE)
    solver = load_solver("tiny", device="cpu", seed=0, image_size=32, max_frames=2)
    scores = score(solver, samples, frames, batch_size=SCORE_BATCH)
    return scores, train(solver, samples, frames, tmp_path_factory.mktemp("one"), PARAMS)


def test_helpers_are_identities_in_one_process():
    assert rank_and_world() == (0, 1)
    assert my_share([3, 1, 2]) == [3, 1, 2] and gather([3, 1]) == [3, 1] and from_main(lambda: 7) == 7


@pytest.mark.slow
def test_sharded_scoring_gives_exactly_the_rows_of_one_process(two_ranks, one_process):
    sharded = pl.read_parquet(two_ranks / "scores.parquet")
    assert_frame_equal(sharded, one_process[0], check_exact=True)  # same rows, order, floats bit for bit


@pytest.mark.slow
def test_ddp_training_reaches_the_loss_of_one_process(two_ranks, one_process):
    ranks = [json.loads((two_ranks / f"rank{r}.json").read_text()) for r in (0, 1)]
    single = one_process[1]
    for m in ranks:
        assert m["world"] == 2 and m["rows"] == SAMPLES
        assert m["steps"] == single["steps"] == SAMPLES // PARAMS.batch_size * PARAMS.epochs
        assert m["final_loss"] == pytest.approx(single["final_loss"], rel=LOSS_RTOL)
        assert m["loss_curve"] == pytest.approx(single["loss_curve"], rel=LOSS_RTOL)
    assert single["final_loss"] < 0.8 * single["first_loss"]  # it did learn, so the comparison means something


@pytest.mark.slow
def test_only_rank_0_saves_the_solver(two_ranks):
    assert (two_ranks / "solver0" / "metrics.json").is_file() and (two_ranks / "solver0" / "optimizer.pt").is_file()
    assert not (two_ranks / "solver1").exists()
