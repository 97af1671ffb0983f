"""Stage `scenes`: import VSI-Bench metadata, generate procedural rooms, render and embed frames.

    ouro prepare        (dvc.yaml stage `scenes`)

Writes the lake's `scenes` and `frames` tables (replacing their rows; older versions
stay readable, the new ones tagged `scenes`) and runs/scenes.json, the content
fingerprint later stages depend on.
"""

import polars as pl

from curation.frames import render_rows
from curation.procedural import generate_scene
from curation.scenes import Scene, load_vsibench_meta
from ouroboros.console import track
from ouroboros.fingerprints import write_fingerprint
from ouroboros.manifests import publish
from ouroboros.params import Params
from ouroboros.workspace import Workspace
from training.solver import load_solver


def collect_scenes(params: Params) -> list[Scene]:
    """Real scenes (the first max_real of each file) and procedural rooms, by id."""
    real = []
    for path in params.scenes.meta:
        scenes = load_vsibench_meta(path)
        real += scenes[: params.scenes.max_real] if params.scenes.max_real else scenes
    procedural = [generate_scene(params.seed + i) for i in range(params.scenes.procedural)]
    return sorted(real + procedural, key=lambda s: s.scene_id)


def render_all(scenes: list[Scene], params: Params) -> list[dict]:
    rows = []
    for scene in track(scenes, "rendering frames", total=len(scenes)):
        rows += render_rows(scene, n_frames=params.frames.n_frames, size=params.frames.size, seed=params.seed)
    return rows


def embed(rows: list[dict], params: Params) -> list[dict]:
    """Fill each frame's `embedding` with the base solver's pooled vision features."""
    solver = load_solver(params.solver.spec, seed=params.seed, **solver_frames(params))
    vectors = solver.embed_images([r["image"] for r in rows])
    return [r | {"embedding": v.tolist()} for r, v in zip(rows, vectors, strict=True)]


def solver_frames(params: Params) -> dict[str, int]:
    """Frame settings (and tiny sizes) the solver is built with."""
    extra = dict(params.solver.size) if params.solver.spec == "tiny" else {}
    return {"image_size": params.solver.image_size, "max_frames": params.solver.max_frames, **extra}


def prepare(params: Params, ws: Workspace) -> dict:
    scenes = collect_scenes(params)
    frames = embed(render_all(scenes, params), params)
    lake = ws.lake()
    lake.write("scenes", [s.to_row() for s in scenes], mode="overwrite")
    lake.write("frames", pl.DataFrame(frames), mode="overwrite")
    fingerprint = write_fingerprint(ws.scenes_fingerprint, lake, {"scenes": "scenes", "frames": "frames"})
    publish(ws, lake, "scenes", fingerprint["tables"])
    return {"scenes": len(scenes), "real": sum(s.source != "procedural" for s in scenes), "frames": len(frames)}
