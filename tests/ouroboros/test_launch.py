"""`ouro round --processes 2` (gloo on CPU) against the same round in one process."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.lakes import workspace_lake
from ouroboros.stages.round import run_round
from ouroboros.workspace import Workspace
from tests.conftest import ROOT
from tests.ouroboros.pipeline_fixtures import warm_started, write_params

ROUND_TABLES = ("qa__r1", "scores__r1", "rounds__r1")


# Loaded by every worker through PYTHONPATH: rank 1 kills itself as it starts training, after
# the group has formed and scored, while rank 0 waits in the first DDP collective. A fixed
# point in the round, where a timed kill would race a round that may already be written.
KILL_RANK_1_AT_TRAINING = """
import os, signal, sys

if os.environ.get("RANK") == "1":
    class _KillAtTraining:
        def find_spec(self, name, path=None, target=None):
            if name != "training.sft":
                return None
            sys.meta_path.remove(self)
            import importlib.util
            spec = importlib.util.find_spec(name)
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                module.train = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, _KillAtTraining())
"""


def _ouro_round(root, *extra, pythonpath=()) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join([*map(str, pythonpath), str(ROOT)])}
    cmd = [sys.executable, "-m", "ouroboros", "round", "1", "--prev", "0", "--processes", "2",
           "--params", str(root / "params.yaml"), "--root", str(root), *extra]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _versions(ws: Workspace) -> dict[str, int]:
    lake = workspace_lake(ws)
    return {t: len(lake.versions(t)) for t in lake.tables()}


@pytest.fixture(scope="module")
def warm_workspace(tmp_path_factory):
    """scenes -> eval set -> vision -> warm start: what round 1 starts from."""
    params, ws = warm_started(tmp_path_factory.mktemp("warm"))
    return params, ws


def _copy(ws: Workspace, to) -> Workspace:
    shutil.copytree(ws.root, to, symlinks=True)
    return Workspace(to)


@pytest.mark.slow
@pytest.mark.pipeline
def test_two_processes_write_one_round_with_the_rows_and_scores_of_one_process(warm_workspace, tmp_path):
    params, warm = warm_workspace
    one, two = _copy(warm, tmp_path / "one"), _copy(warm, tmp_path / "two")
    run_round(1, 0, params, one)
    proc = _ouro_round(two.root)
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    assert out.count("round 1") == 1  # rank 0 alone prints the summary
    prints = [json.loads(ws.fingerprint_path(1).read_text())["tables"] for ws in (one, two)]
    assert prints[0]["scores__r1"] == prints[1]["scores__r1"]  # sharded scoring: the same rows and floats
    assert prints[0]["qa__r1"] == prints[1]["qa__r1"]  # so the same filters, feedback and selection
    versions = _versions(two)
    assert versions == _versions(one) and set(ROUND_TABLES) <= set(versions)  # written once: by rank 0 only
    assert (two.solver_dir(1) / "optimizer.pt").is_file()


@pytest.mark.slow
@pytest.mark.pipeline
def test_a_process_killed_mid_round_leaves_every_table_at_its_last_committed_version(warm_workspace, tmp_path):
    ws = _copy(warm_workspace[1], tmp_path / "ws")
    before = _versions(ws)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILL_RANK_1_AT_TRAINING)
    proc = _ouro_round(ws.root, pythonpath=[hook])
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1] == ("error: round 1: process 1 of 2 failed (signal SIGKILL); the others were "
                                            "stopped and every table stays at its last committed version")
    assert _versions(ws) == before
    assert not ws.fingerprint_path(1).exists()


def test_more_processes_than_cores_is_one_line(tmp_path):
    write_params(tmp_path)
    too_many = (os.cpu_count() or 1) + 1
    result = CliRunner().invoke(app, ["round", "1", "--prev", "0", "--processes", str(too_many),
                                      "--params", str(tmp_path / "params.yaml"), "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: --processes {too_many}: this machine has {os.cpu_count()} CPU cores, "
                                     f"one per process; use 1 to {os.cpu_count()}")
