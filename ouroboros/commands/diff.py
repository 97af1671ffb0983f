"""`ouro diff A B`: row-level differences between two rounds, table versions or DVC revisions,
of the questions (qa) or of what GRPO rounds sampled for them (rollouts)."""

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import typer

from ouroboros.commands.options import LAKE_OPTION, TABLE_OPTION
from ouroboros.console import Grid, console, short_task, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import open_lake
from ouroboros.slicing import TABLES, require_table, with_questions
from store.diff import DECISION_COLUMNS, REWARD_COLUMNS, Diff, compare_rollouts, compare_rounds
from store.errors import UserFacingError
from store.lake import PARTITION_SEP, logical_name

SPEC_HELP = ("A round in the working tree (2 or r2), a round at a DVC revision or experiment "
             "(r2@HEAD~1, r3@exp-closed), or a table version (qa__r2@3, rollouts__r2@1).")
TABLE_VERSION = re.compile(rf"((?:{'|'.join(TABLES)})(?:__\w+)?)@(\d+)")
ROUND_AT = re.compile(r"r?(\d+)(?:@(.+))?")
ROUND_PARTITION = re.compile(r"r(\d+)")  # the partition a round's stage writes (ouroboros.record)


@dataclass(frozen=True)
class Spec:
    """One side of a diff: a round's physical table (qa or rollouts, TABLES), maybe pinned to a
    Lance version or a DVC revision."""

    table: str  # e.g. qa__r3, rollouts__r3
    version: int | None = None  # TABLE@V
    rev: str | None = None  # rN@REV: a Git revision or DVC experiment name

    @property
    def questions(self) -> str:
        """The qa partition of the same round: a rollouts side's questions (their task, band...)."""
        return "qa" + self.table.removeprefix(logical_name(self.table))


def parse(spec: str, table: str = "qa") -> Spec:
    """A spec's side; a round number names that round's partition of `table`."""
    if match := TABLE_VERSION.fullmatch(spec):
        return Spec(match.group(1), version=int(match.group(2)))
    if match := ROUND_AT.fullmatch(spec):
        return Spec(f"{table}{PARTITION_SEP}r{match.group(1)}", rev=match.group(2))
    raise CliInputError(f"cannot read {spec!r}: expected a round number (2 or r2), ROUND@REVISION "
                        "(r2@HEAD~1, r3@exp-closed) or TABLE@VERSION (qa__r2@3)")


def require_round(table: str, tables: list[str], where: str) -> None:
    """A round whose partition is missing is an error listing the rounds `where` does have (of that table)."""
    if table not in tables:
        logical = logical_name(table)
        have = sorted(int(m.group(1)) for t in tables if logical_name(t) == logical
                      and (m := ROUND_PARTITION.fullmatch(t.removeprefix(logical + PARTITION_SEP))))
        raise CliInputError(f"round {table.removeprefix(logical + PARTITION_SEP + 'r')} does not exist in {where}"
                            f"{'' if logical == 'qa' else f' ({logical})'}; rounds there: "
                            f"{', '.join(map(str, have)) or 'none'}")


def read_side(store, spec: Spec) -> pl.LazyFrame:
    """The rows of `spec`'s table in `store`; a rollouts table's rows with their questions
    (ouroboros.slicing.with_questions: the rule `ouro slice --table rollouts` joins by)."""
    rows = store.scan(spec.table, version=spec.version)
    return rows if logical_name(spec.table) == "qa" else with_questions(rows, store.scan(spec.questions))


@contextmanager
def side_rows(spec: Spec, lake: str) -> Iterator[pl.LazyFrame]:
    """The rows a spec names. A revision's tables are copied to a temp dir that lives until the block ends."""
    needs = list(dict.fromkeys([spec.table, spec.questions]))  # a rollouts side reads its round's qa too
    if spec.rev is not None:
        # Imported here: DVC's API takes a second or more to import, and every `ouro` verb
        # (the DVC stages' commands included) imports this module.
        from ouroboros.revisions import LakeRevision

        with LakeRevision(Path(lake), spec.rev) as at_rev:
            for table in needs:
                require_round(table, at_rev.tables(), f"{lake} at {spec.rev}")
            with at_rev.materialise(needs) as store:
                yield read_side(store, spec)
        return
    store = open_lake(lake, must_exist=True)
    for table in needs[spec.version is not None:]:  # a pinned version is checked by the scan itself
        require_round(table, store.tables(), f"lake {lake}")
    yield read_side(store, spec)


