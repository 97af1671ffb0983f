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

    def rows(self, lake, uri: str) -> pl.LazyFrame:
        """The matching qa rows joined with their round's score, plus a `band` column (and
        `spread` when sorted by it), in `sort` order (then round, qa_id). `lake` is a
        store.Lake; `uri` names it in errors.

        Values are checked before anything is read: a CliInputError that names the lake,
        the bad value and the valid ones."""
        if self.band is not None and self.band not in BANDS:
            raise CliInputError(f"lake {uri}: band {self.band!r} is not a band; valid: {', '.join(BANDS)}")
        if self.sort not in SORTS:
            raise CliInputError(f"lake {uri}: sort {self.sort!r} is not a sort; valid: {', '.join(SORTS)}")
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
        if self.sort == "round":
            return rows  # difficulty_slice's own order
        if self.sort == "spread":  # a group_by over every score: joined only when asked for
            spread = (scores.filter(~pl.col("blind")).group_by("qa_id").agg(confidence_spread())
                      .select("qa_id", pl.col("std").alias("spread")))
            rows = rows.join(spread, on="qa_id", how="left")
        # lowest confidence (hardest) first; largest spread (most unstable) first
        return rows.sort([self.sort, "round", "qa_id"], descending=[self.sort == "spread", False, False],
                         nulls_last=True)

    def command(self, uri: str) -> str:
        """The `ouro slice` command line that prints these rows."""
        words = ["ouro", "slice", "--lake", uri]
        for name, flag in OPTIONS.items():
            value = getattr(self, name)
            if value is not None and (name != "sort" or value != "round"):
                words += [flag, str(value)]
        if self.selected is not None:
            words.append("--selected" if self.selected else "--not-selected")
        return shlex.join(words)

    def snippet(self, uri: str) -> str:
        """Python that collects these rows as a polars DataFrame (what the rows page shows)."""
        given = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if getattr(self, f.name) is not None and (f.name != "sort" or self.sort != "round"))
        return (
            "from ouroboros.lakes import open_lake\n"
            "from ouroboros.slicing import SliceQuery\n\n"
            f"uri = {uri!r}\n"
            f"rows = SliceQuery({given}).rows(open_lake(uri), uri).collect()  # a polars DataFrame\n"
        )


# SliceQuery field -> `ouro slice` option (selected is the --selected/--not-selected pair).
OPTIONS = {"round": "--round", "task": "--task", "split": "--split", "reason": "--reason",
           "min_confidence": "--min-conf", "max_confidence": "--max-conf", "band": "--band", "scene": "--scene",
           "contains": "--contains", "sort": "--sort"}
