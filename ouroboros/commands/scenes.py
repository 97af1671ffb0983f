"""`ouro scenes ...`: bring scene metadata into the lake."""

from pathlib import Path

import typer

from curation.scenes.metadata import load_vsibench_meta
from curation.scenes.procedural import generate_scene
from ouroboros.commands import pipeline
from ouroboros.console import console, user_errors
from ouroboros.lakes import LAKE_OPTION, open_lake
from store.progress import track

app = typer.Typer(help="Scene metadata: import VSI-Bench files, generate procedural rooms, build the pipeline's "
                       "scenes stage.", no_args_is_help=True)
app.command("build")(pipeline.build_scenes)


@app.command("import")
@user_errors
def import_(
    paths: list[Path] = typer.Argument(..., help="VSI-Bench *_meta_info_*.json files."),
    lake: str = LAKE_OPTION,
) -> None:
    """Validate and import scene metadata files; re-importing adds nothing."""
    store = open_lake(lake)
    scenes = [s for path in track(paths, "reading metadata") for s in load_vsibench_meta(path)]
    added = store.insert_new("scenes", [s.to_row() for s in scenes])
    warned = sum(bool(s.warnings) for s in scenes)
    console.print(
        f"read {len(scenes)} scene(s) from {len(paths)} file(s); added {added}, "
        f"{len(scenes) - added} already in the lake; {warned} with count/box warnings"
    )


@app.command("generate")
@user_errors
def generate(
    n: int = typer.Option(100, "--n", min=1, help="Number of rooms."),
    seed: int = typer.Option(0, "--seed", help="Room i uses seed + i."),
    lake: str = LAKE_OPTION,
) -> None:
    """Generate procedural furnished rooms; generating the same seeds again adds nothing."""
    store = open_lake(lake)
    scenes = [generate_scene(seed + i) for i in track(range(n), "generating rooms")]
    added = store.insert_new("scenes", [s.to_row() for s in scenes])
    objects = sum(len(s.boxes) for s in scenes)
    console.print(f"generated {n} room(s) with {objects} object(s) (seeds {seed}..{seed + n - 1}); added {added}")
