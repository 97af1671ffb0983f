"""`ouro slice`: query the lake by round, task, confidence range and filter reason; questions or their rollouts."""

from pathlib import Path

import polars as pl
import typer

from ouroboros.commands.options import LAKE_OPTION, TABLE_OPTION
from ouroboros.console import Format, Grid, console, short_task, user_errors, write_rows
from ouroboros.errors import CliInputError
from ouroboros.lakes import open_lake
from ouroboros.slicing import SORTS, SliceQuery

# The table's columns: enough to tell rows apart and judge them; -f csv/json/parquet has every column.
SHOWN = {"qa": [("qa_id", "id"), ("round", "num"), ("task", "key"), ("question", "text"), ("answer", "text"),
                ("confidence", "num")],
         "rollouts": [("qa_id", "id"), ("round", "num"), ("group", "num"), ("task", "key"), ("answer", "text"),
                      ("completion", "text"), ("reward", "num"), ("advantage", "num")]}
HEADERS = {"confidence": "conf", "completion": "sampled", "advantage": "adv"}


def slice_table(frame: pl.DataFrame, limit: int, table: str = "qa") -> Grid:
    """The first `limit` rows' SHOWN columns of `table`, tasks in their short names."""
    title = f"{frame.height} row(s)" + (f", first {limit} shown" if frame.height > limit else "")
    grid = Grid(title, [(HEADERS.get(name, name), kind) for name, kind in SHOWN[table]])
    for row in frame.head(limit).iter_rows(named=True):
        grid.add_row(*[short_task(row[name]) if name == "task" else row[name] for name, _ in SHOWN[table]])
    return grid


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
    table: str = TABLE_OPTION,
    min_reward: float | None = typer.Option(None, "--min-reward", help="Rollouts: lowest reward (inclusive)."),
    max_reward: float | None = typer.Option(None, "--max-reward", help="Rollouts: highest reward (inclusive)."),
    group: int | None = typer.Option(None, "--group", help="Rollouts: one GRPO group's samples."),
) -> None:
    """Query a difficulty slice of the lake (qa rows joined with their round's solver scores), or
    with --table rollouts the answers GRPO sampled to those questions (every other option still
    selects the questions)."""
    if fmt is Format.table and out is not None:
        raise CliInputError("--out FILE needs --format csv, json, jsonl or parquet")
    query = SliceQuery(round=round, task=task, split=split, reason=reason, selected=selected,
                       min_confidence=min_confidence, max_confidence=max_confidence, band=band, scene=scene,
                       contains=contains, sort=sort, table=table, min_reward=min_reward, max_reward=max_reward,
                       group=group)
    rows = query.rows(open_lake(lake, must_exist=True), lake).collect()
    if fmt is Format.table:
        console.print(slice_table(rows, limit, table))
    else:
        write_rows(rows, fmt, out)
