"""`ouro status`: what the lake holds, and what each round did."""

import json

import polars as pl
from rich.table import Table

from ouroboros.console import band_cell, console, user_errors
from ouroboros.lakes import LAKE_OPTION, open_lake
from store.lake import Lake

ROUND_COUNTS = ("proposed", "valid", "ambiguous", "scored", "selected")


def tables_table(store: Lake, title: str) -> Table:
    table = Table(title=title)
    for column in ("table", "rows", "version", "versions", "last write (UTC)"):
        table.add_column(column)
    for name in store.tables():
        versions = store.versions(name)
        table.add_row(
            name, str(store.count(name)), str(versions[-1].version), str(len(versions)),
            f"{versions[-1].timestamp:%Y-%m-%d %H:%M:%S}",
        )
    return table


def rounds_table(rounds: pl.DataFrame, scores: pl.DataFrame) -> Table:
    """One line per round: counts, the scored rows' mean confidence, eval and blind eval."""
    confidence = dict(
        scores.filter(~pl.col("blind")).group_by("round").agg(pl.col("confidence").mean()).iter_rows()
    )
    table = Table(title="rounds")
    for column in ("round", "prev", *ROUND_COUNTS, "mean conf.", "easy/front/hard", "eval", "blind", "fingerprint"):
        table.add_column(column, justify="right")
    for row in rounds.sort("round").iter_rows(named=True):
        counts, metrics = json.loads(row["counts"]), json.loads(row["metrics"])
        conf = confidence.get(row["round"])
        bands = band_cell(json.loads(row["bands"]))
        table.add_row(
            str(row["round"]), str(row["prev"]), *[str(counts.get(k, 0)) for k in ROUND_COUNTS],
            "-" if conf is None else f"{conf:.3f}", bands,
            f"{metrics.get('eval', {}).get('overall', float('nan')):.1f}",
            f"{metrics.get('eval_blind', {}).get('overall', float('nan')):.1f}",
            row["fingerprint"][:12],
        )
    return table


@user_errors
def status(lake: str = LAKE_OPTION) -> None:
    """Tables, row counts and versions of the lake; counts and scores of every round."""
    store = open_lake(lake, must_exist=True)
    console.print(tables_table(store, f"lake {lake}"))
    rounds = store.read("rounds")
    if rounds.height:
        console.print(rounds_table(rounds, store.read("scores")))
