"""`dvc repro` on a tiny copy of the project: kill -9 mid-round, then a repro that completes it;
a no-op rerun; targeted reruns. One project serves every test (a full repro is a minute)."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from ouroboros.commands.demo import dvc_env
from store import Lake
from tests.conftest import ROOT
from tests.ouroboros.pipeline_fixtures import dvc, project_copy

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]


def stale_stages(proj) -> set[str]:
    status = dvc(proj, "status", "--json").stdout
    return set(yaml.safe_load(status) or {})


def round_process(session: int, n: int) -> int | None:
    """pid of the `ouro round n` that DVC started in process session `session`, if running."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if os.getsid(int(proc.name)) == session and b"round" in args and str(n).encode() in args:
                return int(proc.name)
        except (OSError, ProcessLookupError):
            continue
    return None


@pytest.fixture(scope="module")
def repro_after_kill(tmp_path_factory):
    """(project, exit code of the killed `dvc repro`, whether round 2 left its fingerprint):
    `dvc repro` from scratch, killed (-9) well into round 2, then `dvc repro` again."""
    proj = project_copy(tmp_path_factory.mktemp("dvc"))
    process = subprocess.Popen(["dvc", "repro"], cwd=proj, env=dvc_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600
    pid = None
    while pid is None and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("dvc repro finished before round 2 started; cannot kill it mid-round")
        pid = round_process(process.pid, 2)
        time.sleep(0.05)
    assert pid is not None, "round 2 never started"
    time.sleep(3.0)  # well into the round (it imports, proposes, executes, ... for several seconds)
    os.kill(pid, signal.SIGKILL)
    killed = process.wait(timeout=300)
    left_fingerprint = (proj / "runs" / "fingerprints" / "r2.json").exists()
    dvc(proj, "repro")
    return proj, killed, left_fingerprint


def test_kill_9_mid_round_then_repro_completes(repro_after_kill):
    proj, killed, left_fingerprint = repro_after_kill
    assert killed != 0  # DVC reports the stage as failed
    assert not left_fingerprint
    assert stale_stages(proj) == set()
    lake = Lake(proj / "lake")
    for table in lake.tables():
        lake.read(table)  # every table is whole and readable
    assert sorted(lake.read("rounds")["round"].to_list()) == [0, 1, 2, 3]


def test_repro_rerun_and_targeted_invalidation(repro_after_kill):
    proj = repro_after_kill[0]
    assert stale_stages(proj) == set()
    again = dvc(proj, "repro").stdout
    assert "Running stage" not in again
    lake = Lake(proj / "lake")
    assert {f"qa__r{n}" for n in range(4)} <= set(lake.tables())
    # every table a stage wrote is an out DVC tracks; embed's tables are named by their encoder's
    # digest, so its out is runs/embeddings (a manifest of them) and lake/.gitignore globs them
    lock = yaml.safe_load((proj / "dvc.lock").read_text())["stages"]
    outs = {out["path"] for stage in lock.values() for out in stage.get("outs", [])}
    tables = {f"lake/{d.name}" for d in (proj / "lake").iterdir() if d.name.endswith(".lance")}
    assert {t for t in tables if not t.startswith("lake/embeddings__")} <= outs and "runs/embeddings" in outs
    # the selection's frontier is read by the rounds only
    original = (proj / "params.yaml").read_text()
    params = yaml.safe_load(original)
    params["selection"]["frontier"] = 0.4
    (proj / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert stale_stages(proj) == {"round@0", "round@1", "round@2"}
    metrics = dvc(proj, "metrics", "show", "--json").stdout
    assert "eval" in metrics and "runs/r1/train/metrics.json" in metrics  # the round's DVCLive summary
    (proj / "params.yaml").write_text(original)
    assert stale_stages(proj) == set()
    # a one-line edit to a module makes exactly the stages whose verb imports it stale
    for module in ("ouroboros/stages/report.py", "curation/selection.py", "store/views.py", "training/metrics.py"):
        source = proj / module
        original = source.read_text()
        source.write_text(original + "# a one-line edit\n")
        assert stale_stages(proj) == stages_importing(module), module
        source.write_text(original)


def stages_importing(module: str) -> set[str]:
    """The stage names `dvc status` uses (round@0, ...) whose verb's traced code holds `module`."""
    from tests.ouroboros.stage_trace import STAGES, callback, ouro_args, stage_names, verb_code

    return {name for stage, spec, _ in STAGES if ROOT / module in verb_code(callback(ouro_args(stage, spec)))
            for name in stage_names(stage)}


def test_an_ablation_arm_runs_as_a_queued_dvc_experiment(repro_after_kill):
    """docs/ablation.md's `dvc exp run --queue` lines (ouroboros.ablate.dvc_lines) run an arm
    of the grid as a DVC experiment of the pipeline, with the arm's params."""
    import shlex

    from ouroboros.ablate import dvc_lines

    proj = repro_after_kill[0]
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    subprocess.run([*git, "add", "-A"], cwd=proj, check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "baseline"], cwd=proj, check=True, capture_output=True)
    dvc(proj, "exp", "run", "--queue", "--name", "balanced-seed7", *shlex.split(dvc_lines("balanced", 7)))
    dvc(proj, "exp", "run", "--run-all")
    shown = yaml.safe_load(dvc(proj, "exp", "show", "--json").stdout)
    experiments = {exp["name"]: exp for baseline in shown for exp in (baseline.get("experiments") or [])
                   for exp in [exp["revs"][0]] if exp.get("name")}
    data = experiments["balanced-seed7"]["data"]
    params = data["params"]["params.yaml"]["data"]
    assert params["loop"]["policy"] == "balanced" and params["seed"] == 7 and params["scenes"]["meta"] == []
    assert data["metrics"]["runs/r3/metrics.json"]["data"]["eval"]["overall"] >= 0
