"""`ouro status`: what the lake holds, and what each round did."""

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import Grid, band_cell, console, user_errors
from ouroboros.lakes import open_lake
from ouroboros.status import LakeStatus, lake_status

ROUND_COUNTS = {"proposed": "proposed", "valid": "valid", "ambiguous": "ambig", "scored": "scored",
                "selected": "selected"}  # count key -> column header


def tables_table(status: LakeStatus, title: str) -> Grid:
    table = Grid(title, [("table", "key"), ("rows", "num"), ("version", "num"), ("versions", "num"),
                         ("written (UTC)", "key")])
    for t in status.tables:
        table.add_row(t["name"], t["rows"], t["version"], t["versions"], f"{t['written']:%Y-%m-%d %H:%M}")
    return table


def rounds_table(status: LakeStatus) -> Grid:
    """One line per round: counts, the scored rows' mean confidence, bands, the signal, eval and blind eval."""
    # auroc: does the confidence rank right answers above wrong ones (0.5: no signal); cells: the
    # effective number of (task, bin) cells of the training slice (exp entropy) / its cells
    table = Grid("rounds (conf: mean sighted confidence; e/f/h: band rows; cells: effective/all)", [
        ("round", "num"), ("prev", "num"), *[(h, "num") for h in ROUND_COUNTS.values()], ("conf", "num"),
        ("e/f/h", "num"), ("auroc", "num"), ("cells", "num"), ("eval", "num"), ("blind", "num"),
        ("fingerprint", "id")])
    for r in status.rounds:
        cells = f"{r['cells'][0]:.1f}/{r['cells'][1]}" if r["cells"] else None
        table.add_row(r["round"], r["prev"], *[r["counts"].get(k, 0) for k in ROUND_COUNTS], r["confidence"],
                      band_cell(r["bands"]), r["auroc"], cells, f"{r['eval']:.1f}", f"{r['blind']:.1f}",
                      r["fingerprint"])
    return table


@user_errors
def status(lake: str = LAKE_OPTION) -> None:
    """Tables, row counts and versions of the lake; counts and scores of every round."""
    found = lake_status(open_lake(lake, must_exist=True))
    console.print(tables_table(found, f"lake {lake}"))
    if found.rounds:
        console.print(rounds_table(found))
