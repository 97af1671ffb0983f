"""Faults on the Ray path: an actor killed mid-shard is retried, hostile programs stay in the sandbox, a
driver killed while it commits leaves every table at a committed version."""

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest

from curation.proposer import TemplateProposer
from curation.scenes.metadata import scene_from_meta
from curation.scenes.procedural import generate_scene
from ouroboros.lakes import workspace_lake
from ouroboros.on_ray.curate import CurateShard, execute_and_filter_on_ray
from ouroboros.params import Params, build, load_params
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.steps import execute_and_filter
from ouroboros.workspace import Workspace
from store.fingerprint import fingerprint_frame
from tests.conftest import ROOT
from tests.curation.executor.test_sandbox import CASES, SCENE
from tests.ouroboros.pipeline_fixtures import write_params

pytestmark = pytest.mark.slow

FILTERS = {"before_scoring": [{"invalid": {}}, {"near_tie": {}}, {"perturbation": {"k": 2}}, {"dedupe": {}}],
           "workers": 1, "timeout_s": 1.0}


def kill_marker() -> Path:
    """A file shared by the driver and its actors on this node, for this Ray session only."""
    import ray

    return Path(tempfile.gettempdir()) / f"ouroboros-killed-{ray.get_runtime_context().get_node_id()}"


class DiesOnce(CurateShard):
    """Executes half its first shard, then its process is SIGKILLed (once per session)."""

    def __call__(self, shard):
        if not kill_marker().exists():
            kill_marker().touch()
            super().__call__(shard.slice(0, shard.num_rows // 2))  # the sandbox is busy with this shard's programs
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__call__(shard)


def engine_params(engine: str, timeout_s: float = FILTERS["timeout_s"]) -> Params:
    return build(Params, {"filters": FILTERS | {"timeout_s": timeout_s},
                          "curation": {"engine": engine, "scenes_per_task": 2}})


@pytest.fixture(scope="module")
def scenes():
    return [generate_scene(seed, n_objects=6) for seed in range(6)]


def test_an_actor_killed_mid_shard_is_retried_and_the_rows_end_complete_and_unduplicated(local_ray, scenes):
    proposals = TemplateProposer(seed=0).propose(scenes, 36)
    kill_marker().unlink(missing_ok=True)
    try:
        rows = execute_and_filter_on_ray(proposals, scenes, {}, engine_params("ray"), actor=DiesOnce)
        assert kill_marker().exists()  # an actor did die
    finally:
        kill_marker().unlink(missing_ok=True)
    local = execute_and_filter(proposals, scenes, {}, engine_params("local"))
    assert rows["qa_id"].n_unique() == rows.height == proposals.height
    assert rows.drop("exec_ms").equals(local.drop("exec_ms"))


def test_hostile_programs_are_contained_in_the_sandbox_of_a_ray_actor(local_ray, scenes):
    """The sandbox tests' hostile programs, on their hand-built room, through the Ray path."""
    room = scene_from_meta("hand-built", SCENE)
    benign = TemplateProposer(seed=1).propose(scenes, 12)
    hostile = benign.sample(len(CASES), with_replacement=True, seed=0).with_columns(
        pl.Series("program", [c[1] for c in CASES]), pl.Series("qa_id", [f"hostile {c[0]}" for c in CASES]),
        pl.lit(room.scene_id).alias("scene_id"))
    # 3 s: on a loaded machine a worker restarted after the last hostile program may take over 1 s to
    # start, and a memory bomb must fail on memory, not on the clock
    rows = execute_and_filter_on_ray(pl.concat([hostile, benign]), [*scenes, room], {}, engine_params("ray", 3.0))
    statuses = dict(zip(rows["qa_id"], rows["exec_status"], strict=True))
    assert {name: statuses[f"hostile {name}"] for name, _, _ in CASES} == {name: status for name, _, status in CASES}
    # the benign rows, run by the same actors as the hostile ones, answer as they do alone in-process
    alone = execute_and_filter(benign, scenes, {}, engine_params("local"))
    after = rows.filter(pl.col("qa_id").is_in(benign["qa_id"].implode()))
    assert after.select("qa_id", "answer", "exec_status").equals(alone.select("qa_id", "answer", "exec_status"))


def test_a_driver_killed_while_it_commits_leaves_every_table_at_a_committed_version(tmp_path, local_ray):
    """Stage `scenes` on Ray, its driver SIGKILLed after the render tasks returned, while Lance writes
    `frames`: every table reads whole at its last committed version (the earlier run's frames, or
    the new ones complete), and a rerun completes."""
    root = tmp_path / "ws"
    root.mkdir()
    params = load_params(write_params(root, scenes={"meta": [], "procedural": 3}, frames={"n_frames": 3, "size": 32}))
    ws = Workspace(root)
    build_scenes(params, ws)  # the last committed state: 3 rooms, locally
    lake = workspace_lake(ws)
    before = lake.read("frames")
    per_scene = before.height // lake.count("scenes")
    write_params(root, scenes={"meta": [], "procedural": 5}, frames={"n_frames": 3, "size": 32})
    driver = subprocess.run([sys.executable, "-m", "tests.ouroboros.on_ray.killed_driver", str(root),
                             local_ray.get_runtime_context().gcs_address],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=300)
    assert driver.returncode == -signal.SIGKILL, driver.stderr[-2000:]
    lake = workspace_lake(ws)
    for table in lake.tables():
        lake.read(table)  # every table is whole and readable
    assert lake.count("scenes") == 5  # committed before frames
    frames = lake.read("frames")
    if frames.height == before.height:  # killed before the commit: the earlier run's frames, untouched
        assert fingerprint_frame(frames, "frames") == fingerprint_frame(before, "frames")
    else:  # killed just after it: the new frames, complete
        assert frames.height == 5 * per_scene and frames["frame_id"].n_unique() == frames.height
    assert build_scenes(load_params(root / "params.yaml"), ws)["frames"] == 5 * per_scene
    assert workspace_lake(ws).count("frames") == 5 * per_scene
