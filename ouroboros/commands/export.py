"""`ouro export`: a round's training slice for ms-swift, LLaMA-Factory or plain jsonl."""

from pathlib import Path

import typer

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import console, user_errors
from ouroboros.lakes import open_lake


@user_errors
def export_(
    round: int = typer.Option(..., "--round", "-r", help="The round whose training slice is exported."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl, swift (ms-swift) or llamafactory."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (data file + images/)."),
    lake: str = LAKE_OPTION,
    max_frames: int = typer.Option(4, "--max-frames", min=1, help="Frames per question, sampled uniformly."),
) -> None:
    """Write round N's selected questions with their frames in a trainer's format."""
    from ouroboros.export import export_round  # imports the solver's prompt code (transformers)

    written = export_round(open_lake(lake, must_exist=True), round, out, fmt, max_frames)
    console.print(f"wrote {written['records']} question(s) and {written['images']} frame(s) to {written['file']}")
