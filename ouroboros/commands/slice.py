"""`ouro slice`: query the lake by round, task, confidence range and filter reason."""

from pathlib import Path

import polars as pl
import typer

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import Format, Grid, console, short_task, user_errors, write_rows
from ouroboros.errors import CliInputError
from ouroboros.lakes import open_lake
from ouroboros.slicing import SORTS, SliceQuery

# The table's columns: enough to tell rows apart and judge them; -f csv/json/parquet has every column.
SHOWN = [("qa_id", "id"), ("round", "num"), ("task", "key"), ("question", "text"), ("answer", "text"),
         ("confidence", "num")]
HEADERS = {"confidence": "conf"}


def slice_table(frame: pl.DataFrame, limit: int) -> Grid:
    """The first `limit` rows' SHOWN columns, tasks in their short names."""
    title = f"{frame.height} row(s)" + (f", first {limit} shown" if frame.height > limit else "")
    table = Grid(title, [(HEADERS.get(name, name), kind) for name, kind in SHOWN])
    for row in frame.head(limit).iter_rows(named=True):
        table.add_row(*[short_task(row[name]) if name == "task" else row[name] for name, _ in SHOWN])
    return table


@user_errors
def slice_(
    lake: str = LAKE_OPTION,
    round: int | None = typer.Option(None, "--round", "-r", help="Only this round's rows."),
    task: str | None = typer.Option(None, "--task", "-t", help="VSI-Bench task, e.g. object_rel_distance."),
    min_confidence: float | None = typer.Option(None, "--min-conf", help="Lowest solver confidence (inclusive)."),
    max_confidence: float | None = typer.Option(None, "--max-conf", help="Highest solver confidence (inclusive)."),
    reason: str | None = typer.Option(None, "--reason", help="Filter reason that dropped the row, or 'kept'."),
    split: str | None = typer.Option(None, "--split", help="train or eval."),
    selected: bool | None = typer.Option(None, "--selected/--not-selected", help="In the training slice or not."),
    band: str | None = typer.Option(None, "--band", help="easy, frontier or hard (the row's own round's score)."),
    scene: str | None = typer.Option(None, "--scene", help="Only this scene_id's rows."),
    contains: str | None = typer.Option(None, "--contains", help="Text the question contains (literal)."),
    sort: str = typer.Option("round", "--sort", help=f"Order: {', '.join(SORTS)} (spread: most unstable first)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f",
                               help="table (a few columns), or every column as csv, json, jsonl or parquet."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (default stdout; parquet needs one)."),
    limit: int = typer.Option(20, "--limit", min=1, help="Rows shown in table format."),
) -> None:
    """Query a difficulty slice of the lake (qa rows joined with their round's solver scores)."""
    if fmt is Format.table and out is not None:
        raise CliInputError("--out FILE needs --format csv, json, jsonl or parquet")
    query = SliceQuery(round=round, task=task, split=split, reason=reason, selected=selected,
                       min_confidence=min_confidence, max_confidence=max_confidence, band=band, scene=scene,
                       contains=contains, sort=sort)
    rows = query.rows(open_lake(lake, must_exist=True), lake).collect()
    if fmt is Format.table:
        console.print(slice_table(rows, limit))
    else:
        write_rows(rows, fmt, out)
