"""`ouro frames ...`: render scenes into frames, or ingest a real video, into the lake."""

from pathlib import Path

import typer

from curation.scenes.frames import render_rows
from curation.scenes.metadata import Scene
from curation.scenes.video import ingest_video
from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import LAKE_OPTION, open_lake
from store.lake import Lake
from store.progress import track

app = typer.Typer(help="Video frames: render scenes, ingest real videos.", no_args_is_help=True)


def select_scenes(lake: Lake, wanted: list[str] | None) -> list[Scene]:
    """Scenes of the lake whose name or scene_id is in `wanted` (all when None), in lake order."""
    if not lake.has("scenes") or lake.count("scenes") == 0:
        raise CliInputError(f"lake {lake.path} has no scenes (add some with `ouro scenes import` or `generate`)")
    scenes = [Scene.from_row(row) for row in lake.read("scenes").to_dicts()]
    if not wanted:
        return scenes
    known = {s.name for s in scenes} | {s.scene_id for s in scenes}
    missing = [w for w in wanted if w not in known]
    if missing:
        raise CliInputError(f"no scene named or with id {missing[0]!r} in lake {lake.path}")
    return [s for s in scenes if s.name in wanted or s.scene_id in wanted]


@app.command("render")
@user_errors
def render(
    lake: str = LAKE_OPTION,
    scenes: list[str] | None = typer.Option(None, "--scenes", help="Scene name or id (repeatable); default all."),
    n_frames: int = typer.Option(16, "--n-frames", min=1, help="Frames per scene."),
    size: int = typer.Option(224, "--size", min=8, help="Square frame size in pixels."),
    seed: int = typer.Option(0, "--seed", help="Seed of the camera walks."),
) -> None:
    """Walk a camera through scenes and render frames; rendering again adds nothing."""
    store = open_lake(lake)
    chosen = select_scenes(store, scenes)
    rows = [
        row
        for scene in track(chosen, "rendering")
        for row in render_rows(scene, n_frames=n_frames, size=size, seed=seed)
    ]
    added = store.insert_new("frames", rows)
    console.print(
        f"rendered {len(rows)} frame(s) of {len(chosen)} scene(s); "
        f"added {added}, {len(rows) - added} already in the lake"
    )


@app.command("ingest-video")
@user_errors
def ingest(
    path: Path = typer.Argument(..., help="Video file (anything FFmpeg decodes)."),
    scene: str = typer.Option(..., "--scene", help="Name or id of the lake scene the video shows."),
    lake: str = LAKE_OPTION,
    n_frames: int = typer.Option(16, "--n-frames", min=1, help="Frames to sample uniformly."),
) -> None:
    """Sample a real video's frames the VSI-Bench way and store them for a scene."""
    store = open_lake(lake)
    target = select_scenes(store, [scene])[0]
    rows = ingest_video(path, target.scene_id, n_frames)
    added = store.insert_new("frames", rows)
    console.print(f"sampled {len(rows)} frame(s) of {path} for scene {target.name}; added {added}")
