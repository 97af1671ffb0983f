"""The lake: pyarrow schemas, LanceDB tables, polars views and row-level diffs."""

from store.diff import Diff, diff
from store.errors import SchemaError, TableNotFoundError, UserFacingError
from store.lake import Lake

__all__ = ["Diff", "Lake", "SchemaError", "TableNotFoundError", "UserFacingError", "diff"]
