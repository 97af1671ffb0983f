"""The polars shape of store.schema.FILTER_FLAG, shared by execution and the filters."""

from store.schema import FILTER_FLAG, polars_dtype

FLAG_DTYPE = polars_dtype(FILTER_FLAG)

# Flag codes (the part of a reason before ":") that mark a row ambiguous.
AMBIGUOUS_CODES = frozenset({"near_tie", "perturbation", "ambiguous"})
