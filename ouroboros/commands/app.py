"""`ouro app`: serve the read-only web app over a lake (docs/app.md)."""

import typer

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import console, user_errors
from ouroboros.lakes import open_lake

LOOPBACK = "127.0.0.1"


@user_errors
def app_(
    lake: str = LAKE_OPTION,
    port: int = typer.Option(8765, "--port", help="TCP port to listen on."),
    host: str = typer.Option(LOOPBACK, "--host",
                             help="Address to bind; the default serves this machine only (the app has no login)."),
) -> None:
    """Browse the lake in a web browser: rows with their frames, one row, a scene, rounds, diffs. Read-only."""
    import uvicorn  # imported here: `ouro --help` and every other verb need none of the web stack

    from ouroboros.app.server import create_app

    # Opened before serving: a missing or unreachable lake is one line and exit 2, not a page of errors.
    store = open_lake(lake, must_exist=True)
    console.print(f"ouro app: lake {lake} on http://{host}:{port}/ (Ctrl-C stops it)", highlight=False)
    uvicorn.run(create_app(store, lake), host=host, port=port, log_level="warning")
