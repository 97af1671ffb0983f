"""Shared rich console, the one table layout every verb prints, and the one-line error exit.

Table rules, written once here (a command only names its columns' kinds):
- `num`: right-aligned, never cut (counts, scores, rounds);
- `key`: left-aligned, never cut (task, table and policy names);
- `id`: a content hash cut to its first ID_CHARS characters, like a short git hash
  (the full ids are in each verb's csv/json output);
- `text`: left-aligned on one line, cut with an ellipsis; text columns share what width
  the others leave, each keeping at least TEXT_MIN_CHARS.
When even that does not fit the terminal, the rows print as vertical `header  value` records:
side by side (one column per record, headed by its first cell) when they fit, else stacked.
"""

import functools
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Literal

import polars as pl
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ouroboros.errors import CliInputError
from store.errors import UserFacingError

console = Console()
err_console = Console(stderr=True)

ID_CHARS = 8  # 16^8 prefixes: distinct among any lake's rows a person reads in a table
TEXT_MIN_CHARS = 12  # a question cut shorter than this says nothing
GAP = 2  # blank cells between columns (box.SIMPLE_HEAD's separator plus collapsed padding)
STYLE = {"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False, "collapse_padding": True}

# Column headers for per-task tables, short enough for an 80-column terminal.
SHORT_TASK = {"object_counting": "count", "object_size_estimation": "size", "room_size_estimation": "room",
              "object_abs_distance": "abs dist", "object_rel_distance": "rel dist",
              "object_rel_direction": "rel dir", "object_rel_direction_easy": "rel dir easy",
              "object_rel_direction_medium": "rel dir med", "object_rel_direction_hard": "rel dir hard",
              "obj_appearance_order": "order", "route_planning": "route"}


def short_task(task: str) -> str:
    return SHORT_TASK.get(task, task)


def user_errors(fn: Callable) -> Callable:
    """Expected errors print one red line on stderr and exit 2, with no traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (UserFacingError, FileNotFoundError) as exc:
            # escaped: a message may hold brackets (`pip install -e '.[ray]'`) that rich would take as markup
            err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def band_cell(bands: dict) -> str:
    """easy/frontier/hard rows summed over tasks, e.g. "12/300/40" ("-" before any scores)."""
    if not bands:
        return "-"
    return "/".join(str(sum(t[b] for t in bands.values())) for b in ("easy", "frontier", "hard"))


def cell(value: object, digits: int = 3) -> str:
    """A value as table text: "-" for a missing one, floats to `digits` decimals."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


Kind = Literal["num", "key", "id", "text"]


def _one_line(text: str, kind: Kind) -> str:
    """An id cut to ID_CHARS; any other cell with its line breaks and runs of spaces folded
    to one space (a question's second sentence would otherwise wrap below the row)."""
    return text[:ID_CHARS] if kind == "id" else " ".join(text.split())


class Grid:
    """A titled table laid out for the console it prints on, by the rules in the module docstring."""

    def __init__(self, title: str, columns: Sequence[tuple[str, Kind]]):
        """`columns`: (header, kind) pairs."""
        self.title = title
        self.headers = [h for h, _ in columns]
        self.kinds = [k for _, k in columns]
        self.rows: list[tuple[list[str], str | None]] = []

    def add_row(self, *cells: object, style: str | None = None) -> None:
        if len(cells) != len(self.kinds):
            raise ValueError(f"{self.title}: {len(cells)} cells for {len(self.kinds)} columns")
        texts = [_one_line(cell(v), kind) for kind, v in zip(self.kinds, cells, strict=True)]
        self.rows.append((texts, style))

    def widths(self, width: int) -> list[int] | None:
        """Each column's width within `width` cells, or None when the uncut columns cannot fit."""
        natural = [max([cell_len(h), *(cell_len(r[i]) for r, _ in self.rows)]) for i, h in enumerate(self.headers)]
        text = [i for i, k in enumerate(self.kinds) if k == "text"]
        least = [min(n, max(cell_len(self.headers[i]), TEXT_MIN_CHARS)) if i in text else n
                 for i, n in enumerate(natural)]
        spare = width - GAP * (len(natural) - 1) - sum(least)
        if spare < 0:
            return None
        widths = list(least)
        while spare > 0:  # one cell at a time to the text column missing the most
            short = max(text, key=lambda i: natural[i] - widths[i], default=None)
            if short is None or widths[short] == natural[short]:
                break
            widths[short] += 1
            spare -= 1
        return widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        widths = self.widths(width)
        # The title is a line of its own: as a rich title it would wrap to the width of a narrow table.
        yield Text(self.title, style="italic")
        if widths is not None:
            yield self._table(widths)
        elif self._side_by_side_width() <= width:
            yield self._side_by_side()
        else:
            yield from self._stacked()

    def _table(self, widths: list[int]) -> Table:
        table = Table(**STYLE)
        for header, kind, width in zip(self.headers, self.kinds, widths, strict=True):
            table.add_column(header, justify="right" if kind == "num" else "left", width=width, no_wrap=True,
                             overflow="ellipsis")
        for cells, style in self.rows:
            table.add_row(*map(Text, cells), style=style)
        return table

    def _side_by_side_width(self) -> int:
        return max(map(cell_len, self.headers)) + sum(GAP + max(map(cell_len, cells)) for cells, _ in self.rows)

    def _side_by_side(self) -> Table:
        """Records as columns, headed by their first cell (a round, a task): many columns, few rows."""
        table = Table(**STYLE)
        table.add_column(self.headers[0], no_wrap=True)
        for cells, style in self.rows:
            table.add_column(cells[0], justify="right", no_wrap=True, header_style=style or "")
        for i, (header, kind) in enumerate(zip(self.headers, self.kinds, strict=True)):
            if i:
                table.add_row(header, *[Text(cells[i], style=style or "", justify="right" if kind == "num"
                                             else "left") for cells, style in self.rows])
        return table

    def _stacked(self) -> RenderResult:
        """One `header  value` block per row, long values wrapped: for rows too wide even on their own."""
        for cells, style in self.rows:
            record = Table.grid(padding=(0, GAP))
            record.add_column(style="bold", no_wrap=True)
            record.add_column(overflow="fold")
            for header, value in zip(self.headers, cells, strict=True):
                record.add_row(header, Text(value, style=style or ""))
            yield Text("")
            yield record


class Format(StrEnum):
    table = "table"
    csv = "csv"
    parquet = "parquet"
    json = "json"
    jsonl = "jsonl"


def write_rows(frame: pl.DataFrame, fmt: Format, out: Path | None) -> None:
    """Every column of `frame` as csv, json (an array of records), jsonl or parquet, to `out` or stdout
    (parquet needs a file). csv holds list and struct columns as JSON text."""
    if fmt is Format.table:
        raise ValueError("write_rows writes files; a table prints through Grid")
    if fmt is Format.parquet and out is None:
        raise CliInputError("--format parquet needs --out FILE")
    if fmt is Format.csv:
        nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
        frame = frame.with_columns(
            pl.Series(name, [None if v is None else json.dumps(v) for v in frame[name].to_list()], dtype=pl.String)
            for name in nested)
    write = {Format.csv: frame.write_csv, Format.json: frame.write_json, Format.jsonl: frame.write_ndjson,
             Format.parquet: frame.write_parquet}[fmt]
    if out is None:
        typer.echo(write(), nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    write(out)
    console.print(f"wrote {frame.height} row(s) to {out}", highlight=False)
