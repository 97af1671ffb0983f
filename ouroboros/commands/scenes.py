"""`ouro scenes ...`: bring scene metadata into the lake."""

from pathlib import Path

import typer

from ouroboros.commands import pipeline
from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import console, user_errors
from ouroboros.ingest import generate_rooms, import_scenes
from ouroboros.lakes import open_lake

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
    done = import_scenes(open_lake(lake), paths)
    warned = sum(bool(s.warnings) for s in done.scenes)
    console.print(
        f"read {done.produced} scene(s) from {len(paths)} file(s); added {done.added}, "
        f"{done.produced - done.added} already in the lake; {warned} with count/box warnings"
    )


@app.command("generate")
@user_errors
def generate(
    n: int = typer.Option(100, "--n", min=1, help="Number of rooms."),
    seed: int = typer.Option(0, "--seed", help="Room i uses seed + i."),
    lake: str = LAKE_OPTION,
) -> None:
    """Generate procedural furnished rooms; generating the same seeds again adds nothing."""
    done = generate_rooms(open_lake(lake), n, seed)
    objects = sum(len(s.boxes) for s in done.scenes)
    console.print(f"generated {n} room(s) with {objects} object(s) (seeds {seed}..{seed + n - 1}); added {done.added}")
