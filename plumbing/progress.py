"""The one progress bar of the project: rich, on stderr, silent when stderr is not a terminal.

It lives in `plumbing`, the bottom layer, because the executor (curation), confidence scoring
and the fine-tuning callback (training) and the CLI (ouroboros) all draw it, and `curation`
and `training` may only meet in a layer below both. A progress callback threaded through
every call would keep rendering out of the lower layers, but each long loop would then
need the same plumbing down from the round; one helper that draws nothing off a terminal
keeps logs, pipes and DVC's captured output clean at no such cost. In a process group
(`ouro round --processes K`, torchrun, accelerate) only rank 0 draws: K bars would
overwrite each other. The launchers set RANK, so no layer needs torch.distributed for it.
"""

import os
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

T = TypeVar("T")


def progress_bar() -> Progress:
    """A transient bar on stderr (description, bar, done/total, time left), disabled off a
    terminal and on every rank but 0.

    Use it as a context manager, or start() and stop() it around a loop."""
    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal or os.environ.get("RANK", "0") != "0",
    )


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over `items` with a `progress_bar`."""
    with progress_bar() as bar:
        yield from bar.track(items, description=description, total=total)
