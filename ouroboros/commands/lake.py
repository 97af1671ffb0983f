"""`ouro lake optimize`: compact the lake and drop old versions nothing names any more.

Kept: the latest version of every table, every tagged version (stages tag what they
write: `scenes`, `eval`, `round-<N>`), and every version a manifest names, in the
manifest folders given and in the local DVC cache (older revisions' manifests). After
the cleanup each kept manifest version is checked to still hold its rows.
"""

from pathlib import Path

import typer

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import console, user_errors
from ouroboros.lakes import open_lake
from ouroboros.manifests import optimize_lake

app = typer.Typer(help="Lake maintenance: compaction and cleanup of old versions.", no_args_is_help=True)


@app.command("optimize")
@user_errors
def optimize(
    lake: str = LAKE_OPTION,
    manifests: list[Path] = typer.Option([Path("runs/manifests")], "--manifests",
                                         help="Folders of manifests whose versions are kept (repeatable)."),
    dvc_cache: Path = typer.Option(Path(".dvc/cache"), "--dvc-cache", help="DVC cache whose manifests are kept."),
) -> None:
    """Compact every table, then remove old versions that no tag or manifest names."""
    store = open_lake(lake, must_exist=True)
    removed, named = optimize_lake(store, store.path if "://" in lake else lake, manifests, dvc_cache)
    console.print(f"optimized {len(store.tables())} table(s) of {store.path}: removed {removed} old version(s); "
                  f"kept the latest, every tagged version and {named} manifest-named version(s)", highlight=False)
