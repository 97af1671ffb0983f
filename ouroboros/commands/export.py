"""`ouro export`: a round's training slice for ms-swift, LLaMA-Factory or plain jsonl."""

from pathlib import Path

import polars as pl
import typer

from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import LAKE_OPTION, open_lake


@user_errors
def export_(
    round: int = typer.Option(..., "--round", "-r", help="The round whose training slice is exported."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl, swift (ms-swift) or llamafactory."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (data file + images/)."),
    lake: str = LAKE_OPTION,
    max_frames: int = typer.Option(4, "--max-frames", min=1, help="Frames per question, sampled uniformly."),
) -> None:
    """Write round N's selected questions with their frames in a trainer's format."""
    from ouroboros.export import FORMATS, export  # imports the solver's prompt code (transformers)

    if fmt not in FORMATS:
        raise CliInputError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    store = open_lake(lake, must_exist=True)
    rows = store.scan("qa").filter((pl.col("round") == round) & pl.col("selected")).collect()
    if rows.is_empty():
        raise CliInputError(f"round {round} has no selected rows in {lake} (has it run? see `ouro status`)")
    frames = store.scan("frames").filter(pl.col("scene_id").is_in(rows["scene_id"].unique().implode())).collect()
    try:
        written = export(rows, frames, out, fmt, max_frames)
    except ValueError as exc:
        raise CliInputError(str(exc)) from exc
    console.print(f"wrote {written['records']} question(s) and {written['images']} frame(s) to {written['file']}")
