"""Stage `vision`: pretrain the tiny solver's vision encoder on overview frames, once.

    ouro vision         (dvc.yaml stage `vision`)

Renders `vision.scenes` procedural rooms of the configured world (seeds disjoint from
the pipeline's scenes, so no training or eval room is seen here), draws each one's
overview frame and its dense targets (curation.scenes.overview.token_targets), and trains the
random-init tiny solver's encoder on them (training.vision_pretrain). The saved solver
(runs/vision/solver) is what the warm-start stage starts from. A real checkpoint already has
eyes: for `solver.spec` other than "tiny", or `vision.enabled: false`, the stage writes
only its metrics, saying why it skipped.
"""

import numpy as np

from curation.scenes.categories import CATEGORIES
from curation.scenes.frames import png_bytes
from curation.scenes.overview import overview, token_targets
from curation.scenes.procedural import generate_scene
from ouroboros.errors import StageInputError
from ouroboros.jsonio import write_json
from ouroboros.params import Params, solver_frames
from ouroboros.workspace import Workspace
from plumbing.progress import track
from training.solver import load_solver
from training.vision_pretrain import pretrain_vision

SEED_OFFSET = 2_000_003  # pretraining rooms never share a seed with the pipeline's rooms


def vision_solver_dir(ws: Workspace):
    return ws.runs / "vision" / "solver"


def pretrained_solver(params: Params, ws: Workspace) -> str:
    """What the warm-start stage starts from: the pretrained solver when the stage made one."""
    saved = vision_solver_dir(ws)
    return str(saved) if (saved / "solver.json").is_file() else params.solver.spec


def pretrain(params: Params, ws: Workspace) -> dict:
    out = ws.runs / "vision"
    v = params.vision
    if not v.enabled or params.solver.spec != "tiny":
        why = "vision.enabled is false" if not v.enabled else f"solver.spec {params.solver.spec!r} has its own encoder"
        vision_solver_dir(ws).mkdir(parents=True, exist_ok=True)
        metrics = {"skipped": why}
        write_json(out / "metrics.json", metrics)
        return metrics
    f = params.frames
    if f.overview_m is None:
        raise StageInputError("vision pretraining learns from overview frames: set frames.overview_m")
    size = f.overview_size or f.size
    solver = load_solver("tiny", seed=params.seed, **solver_frames(params))
    grid = size // (solver.patch.patch_size * solver.patch.merge_size)
    categories = sorted(params.scenes.world.categories or CATEGORIES)
    world = params.scenes.world
    images, targets = [], []
    for i in track(range(v.scenes), "rendering pretraining rooms", total=v.scenes):
        seed = params.seed + SEED_OFFSET + i
        scene = generate_scene(seed, **world.knobs(seed))
        rgb, instance = overview(scene, size, f.overview_m / size)
        images.append(png_bytes(rgb))
        targets.append(token_targets(scene, instance, f.overview_m / size, grid, categories))
    metrics = pretrain_vision(solver, images, np.stack(targets), vision_solver_dir(ws), v.train, seed=params.seed)
    write_json(out / "metrics.json", metrics)
    return metrics
