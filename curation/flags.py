"""The polars shape of store.schema.FILTER_FLAG, shared by execution and the filters."""

import polars as pl

FLAG_DTYPE = pl.Struct({"filter": pl.String, "score": pl.Float64, "flagged": pl.Boolean, "reason": pl.String})

# Flag codes (the part of a reason before ":") that mark a row ambiguous.
AMBIGUOUS_CODES = frozenset({"near_tie", "perturbation", "ambiguous"})
