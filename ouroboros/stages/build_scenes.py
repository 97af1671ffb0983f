"""Stage `scenes`: import VSI-Bench metadata, generate procedural rooms, render frames.

    ouro scenes build   (dvc.yaml stage `scenes`)

Writes the lake's `scenes` and `frames` tables (replacing their rows; older versions
stay readable, the new ones tagged `scenes`) and runs/scenes.json, the content
fingerprint later stages depend on. Everything here is data (metadata, pixels, poses),
so the fingerprint is the same on any machine; the frames' model vectors are stage
`embed` (ouroboros/stages/embed.py).
"""

from functools import partial

import polars as pl

from curation.scenes.frames import render_rows
from curation.scenes.metadata import Scene, load_vsibench_meta
from curation.scenes.procedural import generate_scene
from ouroboros.engine import start_engine
from ouroboros.fingerprints import write_fingerprint
from ouroboros.lakes import workspace_lake
from ouroboros.manifests import publish
from ouroboros.params import FramesParams, Params
from ouroboros.workspace import Workspace
from ouroboros.worlds import stream_seed
from plumbing.progress import track


def collect_scenes(params: Params) -> list[Scene]:
    """Real scenes (the first max_real of each file) and procedural rooms, by id."""
    real = []
    for path in params.scenes.meta:
        scenes = load_vsibench_meta(path)
        real += scenes[: params.scenes.max_real] if params.scenes.max_real else scenes
    world = params.scenes.world
    seeds = [stream_seed(params.seed, "rooms", i) for i in range(params.scenes.procedural)]
    procedural = [generate_scene(seed, **world.knobs(seed)) for seed in seeds]
    return sorted(real + procedural, key=lambda s: s.scene_id)


def render_scene(scene: Scene, f: FramesParams, seed: int) -> list[dict]:
    """FRAMES rows of one scene: its walk-through and, with frames.overview_m, its overview."""
    return render_rows(scene, n_frames=f.n_frames, size=f.size, seed=seed, overview_m=f.overview_m,
                       overview_size=f.overview_size)


def render_all(scenes: list[Scene], params: Params) -> list[dict]:
    """Every scene's frames, in scene order, on the engine params.curation names."""
    if params.curation.engine == "ray":
        from ouroboros.on_ray.render import render_on_ray

        return render_on_ray(scenes, partial(render_scene, f=params.frames, seed=params.seed))
    rows = []
    for scene in track(scenes, "rendering frames", total=len(scenes)):
        rows += render_scene(scene, params.frames, params.seed)
    return rows


def build_scenes(params: Params, ws: Workspace) -> dict:
    start_engine(params.curation)
    scenes = collect_scenes(params)
    frames = render_all(scenes, params)
    lake = workspace_lake(ws)
    lake.write("scenes", [s.to_row() for s in scenes], mode="overwrite")
    lake.write("frames", pl.DataFrame(frames), mode="overwrite")
    fingerprint = write_fingerprint(ws.scenes_fingerprint, lake, {"scenes": "scenes", "frames": "frames"})
    publish(ws, lake, "scenes", fingerprint["tables"])
    return {"scenes": len(scenes), "real": sum(s.source != "procedural" for s in scenes), "frames": len(frames)}
