"""Shared rich console, progress bars and the one-line error exit used by every verb."""

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from store.errors import UserFacingError

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")

# Column headers for per-task tables, short enough for an 80-column terminal.
SHORT_TASK = {"object_counting": "count", "object_size_estimation": "size", "room_size_estimation": "room",
              "object_abs_distance": "abs dist", "object_rel_distance": "rel dist",
              "object_rel_direction": "rel dir", "obj_appearance_order": "order", "route_planning": "route"}


def short_task(task: str) -> str:
    return SHORT_TASK.get(task, task)


def user_errors(fn: Callable) -> Callable:
    """Expected errors print one red line on stderr and exit 2, with no traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (UserFacingError, FileNotFoundError) as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on stderr (hidden when stderr is not a terminal)."""
    with progress() as bar:
        yield from bar.track(items, description=description, total=total)


def band_cell(bands: dict) -> str:
    """easy/frontier/hard rows summed over tasks, e.g. "12/300/40" ("-" before any scores)."""
    if not bands:
        return "-"
    return "/".join(str(sum(t[b] for t in bands.values())) for b in ("easy", "frontier", "hard"))
