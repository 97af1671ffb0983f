"""Check data against a table schema before anything is written.

Representation differences are accepted when the cast is lossless in kind (polars
hands over large_string / string_view / large_list / int64 where the schema says
string / list / int32): the column is cast with overflow checks. Anything else — a
missing or unknown column, a string where a number belongs, nulls in a required
column, a list of the wrong fixed length — is a `SchemaError` naming the column.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.types as pat

from store.errors import SchemaError

TableLike = pa.Table | pl.DataFrame | Sequence[Mapping[str, Any]]


def _kind(t: pa.DataType) -> str:
    if pat.is_null(t):
        return "null"
    if pat.is_boolean(t):
        return "bool"
    if pat.is_integer(t) or pat.is_floating(t):
        return "number"
    if pat.is_string(t) or pat.is_large_string(t) or pat.is_string_view(t):
        return "string"
    if pat.is_binary(t) or pat.is_large_binary(t) or pat.is_binary_view(t):
        return "binary"
    if pat.is_list(t) or pat.is_large_list(t) or pat.is_fixed_size_list(t) or pat.is_list_view(t):
        return "list"
    if pat.is_struct(t):
        return "struct"
    if pat.is_timestamp(t):
        return "timestamp"
    return str(t)


def _kinds_match(got: pa.DataType, expected: pa.DataType) -> bool:
    if pat.is_null(got):
        return True
    if _kind(got) != _kind(expected):
        return False
    # A float column never silently becomes an integer column.
    if pat.is_floating(got) and pat.is_integer(expected):
        return False
    if _kind(got) == "list":
        return _kinds_match(got.value_type, expected.value_type)
    if _kind(got) == "struct":
        got_fields = {f.name: f.type for f in got}
        return set(got_fields) == {f.name for f in expected} and all(
            _kinds_match(got_fields[f.name], f.type) for f in expected
        )
    return True


def _from_rows(table: str, rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Build each column straight into its schema type, so a bad value names its column."""
    present = set().union(*(r.keys() for r in rows)) if rows else set(schema.names)
    arrays, names = [], []
    for name in [*schema.names, *sorted(present - set(schema.names))]:
        if name not in present:
            continue
        values = [r.get(name) for r in rows]
        target = schema.field(name).type if name in schema.names else None
        if target is not None and _kind(target) == "list":
            # pyarrow would happily split a string into a list of characters
            bad = next((v for v in values if isinstance(v, str | bytes)), None)
            if bad is not None:
                raise SchemaError(table, name, str(target), f"a string ({bad!r:.40})")
        try:
            arrays.append(pa.array(values, type=target))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
            raise SchemaError(table, name, str(target), f"{exc}") from exc
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def to_arrow(table: str, data: TableLike, schema: pa.Schema) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pl.DataFrame):
        return data.to_arrow()
    if isinstance(data, Sequence):
        return _from_rows(table, data, schema)
    raise TypeError(f"expected a pyarrow Table, polars DataFrame or list of dicts, got {type(data).__name__}")


def conform(table: str, data: TableLike, schema: pa.Schema) -> pa.Table:
    """Return `data` as a pyarrow Table of exactly `schema`, or raise SchemaError."""
    arrow = to_arrow(table, data, schema)
    unknown = [c for c in arrow.column_names if c not in schema.names]
    if unknown:
        raise SchemaError(table, unknown[0], "no such column", "a column the schema does not have")
    columns = []
    for field in schema:
        if field.name not in arrow.column_names:
            raise SchemaError(table, field.name, str(field.type), "missing")
        column = arrow.column(field.name)
        if not _kinds_match(column.type, field.type):
            raise SchemaError(table, field.name, str(field.type), str(column.type))
        try:
            column = column.cast(field.type, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise SchemaError(table, field.name, str(field.type), f"{column.type} ({exc})") from exc
        if not field.nullable and column.null_count:
            raise SchemaError(table, field.name, f"{field.type} without nulls", f"{column.null_count} null(s)")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)
