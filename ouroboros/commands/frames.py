"""`ouro frames ...`: render scenes into frames, or ingest a real video, into the lake."""

from pathlib import Path

import typer

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import console, user_errors
from ouroboros.ingest import ingest_video_frames, render_frames
from ouroboros.lakes import open_lake

app = typer.Typer(help="Video frames: render scenes, ingest real videos.", no_args_is_help=True)


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
    done = render_frames(open_lake(lake), scenes, n_frames, size, seed)
    console.print(
        f"rendered {done.produced} frame(s) of {len(done.scenes)} scene(s); "
        f"added {done.added}, {done.produced - done.added} already in the lake"
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
    done = ingest_video_frames(open_lake(lake), path, scene, n_frames)
    console.print(f"sampled {done.produced} frame(s) of {path} for scene {done.scenes[0].name}; added {done.added}")
