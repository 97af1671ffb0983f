"""`ouro diff A B`: row-level differences between two rounds, table versions or DVC revisions."""

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import typer

from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import Grid, console, short_task, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import open_lake
from store.diff import DECISION_COLUMNS, Diff, compare_rounds
from store.errors import UserFacingError

SPEC_HELP = ("A round in the working tree (2 or r2), a round at a DVC revision or experiment "
             "(r2@HEAD~1, r3@exp-closed), or a table version (qa__r2@3).")
TABLE_VERSION = re.compile(r"(qa(?:__\w+)?)@(\d+)")
ROUND_AT = re.compile(r"r?(\d+)(?:@(.+))?")
ROUND_TABLE = re.compile(r"qa__r(\d+)")  # the partition a round's stage writes (ouroboros.record)


@dataclass(frozen=True)
class Spec:
    """One side of a diff: a physical qa table, maybe pinned to a Lance version or a DVC revision."""

    table: str  # e.g. qa__r3
    version: int | None = None  # TABLE@V
    rev: str | None = None  # rN@REV: a Git revision or DVC experiment name


def parse(spec: str) -> Spec:
    if match := TABLE_VERSION.fullmatch(spec):
        return Spec(match.group(1), version=int(match.group(2)))
    if match := ROUND_AT.fullmatch(spec):
        return Spec(f"qa__r{match.group(1)}", rev=match.group(2))
    raise CliInputError(f"cannot read {spec!r}: expected a round number (2 or r2), ROUND@REVISION "
                        "(r2@HEAD~1, r3@exp-closed) or TABLE@VERSION (qa__r2@3)")


def require_round(table: str, tables: list[str], where: str) -> None:
    """A round whose partition is missing is an error listing the rounds `where` does have."""
    if table not in tables:
        have = sorted(int(m.group(1)) for t in tables if (m := ROUND_TABLE.fullmatch(t)))
        raise CliInputError(f"round {table.removeprefix('qa__r')} does not exist in {where}; "
                            f"rounds there: {', '.join(map(str, have)) or 'none'}")


@contextmanager
def side_rows(spec: Spec, lake: str) -> Iterator[pl.LazyFrame]:
    """The qa rows a spec names. A revision's table is copied to a temp dir that lives until the block ends."""
    if spec.rev is not None:
        # Imported here: DVC's API takes a second or more to import, and every `ouro` verb
        # (the DVC stages' commands included) imports this module.
        from ouroboros.revisions import LakeRevision

        with LakeRevision(Path(lake), spec.rev) as at_rev:
            require_round(spec.table, at_rev.tables(), f"{lake} at {spec.rev}")
            with at_rev.materialise([spec.table]) as store:
                yield store.scan(spec.table)
        return
    store = open_lake(lake, must_exist=True)
    if spec.version is None:
        require_round(spec.table, store.tables(), f"lake {lake}")
    yield store.scan(spec.table, version=spec.version)


def open_side(stack: ExitStack, label: str, text: str, lake: str) -> pl.LazyFrame:
    """`side_rows` of argument `label`; its errors say which side they are about."""
    try:
        return stack.enter_context(side_rows(parse(text), lake))
    except UserFacingError as exc:
        raise CliInputError(f"{label} ({text}): {exc}") from None


def changed_rows(result: Diff, show: int) -> list[Grid]:
    """The first `show` added, removed and changed rows, one table per kind that has any."""
    tables = []
    for name, frame in (("added", result.added), ("removed", result.removed)):
        if frame.height:
            table = Grid(f"{name} (first {min(show, frame.height)} of {frame.height})",
                         [("qa_id", "id"), ("task", "key"), ("question", "text")])
            for row in frame.head(show).iter_rows(named=True):
                table.add_row(row["qa_id"], short_task(row["task"]), row["question"])
            tables.append(table)
    if result.changed.height:
        table = Grid(f"changed (first {min(show, result.changed.height)} of {result.changed.height})",
                     [("qa_id", "id"), ("old -> new", "text")])
        for row in result.changed.head(show).to_dicts():
            table.add_row(row["qa_id"], "; ".join(f"{c}: {row[c + '_old']} -> {row[c]}" for c in DECISION_COLUMNS
                                                  if row[c] != row[c + "_old"]))
        tables.append(table)
    return tables


def mix_table(shift: pl.DataFrame, a: str, b: str) -> Grid:
    table = Grid("difficulty mix (share of rows, %)", [
        ("task", "key"), ("bin", "key"), (f"n {a}", "num"), (f"n {b}", "num"), (f"% {a}", "num"),
        (f"% {b}", "num"), ("shift", "num")])
    for row in shift.iter_rows(named=True):
        table.add_row(short_task(row["task"]), row["difficulty_bin"], row["n_a"], row["n_b"],
                      f"{row['share_a'] * 100:.1f}", f"{row['share_b'] * 100:.1f}", f"{row['shift_pts']:+.1f}")
    return table


def trained_table(gap: pl.DataFrame, a: str, b: str) -> Grid:
    table = Grid("rows selected for training", [("task", "key"), ("bin", "key"), (f"only {a}", "num"),
                                                (f"only {b}", "num"), ("both", "num")])
    for row in gap.iter_rows(named=True):
        table.add_row(short_task(row["task"]), row["difficulty_bin"], row["only_a"], row["only_b"], row["both"])
    return table


@user_errors
def diff_(
    a: str = typer.Argument(..., help=SPEC_HELP),
    b: str = typer.Argument(..., help=SPEC_HELP),
    lake: str = LAKE_OPTION,
    show: int = typer.Option(5, "--show", help="Example rows printed per kind of change."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary instead of tables."),
) -> None:
    """Added / removed / changed questions between A and B, how the difficulty mix shifted, and
    which (task, difficulty bin) cells one side trained on and the other did not."""
    with ExitStack() as stack:  # a revision's temp copy must outlive every read below
        found = compare_rounds(open_side(stack, "A", a, lake), open_side(stack, "B", b, lake))
    if as_json:
        summary = {"a": a, "b": b, **found.rows.summary(), "mix": found.mix.to_dicts(),
                   "trained": found.trained.to_dicts()}
        typer.echo(json.dumps(summary, indent=1))
        return
    console.print(f"[bold]{a} -> {b}[/bold]: " + ", ".join(f"{k} {v}" for k, v in found.rows.summary().items()))
    for table in changed_rows(found.rows, show):
        console.print(table)
    console.print(mix_table(found.mix, a, b))
    console.print(trained_table(found.trained, a, b) if found.trained.height
                  else "rows selected for training: none on either side")
