"""A rich progress bar on stderr, shown only on a terminal (logs and pipes stay clean)."""

from rich.console import Console
from rich.progress import Progress


def progress_bar() -> Progress:
    console = Console(stderr=True)
    return Progress(console=console, transient=True, disable=not console.is_terminal)
