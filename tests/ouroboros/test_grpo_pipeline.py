"""`dvc repro` with train.method: grpo: the warm start (SFT), then two GRPO rounds end to end at
tiny sizes; each round's sampled answers land in its rollouts table and its metrics count the
groups that taught nothing by task and band."""

import json

import polars as pl
import pytest
import torch

from store import Lake
from tests.ouroboros.pipeline_fixtures import TINY, dvc, project_copy

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]

STEPS, BATCH, GROUP = 2, 4, 2
GRPO = {**TINY["train"], "method": "grpo", "steps_per_round": STEPS, "batch_size": BATCH, "schedule_steps": 40,
        "grpo": {"group_size": GROUP, "max_completion_length": 4, "rewards": {"vsibench": 1.0, "format": 0.5}}}


def test_dvc_repro_runs_grpo_rounds_end_to_end(tmp_path):
    proj = project_copy(tmp_path, train=GRPO, rounds=[{"id": 1, "prev": 0}, {"id": 2, "prev": 1}])
    dvc(proj, "repro")
    lake = Lake(proj / "lake")
    rollouts = lake.scan("rollouts").collect()
    assert rollouts.group_by("round").len().sort("round").rows() == [(1, STEPS * BATCH * GROUP),
                                                                       (2, STEPS * BATCH * GROUP)]
    selected = lake.scan("qa").filter(pl.col("selected")).select("qa_id", "round").collect()
    assert rollouts.join(selected, on=["qa_id", "round"], how="anti").is_empty()  # trained on its own slice
    for n in (1, 2):
        metrics = json.loads((proj / "runs" / f"r{n}" / "metrics.json").read_text())
        counted = [c for bands in metrics["zero_variance"].values() for c in bands.values()]
        assert sum(c["groups"] for c in counted) == metrics["train"]["groups"] == STEPS * BATCH
        assert sum(c["zero_variance"] for c in counted) == metrics["train"]["zero_variance_groups"]
        assert metrics["eval"]["overall"] >= 0
    at = [torch.load(proj / "runs" / f"r{n}" / "solver" / "optimizer.pt", weights_only=True)["schedule_step"]
          for n in (1, 2)]
    assert at[1] == at[0] + STEPS  # round 2 went on from round 1's place in the schedule
    assert not set(dvc(proj, "status", "--json").stdout.strip("{}\n "))  # every stage up to date
