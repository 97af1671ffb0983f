"""A tiny pipeline for tests: a few scenes, 32 px frames, a few dozen questions per round."""

import shutil
import subprocess
from pathlib import Path

import yaml

from ouroboros.commands.demo import dvc_env
from tests.conftest import ROOT, shared_file

TINY = {
    "seed": 0,
    "lake": {"uri": "lake", "track": "directory", "outs": "lake", "suffix": ".lance"},
    "scenes": {"meta": ["../shared/data/vsibench_meta/scannet_meta_info_val.json"], "max_real": 4,
               "procedural": 4, "eval_fraction": 0.3,
               "world": {"n_objects": [5, 6], "duplicates": 2, "clutter": 0.0, "near_ties": 0,
                         "categories": ["bed", "chair", "sofa", "table"]}},
    "frames": {"n_frames": 2, "size": 32, "overview_m": 10.0, "overview_size": 64},
    "proposer": {"kind": "template", "per_round": 40, "distance_mode": "vsibench"},
    "filters": {"before_scoring": [{"invalid": {}}, {"near_tie": {}}, {"perturbation": {"k": 2}}, {"dedupe": {}}],
                "after_scoring": [{"trivial": {}}, {"blind_solvable": {}}, {"cartography": {}}],
                "workers": 1, "timeout_s": 2.0},
    "curation": {"engine": "local", "scenes_per_task": 32},
    "selection": {"budget": 12},
    "bands": {"easy": 0.9, "hard": 0.1},
    "loop": {"policy": "closed"},
    "feedback": {"policy": "frontier"},
    "solver": {"spec": "tiny", "image_size": 64, "max_frames": 3, "score_batch_size": 16, "size": {}},
    "vision": {"enabled": True, "scenes": 16, "train": {"steps": 2, "batch_size": 8}},
    "train": {"mode": "auto", "epochs": 1, "lr": 0.001, "batch_size": 8, "freeze_vision": True},
    "warm_start": {"budget": 16, "probe": 12, "epochs": 1},
    "eval": {"source": "procedural", "annotations": None, "n_questions": 24, "blind": True},
    "rounds": [{"id": 1, "prev": 0}, {"id": 2, "prev": 1}, {"id": 3, "prev": 2}],
}


def manifest_lake(uri: str) -> dict:
    """params `lake` for a lake at `uri` whose stage outputs are manifests in runs/manifests."""
    return {"uri": uri, "track": "manifest", "outs": "runs/manifests", "suffix": ".json"}


def write_params(directory: Path, **overrides) -> Path:
    params = {**TINY, **overrides}
    path = directory / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def project_copy(tmp_path: Path, *, shared: bool = True, **overrides) -> Path:
    """The project's tracked files in tmp_path/proj (a fresh git repo) with TINY params (and
    `overrides`); ../shared beside it unless `shared` is False (a user's clone)."""
    if shared:
        (tmp_path / "shared").symlink_to(shared_file("vsibench_meta", "scannet_meta_info_val.json").parents[2])
    proj = tmp_path / "proj"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (proj / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, proj / name)
    for stale in ("dvc.lock", "lake", "runs"):
        target = proj / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    subprocess.run(["git", "init", "-q"], cwd=proj, check=True)
    write_params(proj, **overrides)
    return proj


def dvc(proj: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`dvc *args` in `proj` with this interpreter's `ouro` on PATH; a failure shows DVC's output."""
    result = subprocess.run(["dvc", *args], cwd=proj, env=dvc_env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"dvc {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def warm_started(root: Path):
    """(params, workspace) at `root` after the stages before round 1: scenes (4 real rooms, 4
    procedural), eval set, vision pretraining and the warm start."""
    from ouroboros.params import load_params
    from ouroboros.stages.build_scenes import build_scenes
    from ouroboros.stages.evalset import build_evalset
    from ouroboros.stages.vision import pretrain
    from ouroboros.stages.warm_start import warm_start
    from ouroboros.workspace import Workspace

    meta = str(shared_file("vsibench_meta", "scannet_meta_info_val.json"))
    params = load_params(write_params(root, scenes={"meta": [meta], "max_real": 4, "procedural": 4,
                                                    "eval_fraction": 0.3}))
    ws = Workspace(root)
    build_scenes(params, ws)
    build_evalset(params, ws)
    pretrain(params, ws)
    warm_start(params, ws)
    return params, ws
