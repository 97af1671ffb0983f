"""`ouro diff A B`: row-level differences between two rounds or two table versions."""

import json
import re

import polars as pl
import typer
from rich.table import Table

from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import LAKE_OPTION, open_lake
from store.diff import diff
from store.lake import Lake
from store.views import difficulty_mix

VALUE_COLUMNS = ["answer", "exec_status", "ambiguous", "drop_reason", "selected", "difficulty_bin"]
SPEC_HELP = "A round number (e.g. 2) or a table version (e.g. qa__r2@3)."


def resolve(lake: Lake, spec: str) -> pl.LazyFrame:
    """The qa rows a spec names: `N` = round N, `TABLE@V` = version V of a physical qa table."""
    if spec.isdigit():
        return lake.scan("qa").filter(pl.col("round") == int(spec))
    match = re.fullmatch(r"(qa(?:__\w+)?)@(\d+)", spec)
    if match is None:
        raise CliInputError(f"cannot read {spec!r}: expected a round number or TABLE@VERSION such as qa__r2@3")
    return lake.scan(match.group(1), version=int(match.group(2)))


def mix_shift(old: pl.LazyFrame, new: pl.LazyFrame) -> pl.DataFrame:
    """Share of each (task, difficulty bin) before and after, and the change in points."""
    a = difficulty_mix(old).rename({"n": "n_a", "share": "share_a"})
    b = difficulty_mix(new).rename({"n": "n_b", "share": "share_b"})
    joined = a.join(b, on=["task", "difficulty_bin"], how="full", coalesce=True).fill_null(0)
    return joined.with_columns(((pl.col("share_b") - pl.col("share_a")) * 100).alias("shift_pts")).sort(
        "task", "difficulty_bin").collect()


@user_errors
def diff_(
    a: str = typer.Argument(..., help=SPEC_HELP),
    b: str = typer.Argument(..., help=SPEC_HELP),
    lake: str = LAKE_OPTION,
    show: int = typer.Option(5, "--show", help="Example rows printed per kind of change."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary instead of tables."),
) -> None:
    """Added / removed / changed questions between A and B, and how the difficulty mix shifted."""
    store = open_lake(lake, must_exist=True)
    old, new = resolve(store, a), resolve(store, b)
    result = diff(old, new, key="qa_id", columns=VALUE_COLUMNS)
    shift = mix_shift(old, new)
    if as_json:
        typer.echo(json.dumps({"a": a, "b": b, **result.summary(), "mix": shift.to_dicts()}, indent=1))
        return
    console.print(f"[bold]{a} -> {b}[/bold]: " + ", ".join(f"{k} {v}" for k, v in result.summary().items()))
    for name, frame in (("added", result.added), ("removed", result.removed)):
        if frame.height:
            console.print(f"{name} (first {min(show, frame.height)}):")
            for row in frame.head(show).select("qa_id", "task", "question").iter_rows():
                console.print(f"  {row[0]}  [{row[1]}] {row[2][:90]}", highlight=False)
    if result.changed.height:
        console.print(f"changed (first {min(show, result.changed.height)}):")
        for row in result.changed.head(show).to_dicts():
            moved = [f"{c}: {row[c + '_old']} -> {row[c]}" for c in VALUE_COLUMNS if row[c] != row[c + "_old"]]
            console.print(f"  {row['qa_id']}  " + "; ".join(moved), highlight=False)
    table = Table(title="difficulty mix (share of rows, %)")
    for column in ("task", "bin", f"n {a}", f"n {b}", f"% {a}", f"% {b}", "shift (pts)"):
        table.add_column(column)
    for row in shift.iter_rows(named=True):
        table.add_row(row["task"], row["difficulty_bin"], str(row["n_a"]), str(row["n_b"]),
                      f"{row['share_a'] * 100:.1f}", f"{row['share_b'] * 100:.1f}", f"{row['shift_pts']:+.1f}")
    console.print(table)
