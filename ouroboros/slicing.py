"""One difficulty slice as a value: the filters `ouro slice` takes and `ouro app`'s rows page
holds in its URL, the lazy query they make, and the same query written as a command and as
a polars snippet.

Both surfaces build a `SliceQuery` and call `rows()`, so a bad value gives the same one
line (with the valid values) on the terminal and on the page.
"""

import shlex
from dataclasses import dataclass, fields

import polars as pl

from curation.bands import BANDS, band
from ouroboros.errors import CliInputError
from store.views import confidence_spread, difficulty_slice

SORTS = ("round", "confidence", "spread")  # spread: std of the row's confidence over the rounds that scored it
# What `ouro slice` and `ouro diff` read: the questions, or the answers GRPO rounds sampled to them
# (a rollouts row is one sampled answer; it carries its question's columns through `with_questions`).
TABLES = ("qa", "rollouts")


def require_table(table: str, prefix: str) -> None:
    """`table` is one of TABLES; else a CliInputError, its message after `prefix` (where it came from)."""
    if table not in TABLES:
        raise CliInputError(f"{prefix}{table!r} is not a table; valid: {', '.join(TABLES)}")


def with_questions(rollouts: pl.LazyFrame, qa: pl.LazyFrame) -> pl.LazyFrame:
    """Rollout rows joined with their question's qa row: the same qa_id in the same round (a
    round trains on its own qa rows, ouroboros.stages.round), so task, band, confidence and
    every other qa column describe the question the answer was sampled for. Rollouts whose
    question is not in `qa` (a filtered slice) drop out."""
    return rollouts.join(qa, on=["qa_id", "round"], how="inner")


@dataclass(frozen=True)
class SliceQuery:
    """Every field None (or the default sort) selects every qa row. Bands use the default
    thresholds (curation.bands.BandParams), as `ouro status` counts them."""

    round: int | None = None
    task: str | None = None
    split: str | None = None
    reason: str | None = None  # a drop_reason, or "kept"
    selected: bool | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    band: str | None = None  # easy | frontier | hard (of the row's own round's score)
    scene: str | None = None
    contains: str | None = None  # literal text in the question
    sort: str = "round"
    table: str = "qa"  # or "rollouts": the sampled answers to the matching questions (TABLES)
    min_reward: float | None = None  # rollouts only: a sampled answer's reward bounds (inclusive)
    max_reward: float | None = None
    group: int | None = None  # rollouts only: one GRPO group (with round: one question's samples)

    def rows(self, lake, uri: str) -> pl.LazyFrame:
        """The matching qa rows joined with their round's score, plus a `band` column (and
        `spread` when sorted by it), in `sort` order (then round, qa_id). With table
        "rollouts", the sampled answers to those questions (with_questions), filtered by
        reward and group, in `sort` order then round, group, sample. `lake` is a store.Lake;
        `uri` names it in errors.

        Values are checked before anything is read: a CliInputError that names the lake,
        the bad value and the valid ones."""
        if self.band is not None and self.band not in BANDS:
            raise CliInputError(f"lake {uri}: band {self.band!r} is not a band; valid: {', '.join(BANDS)}")
        if self.sort not in SORTS:
            raise CliInputError(f"lake {uri}: sort {self.sort!r} is not a sort; valid: {', '.join(SORTS)}")
        require_table(self.table, f"lake {uri}: table ")
        if self.table != "rollouts" and (given := [f for f in ROLLOUT_FIELDS if getattr(self, f) is not None]):
            raise CliInputError(f"lake {uri}: {', '.join(given)} filter(s) rollouts; add table rollouts")
        if self.table == "rollouts" and not lake.partitions("rollouts"):
            raise CliInputError(f"lake {uri}: no rollouts table (GRPO rounds write it: train.method grpo)")
        scores = lake.scan("scores")
        try:
            rows = difficulty_slice(
                lake.scan("qa"), scores, round=self.round, task=self.task, split=self.split, reason=self.reason,
                selected=self.selected, min_confidence=self.min_confidence, max_confidence=self.max_confidence,
                scene=self.scene, contains=self.contains)
        except ValueError as exc:
            raise CliInputError(f"lake {uri}: {exc}") from None
        rows = rows.with_columns(band().alias("band"))
        if self.band is not None:
            rows = rows.filter(pl.col("band") == self.band)
        order = ["round", "qa_id"]  # difficulty_slice's own order
        if self.table == "rollouts":
            order = ["round", "group", "sample"]
            rows = self._rollouts(lake.scan("rollouts"), rows).sort(order)
        if self.sort == "round":
            return rows
        if self.sort == "spread":  # a group_by over every score: joined only when asked for
            spread = (scores.filter(~pl.col("blind")).group_by("qa_id").agg(confidence_spread())
                      .select("qa_id", pl.col("std").alias("spread")))
            rows = rows.join(spread, on="qa_id", how="left")
        # lowest confidence (hardest) first; largest spread (most unstable) first
        return rows.sort([self.sort, *order], descending=[self.sort == "spread"] + [False] * len(order),
                         nulls_last=True)

    def _rollouts(self, rollouts: pl.LazyFrame, questions: pl.LazyFrame) -> pl.LazyFrame:
        """The sampled answers to `questions` (the qa slice), with the reward and group filters."""
        conditions = []
        if self.round is not None:  # pushed into the rollouts scan as well as the question's
            conditions.append(pl.col("round") == self.round)
        if self.group is not None:
            conditions.append(pl.col("group") == self.group)
        if self.min_reward is not None:
            conditions.append(pl.col("reward") >= self.min_reward)
        if self.max_reward is not None:
            conditions.append(pl.col("reward") <= self.max_reward)
        return with_questions(rollouts.filter(*conditions) if conditions else rollouts, questions)

    def command(self, uri: str) -> str:
        """The `ouro slice` command line that prints these rows."""
        words = ["ouro", "slice", "--lake", uri]
        defaults = {f.name: f.default for f in fields(self)}
        for name, flag in OPTIONS.items():
            value = getattr(self, name)
            if value is not None and value != defaults[name]:
                words += [flag, str(value)]
        if self.selected is not None:
            words.append("--selected" if self.selected else "--not-selected")
        return shlex.join(words)

    def snippet(self, uri: str) -> str:
        """Python that collects these rows as a polars DataFrame (what the rows page shows)."""
        given = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if getattr(self, f.name) is not None and getattr(self, f.name) != f.default)
        return (
            "from ouroboros.lakes import open_lake\n"
            "from ouroboros.slicing import SliceQuery\n\n"
            f"uri = {uri!r}\n"
            f"rows = SliceQuery({given}).rows(open_lake(uri), uri).collect()  # a polars DataFrame\n"
        )


# SliceQuery field -> `ouro slice` option (selected is the --selected/--not-selected pair).
OPTIONS = {"round": "--round", "task": "--task", "split": "--split", "reason": "--reason",
           "min_confidence": "--min-conf", "max_confidence": "--max-conf", "band": "--band", "scene": "--scene",
           "contains": "--contains", "sort": "--sort", "table": "--table", "min_reward": "--min-reward",
           "max_reward": "--max-reward", "group": "--group"}
ROLLOUT_FIELDS = ("min_reward", "max_reward", "group")
