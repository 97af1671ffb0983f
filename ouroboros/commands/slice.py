"""`ouro slice`: query the lake by round, task, confidence range and filter reason."""

from enum import StrEnum
from pathlib import Path

import polars as pl
import typer
from rich.table import Table

from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import LAKE_OPTION, open_lake
from store.views import difficulty_slice

SHOWN = ["qa_id", "round", "task", "difficulty_bin", "question", "answer", "confidence", "correct", "drop_reason"]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


def write_frame(frame: pl.DataFrame, fmt: Format, out: Path | None, limit: int) -> None:
    """Print a rich table, or write csv/parquet/jsonl to `out` (stdout for csv/jsonl)."""
    if fmt is Format.table:
        table = Table(title=f"{frame.height} row(s)" + (f", first {limit} shown" if frame.height > limit else ""))
        columns = [c for c in SHOWN if c in frame.columns] or frame.columns
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in frame.head(limit).select(columns).iter_rows():
            table.add_row(*["" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
        console.print(table)
        return
    if fmt is Format.parquet and out is None:
        raise CliInputError("--format parquet needs --out FILE")
    flat = frame.drop([c for c in ("flags", "options", "frame_ids") if c in frame.columns and fmt is Format.csv])
    if out is None:
        typer.echo(flat.write_csv() if fmt is Format.csv else frame.write_ndjson(), nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    {Format.csv: flat.write_csv, Format.parquet: frame.write_parquet, Format.jsonl: frame.write_ndjson}[fmt](out)
    console.print(f"wrote {frame.height} row(s) to {out}")


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
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (csv/parquet/jsonl)."),
    limit: int = typer.Option(20, "--limit", help="Rows shown in table format."),
) -> None:
    """Query a difficulty slice of the lake (qa rows joined with their round's solver scores)."""
    store = open_lake(lake, must_exist=True)
    try:
        rows = difficulty_slice(
            store.scan("qa"), store.scan("scores"), round=round, task=task, min_confidence=min_confidence,
            max_confidence=max_confidence, reason=reason, split=split, selected=selected,
        ).collect()
    except ValueError as exc:
        raise CliInputError(str(exc)) from exc
    write_frame(rows, fmt, out, limit)
