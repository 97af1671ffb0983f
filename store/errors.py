"""Errors of the lake. Every error a user can act on mixes in `UserFacingError`.

The CLI prints a `UserFacingError` as one line and exits 2; anything else is a bug
and keeps its traceback. Lower packages define their own errors on top of this mixin
(curation.errors, training.errors), always also subclassing a built-in.
"""


class UserFacingError(Exception):
    """An expected error whose message tells the user what to fix."""


class SchemaError(UserFacingError, ValueError):
    """Data does not fit a table's schema; the message names table and column."""

    def __init__(self, table: str, column: str, expected: str, got: str):
        self.table, self.column, self.expected, self.got = table, column, expected, got
        super().__init__(f"table {table!r}, column {column!r}: expected {expected}, got {got}")


class TableNotFoundError(UserFacingError, KeyError):
    """A table (or a version of it) that the lake does not hold."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class VectorError(UserFacingError, ValueError):
    """Vectors or a query that do not fit an embeddings partition (dim, NaN, zero length)."""
class LakeAccessError(UserFacingError, ConnectionError):
    """The lake cannot be opened: a bad URI, missing or refused credentials, an unreachable
    endpoint, a missing bucket. The message names the lake and the cause, in one line."""

    def __init__(self, lake: str, cause: str):
        self.lake, self.cause = lake, cause
        super().__init__(f"lake {lake}: {cause}")

    def __str__(self) -> str:
        return str(self.args[0])


class VersionInUseError(UserFacingError, RuntimeError):
    """Maintenance would remove, or did not keep, a version that a tag or a manifest names."""
