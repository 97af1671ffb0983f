"""A rich progress bar on stderr, shown only on a terminal (logs and pipes stay clean) and by
the main process alone (several processes would draw over each other)."""

from rich.console import Console
from rich.progress import Progress

from training.distributed import is_main


def progress_bar() -> Progress:
    console = Console(stderr=True)
    return Progress(console=console, transient=True, disable=not (console.is_terminal and is_main()))