def open_side(stack: ExitStack, label: str, text: str, lake: str, table: str = "qa") -> pl.LazyFrame:
    """`side_rows` of argument `label`; its errors say which side they are about."""
    try:
        return stack.enter_context(side_rows(parse(text, table), lake))
    except UserFacingError as exc:
        raise CliInputError(f"{label} ({text}): {exc}") from None


def cell(name: str, value) -> object:
    """A value as the diff's tables show it: tasks by their short names, floats to 3 digits."""
    return short_task(value) if name == "task" else f"{value:.3g}" if isinstance(value, float) else value


def changed_rows(result: Diff, show: int, compared: list[str] = DECISION_COLUMNS,
                 shown: tuple[str, ...] = ("task", "question"), names: tuple[str, str] = ("added", "removed"),
                 ) -> list[Grid]:
    """The first `show` added, removed (titled `names`: their `shown` columns) and changed rows
    (the `compared` columns that differ), one table per kind that has any."""
    tables = []
    for name, frame in zip(names, (result.added, result.removed), strict=True):
        if frame.height:
            table = Grid(f"{name} (first {min(show, frame.height)} of {frame.height})",
                         [("qa_id", "id"), *((c, "text" if c == "question" else "key") for c in shown)])
            for row in frame.head(show).iter_rows(named=True):
                table.add_row(row["qa_id"], *(cell(c, row[c]) for c in shown))
            tables.append(table)
    if result.changed.height:
        table = Grid(f"changed (first {min(show, result.changed.height)} of {result.changed.height})",
                     [("qa_id", "id"), ("old -> new", "text")])
        for row in result.changed.head(show).to_dicts():
            table.add_row(row["qa_id"], "; ".join(f"{c}: {cell(c, row[c + '_old'])} -> {cell(c, row[c])}"
                                                  for c in compared if row[c] != row[c + "_old"]))
        tables.append(table)
    return tables


def reward_table(tasks: pl.DataFrame, a: str, b: str) -> Grid:
    table = Grid("GRPO groups per task (zero var: rewards all equal)", [
        ("task", "key"), (f"groups {a}", "num"), (f"groups {b}", "num"), (f"reward {a}", "num"),
        (f"reward {b}", "num"), (f"zero var {a}", "num"), (f"zero var {b}", "num")])
    for row in tasks.iter_rows(named=True):
        table.add_row(short_task(row["task"]), row["groups_a"], row["groups_b"], f"{row['mean_reward_a']:.3f}",
                      f"{row['mean_reward_b']:.3f}", row["zero_variance_a"], row["zero_variance_b"])
    return table


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
    table: str = TABLE_OPTION,
) -> None:
    """Added / removed / changed questions between A and B, how the difficulty mix shifted, and
    which (task, difficulty bin) cells one side trained on and the other did not. With --table
    rollouts: the questions GRPO sampled on one side only or whose rewards changed, and per task
    the groups, mean reward and groups whose rewards were all equal."""
    require_table(table, "--table ")
    name_a, name_b = (logical_name(parse(text, table).table) for text in (a, b))
    if name_a != name_b:
        raise CliInputError(f"A ({a}) is a {name_a} table and B ({b}) a {name_b} table: diff like with like")
    with ExitStack() as stack:  # a revision's temp copy must outlive every read below
        side_a, side_b = open_side(stack, "A", a, lake, table), open_side(stack, "B", b, lake, table)
        if name_a == "rollouts":
            return rollouts_diff(compare_rollouts(side_a, side_b), a, b, show, as_json)
        found = compare_rounds(side_a, side_b)
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


def rollouts_diff(found, a: str, b: str, show: int, as_json: bool) -> None:
    """Print `ouro diff --table rollouts`: a store.diff.RolloutComparison."""
    if as_json:
        typer.echo(json.dumps({"a": a, "b": b, **found.rows.summary(), "tasks": found.tasks.to_dicts()}, indent=1))
        return
    console.print(f"[bold]{a} -> {b}[/bold] (rollouts, per question): "
                  + ", ".join(f"{k} {v}" for k, v in found.rows.summary().items()))
    for grid in changed_rows(found.rows, show, REWARD_COLUMNS, ("task", "groups", "mean_reward"),
                             ("sampled only in B", "sampled only in A")):
        console.print(grid)
    console.print(reward_table(found.tasks, a, b))
