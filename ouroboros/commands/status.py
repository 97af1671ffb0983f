"""`ouro status`: what the lake holds."""

from pathlib import Path

import typer
from rich.table import Table

from ouroboros.console import console, user_errors
from store import Lake


@user_errors
def status(lake: Path = typer.Option(Path("lake"), "--lake", help="LanceDB lake directory.")) -> None:
    """Tables, row counts and versions of the lake."""
    if not lake.exists():
        raise FileNotFoundError(f"no lake at {lake} (create one with `ouro scenes import`)")
    store = Lake(lake)
    table = Table(title=f"lake {lake}")
    for column in ("table", "rows", "version", "versions", "last write (UTC)"):
        table.add_column(column)
    for name in store.tables():
        versions = store.versions(name)
        table.add_row(
            name, str(store.count(name)), str(versions[-1].version), str(len(versions)),
            f"{versions[-1].timestamp:%Y-%m-%d %H:%M:%S}",
        )
    console.print(table)
