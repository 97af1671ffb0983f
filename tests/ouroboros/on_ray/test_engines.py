"""Same data, either engine: the demo's data stages under `local` and `ray` give equal fingerprints."""

import json
from pathlib import Path

import pytest

from ouroboros.params import load_params
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.stages.evalset import build_evalset, train_inputs
from ouroboros.steps import curated_rows
from ouroboros.workspace import Workspace
from store.fingerprint import fingerprint_frame
from tests.ouroboros.pipeline_fixtures import TINY, write_params

pytestmark = pytest.mark.slow

SCENES = {"meta": [], "procedural": 10, "eval_fraction": 0.3}


def data_stages(root: Path, engine: str) -> dict:
    """Fingerprints of stages `scenes` and `eval_set`, and of round 1's curated rows, under `engine`."""
    root.mkdir()
    params = load_params(write_params(root, scenes=SCENES, curation={"engine": engine, "scenes_per_task": 2},
                                      eval=TINY["eval"] | {"blind": False}))
    ws = Workspace(root)
    build_scenes(params, ws)
    build_evalset(params, ws)
    scenes, frames = train_inputs(params, ws)
    rows = curated_rows(params.proposer, params.seed, params, scenes, frames, params.proposer.per_round, None,
                        round=1, split="train")
    return {"scenes": json.loads(ws.scenes_fingerprint.read_text())["tables"],
            "eval_set": json.loads((ws.eval_dir / "fingerprint.json").read_text())["tables"],
            "round 1": {"rows": rows.height, "content": fingerprint_frame(rows, "qa"),
                        "drop reasons": sorted(rows["drop_reason"].drop_nulls().unique())}}


def test_local_and_ray_write_the_same_content(tmp_path, local_ray):
    local, on_ray = data_stages(tmp_path / "local", "local"), data_stages(tmp_path / "ray", "ray")
    assert on_ray == local
    # the comparison is worth something only if the rows went through every filter's decision
    assert {"duplicate", "invalid"} <= set(local["round 1"]["drop reasons"]), local["round 1"]
