"""`Lake`: one LanceDB database directory holding the tables of store.schema.

Only this module talks to LanceDB. Readers get polars LazyFrames; writers hand over a
pyarrow Table, polars DataFrame or list of dicts, which is checked against the schema
before anything touches disk. Every write is a single LanceDB commit (one new table
version), so a crash leaves the previous version readable.

Per-round rows go to physical tables `<table>__<partition>` (e.g. `qa__r3`), each its
own directory that one DVC stage owns; `scan("qa")` returns the union of `qa` and
every `qa__*` partition.
"""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

# Lance logs a WARN line for every table it creates; keep users' terminals quiet.
os.environ.setdefault("LANCE_LOG", "error")

import lancedb  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402

from store.conform import TableLike, conform  # noqa: E402
from store.errors import TableNotFoundError  # noqa: E402
from store.schema import KEYS, LOGICAL_TABLES  # noqa: E402
from store.vectors import search as vector_search  # noqa: E402

PARTITION_SEP = "__"
WriteMode = Literal["append", "overwrite", "upsert", "insert_new"]


@dataclass(frozen=True)
class TableVersion:
    table: str  # physical table name
    version: int
    timestamp: datetime


def logical_name(physical: str) -> str:
    return physical.split(PARTITION_SEP, 1)[0]


def physical_name(table: str, partition: str | None) -> str:
    if table not in LOGICAL_TABLES:
        raise TableNotFoundError(f"unknown table {table!r}; the lake has {sorted(LOGICAL_TABLES)}")
    return table if partition is None else f"{table}{PARTITION_SEP}{partition}"


class Lake:
    """A LanceDB directory (or `memory://`) seen as typed, versioned tables."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if "://" not in self.path:
            Path(self.path).mkdir(parents=True, exist_ok=True)
        self._db = lancedb.connect(self.path)

    def __repr__(self) -> str:
        return f"Lake({self.path!r})"

    # ---- reading -------------------------------------------------------------------

    def tables(self) -> list[str]:
        """Physical table names, sorted."""
        return sorted(self._db.list_tables().tables)

    def partitions(self, table: str) -> list[str]:
        """Physical tables that make up logical `table` (itself and its partitions)."""
        physical_name(table, None)  # validates the name
        return [t for t in self.tables() if logical_name(t) == table]

    def has(self, table: str) -> bool:
        return table in self.tables()

    def scan(self, table: str, version: int | None = None) -> pl.LazyFrame:
        """Lazy polars view of a logical table (union of partitions) or one physical table.

        `version` pins a physical table to an older version. Filters and projections
        written on the LazyFrame are pushed down into the Lance scan.
        """
        if logical_name(table) not in LOGICAL_TABLES:
            raise TableNotFoundError(f"unknown table {table!r}; the lake has {sorted(LOGICAL_TABLES)}")
        if PARTITION_SEP in table or version is not None:
            return self._scan_physical(table, version)
        parts = self.partitions(table)
        if not parts:
            return pl.from_arrow(LOGICAL_TABLES[table].empty_table()).lazy()
        return pl.concat([self._scan_physical(p, None) for p in parts], how="vertical")

    def _open(self, table: str):
        if table not in self.tables():
            raise TableNotFoundError(f"table {table!r} does not exist in lake {self.path}")
        return self._db.open_table(table)

    def _scan_physical(self, table: str, version: int | None) -> pl.LazyFrame:
        handle = self._open(table)
        if version is not None:
            known = [v.version for v in self.versions(table)]
            if version not in known:
                raise TableNotFoundError(f"table {table!r} has no version {version}; it has {known}")
            handle.checkout(version)
        return pl.scan_pyarrow_dataset(handle.to_lance())

    def read(self, table: str, version: int | None = None) -> pl.DataFrame:
        return self.scan(table, version).collect()

    def count(self, table: str) -> int:
        """Rows in a logical table (all partitions) or in one physical table."""
        names = [table] if PARTITION_SEP in table else self.partitions(table)
        return sum(self._open(name).count_rows() for name in names)

    def versions(self, table: str) -> list[TableVersion]:
        """Every version of a physical table, oldest first."""
        return [
            TableVersion(table, v["version"], v["timestamp"])
            for v in sorted(self._open(table).list_versions(), key=lambda v: v["version"])
        ]

    def version(self, table: str) -> int:
        return self._open(table).version

    # ---- writing -------------------------------------------------------------------

    def write(
        self,
        table: str,
        data: TableLike,
        mode: WriteMode = "append",
        partition: str | None = None,
        schema: pa.Schema | None = None,
    ) -> int:
        """Validate `data` against the table's schema, then write it in one commit.

        mode: "append" adds rows; "overwrite" replaces the table's rows (older versions
        stay readable); "upsert" merges on the table's key (store.schema.KEYS);
        "insert_new" appends only rows whose key is not stored yet, and makes no new
        version when there are none (idempotent imports). Returns the table's version.
        `schema` narrows a parametric logical schema (embeddings: one encoder's dim).
        """
        name = physical_name(table, partition)
        schema = schema or LOGICAL_TABLES[table]
        rows = conform(name, data, schema)
        if name not in self.tables():
            # Created empty with its schema first: Lance refuses to create a table from rows
            # holding null fixed-size lists (video frames have no pose), but appends them.
            # Version 1 is therefore always the empty table.
            handle = self._db.create_table(name, schema=schema)
        else:
            handle = self._db.open_table(name)
        if mode == "insert_new":
            rows, mode = self._new_rows(table, name, rows, schema), "append"
        if mode == "upsert":
            if rows.num_rows:
                (
                    handle.merge_insert(list(KEYS[table]))
                    .when_matched_update_all()
                    .when_not_matched_insert_all()
                    .execute(rows)
                )
        elif mode in ("append", "overwrite"):
            if rows.num_rows or mode == "overwrite":
                # conform() already proved every fixed-size list has its size; LanceDB's own
                # check mistakes a null one (an overview frame has no pose) for a short one
                handle.add(rows, mode=mode, on_bad_vectors="null")
        else:
            raise ValueError(f"mode must be append, overwrite or upsert, got {mode!r}")
        return handle.version

    def insert_new(self, table: str, data: TableLike, partition: str | None = None) -> int:
        """`write(mode="insert_new")`, returning how many rows were new (0 on a re-import)."""
        name = physical_name(table, partition)
        before = self.count(name) if self.has(name) else 0
        self.write(table, data, mode="insert_new", partition=partition)
        return self.count(name) - before

    def _new_rows(self, table: str, name: str, rows: pa.Table, schema: pa.Schema) -> pa.Table:
        keys = list(KEYS[table])
        stored = self._scan_physical(name, None).select(keys).collect()
        fresh = pl.from_arrow(rows).join(stored, on=keys, how="anti")
        return conform(name, fresh, schema)

    def similar(self, query, *, kind: str, encoder: str, k: int = 10, exact: bool = False) -> pl.DataFrame:
        """The k items of `kind` nearest to vector `query` under `encoder`: item_id, cosine distance."""
        return vector_search(self, query, kind=kind, encoder=encoder, k=k, exact=exact)

    def drop(self, table: str, partition: str | None = None) -> None:
        """Remove a physical table (used when a stage rewrites its own partition)."""
        name = physical_name(table, partition)
        if name in self.tables():
            self._db.drop_table(name)


def empty(table: str) -> pa.Table:
    """An empty pyarrow table with the schema of logical `table`."""
    return LOGICAL_TABLES[table].empty_table()
