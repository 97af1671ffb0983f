"""`ouro export`: a round's training slice for ms-swift, LLaMA-Factory, plain jsonl, or as a
Hugging Face dataset (Parquet with the frames, and a dataset card; `trl`: for TRL's trainers)."""

from enum import StrEnum
from pathlib import Path

import typer

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import console, user_errors
from ouroboros.export import FORMATS
from ouroboros.lakes import open_lake

# typer shows an Enum's values as the choices in --help and lists them for a wrong one
Format = StrEnum("Format", {name: name for name in FORMATS})


@user_errors
def export_(
    round: int = typer.Option(..., "--round", "-r", help="The round whose training slice is exported."),
    fmt: Format = typer.Option("jsonl", "--format", "-f",
                            help="jsonl, swift (ms-swift), llamafactory, hf (a Hugging Face dataset folder) "
                            "or trl (its sft and grpo configs for TRL's trainers)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (data file + images/, or data/ + README.md)."),
    lake: str = LAKE_OPTION,
    max_frames: int = typer.Option(4, "--max-frames", min=1, help="Frames per question, sampled uniformly."),
    license: str = typer.Option("other", "--license", help="hf, trl: the dataset card's license field "
                                "(a Hub license id, e.g. cc-by-4.0)."),
) -> None:
    """Write round N's selected questions with their frames in a trainer's format."""
    from ouroboros.export import export_round  # imports the solver's prompt code

    written = export_round(open_lake(lake, must_exist=True), round, out, fmt.value, max_frames, license)
    console.print(f"wrote {written['records']} question(s) and {written['images']} frame(s) to {written['file']}")
