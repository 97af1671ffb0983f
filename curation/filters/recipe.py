"""Recipes: an ordered list of `{op_name: {kwargs}}`, applied as measure, then decide.

`apply_recipe` appends one FILTER_FLAG {filter, score, flagged, reason} per operator to
each row's `flags` (replacing an earlier flag of the same operator), then derives
`ambiguous` (any flagged code in AMBIGUOUS_CODES) and `drop_reason` (the code of the
first flagged operator in recipe order; null = kept).
"""

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from curation.errors import ParamError
from curation.filters.base import Filter, FilterContext, get_filter
from curation.flags import AMBIGUOUS_CODES, FLAG_DTYPE

Recipe = Sequence[Mapping[str, Mapping[str, Any] | None]]

def build(recipe: Recipe, ctx: FilterContext | None = None) -> list[Filter]:
    """Operators of a recipe, in order; unknown names and bad kwargs name the step. Settings
    that are not the recipe's (the difficulty bands) come from `ctx`."""
    ctx = ctx or FilterContext()
    ops = []
    for i, step in enumerate(recipe):
        if not isinstance(step, Mapping) or len(step) != 1:
            raise ParamError("filters", f"[{i}]", f"expected one {{op_name: kwargs}}, got {step!r:.80}")
        ((name, kwargs),) = step.items()
        cls = get_filter(name)
        try:
            ops.append(cls(**dict(kwargs or {}), **cls.context_kwargs(ctx)))
        except TypeError as exc:
            raise ParamError("filters", f"[{i}].{name}", str(exc)) from exc
    return ops


def measure(rows: pl.DataFrame, ops: Sequence[Filter], ctx: FilterContext) -> list[pl.DataFrame]:
    stats = [op.measure(rows, ctx) for op in ops]
    for op, s in zip(ops, stats, strict=True):
        if s.height != rows.height or "score" not in s.columns:
            raise RuntimeError(f"filter {op.name!r} measured {s.height} rows (need {rows.height}) or no score")
    return stats


def decide(rows: pl.DataFrame, ops: Sequence[Filter], stats: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Rows with flags, ambiguous and drop_reason from the operators' decisions."""
    names = {op.name for op in ops}
    old = rows["flags"].to_list() if "flags" in rows.columns else [[] for _ in range(rows.height)]
    flags = [[f for f in (row or []) if f["filter"] not in names] for row in old]
    for op, s in zip(ops, stats, strict=True):
        d = op.decide(s)
        for i, (score, flagged, reason) in enumerate(zip(s["score"], d["flagged"], d["reason"], strict=True)):
            flags[i].append({"filter": op.name, "score": score, "flagged": bool(flagged), "reason": reason})
    codes = [[_code(f["reason"]) for f in row if f["flagged"]] for row in flags]
    return rows.with_columns(
        pl.Series("flags", flags, dtype=pl.List(FLAG_DTYPE)),
        pl.Series("ambiguous", [any(c in AMBIGUOUS_CODES for c in cs) for cs in codes], dtype=pl.Boolean),
        pl.Series("drop_reason", [cs[0] if cs else None for cs in codes], dtype=pl.String),
    )


def apply_recipe(rows: pl.DataFrame, recipe: Recipe, ctx: FilterContext | None = None) -> pl.DataFrame:
    ctx = ctx or FilterContext()
    ops = build(recipe, ctx)
    return decide(rows, ops, measure(rows, ops, ctx))


def _code(reason: str | None) -> str:
    return (reason or "flagged").split(":", 1)[0].strip()
