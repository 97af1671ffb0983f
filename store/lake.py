"""`Lake`: one LanceDB database (a directory or an object-store URI) holding the tables of store.schema.

This module and `store.vectors` (search and indices, on top of `Lake.handle`) are the only
ones that talk to LanceDB. Readers get polars LazyFrames; writers hand over a
pyarrow Table, polars DataFrame or list of dicts, which is checked against the schema
before anything touches disk. Every write is a single LanceDB commit (one new table
version), so a crash leaves the previous version readable.

Per-round rows go to physical tables `<table>__<partition>` (e.g. `qa__r3`), each its
own directory that one DVC stage owns; `scan("qa")` returns the union of `qa` and
every `qa__*` partition.

A lake may be *pinned*: {physical table: version} (what the manifests of a DVC revision
name). A pinned lake shows only the pinned tables (and those it writes), each at its
pinned version; writing a table unpins it. Stages tag the versions they write (`tag`),
and `optimize` never removes a tagged version.
"""

import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

# Lance logs a WARN line for every table it creates; keep users' terminals quiet.
os.environ.setdefault("LANCE_LOG", "error")

import lancedb  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402

from store.conform import TableLike, conform  # noqa: E402
from store.errors import LakeAccessError, TableNotFoundError  # noqa: E402
from store.remote import PROBE_OPTIONS, is_remote, why_unreachable  # noqa: E402
from store.schema import KEYS, LOGICAL_TABLES  # noqa: E402

PARTITION_SEP = "__"
WriteMode = Literal["append", "overwrite", "upsert", "insert_new"]


@dataclass(frozen=True)
class TableVersion:
    table: str  # physical table name
    version: int
    timestamp: datetime


@dataclass(frozen=True)
class LanceSource:
    """One physical table at one version, for a reader outside LanceDB that opens Lance
    datasets itself (Ray Data's `read_lance`): what it reads cannot change under it."""

    uri: str  # the table's Lance dataset: a folder, or an object-store URI
    version: int
    storage_options: dict[str, str]


def logical_name(physical: str) -> str:
    return physical.split(PARTITION_SEP, 1)[0]


def physical_name(table: str, partition: str | None) -> str:
    if table not in LOGICAL_TABLES:
        raise TableNotFoundError(f"unknown table {table!r}; the lake has {sorted(LOGICAL_TABLES)}")
    return table if partition is None else f"{table}{PARTITION_SEP}{partition}"


class Lake:
    """A LanceDB directory, `memory://` or object-store URI (`s3://bucket/prefix`) seen as
    typed, versioned tables.

    `storage_options` go to Lance's object store as they are (credentials, endpoint,
    `allow_http`, timeouts); `pins` ({physical table: version}, None = unpinned) is the
    revision reads see.
    A remote lake is probed once here, so a bad URI, refused credentials or an
    unreachable endpoint fail before any work, as a LakeAccessError naming the lake.
    """

    def __init__(self, path: str | Path, *, storage_options: dict[str, str] | None = None,
                 pins: dict[str, int] | None = None):
        self.path = str(path)
        self.storage_options = dict(storage_options or {})
        self.pins = dict(pins or {})
        # The tables a pinned lake shows: its pins, then what it writes (None: every table).
        self._visible = None if pins is None else set(pins)
        if "://" not in self.path:
            Path(self.path).mkdir(parents=True, exist_ok=True)
        try:
            self._db = lancedb.connect(self.path, storage_options=storage_options or None)
            if is_remote(self.path):
                # A listing with few, short retries: an unreachable endpoint fails in seconds,
                # not after the store's minutes of backoff meant for transient errors.
                probe = lancedb.connect(self.path, storage_options={**(storage_options or {}), **PROBE_OPTIONS})
                probe.list_tables()
        except (OSError, ValueError, RuntimeError) as exc:
            raise LakeAccessError(self.path, why_unreachable(exc)) from exc

    def __repr__(self) -> str:
        return f"Lake({self.path!r})"

    # ---- reading -------------------------------------------------------------------

    def tables(self) -> list[str]:
        """Physical table names, sorted (for a pinned lake, only those it pins or wrote)."""
        stored = self._stored_tables()
        return sorted(stored if self._visible is None else stored & self._visible)

    def _stored_tables(self) -> set[str]:
        return set(self._db.list_tables().tables)

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

    def handle(self, table: str) -> "lancedb.table.Table":
        """The LanceDB handle of physical table `table`, for the store modules that use Lance
        features Lake does not wrap (store.vectors: vector search and indices)."""
        if table not in self.tables():
            raise TableNotFoundError(f"table {table!r} does not exist in lake {self.path}")
        return self._db.open_table(table)

    def _scan_physical(self, table: str, version: int | None) -> pl.LazyFrame:
        handle = self.handle(table)
        version = self.pins.get(table) if version is None else version
        if version is not None:
            known = [v.version for v in self.versions(table)]
            if version not in known:
                raise TableNotFoundError(f"table {table!r} has no version {version}; it has {known}")
            handle.checkout(version)
        return pl.scan_pyarrow_dataset(handle.to_lance())

    def read(self, table: str, version: int | None = None) -> pl.DataFrame:
        return self.scan(table, version).collect()

    def count(self, table: str, version: int | None = None) -> int:
        """Rows in a logical table (all partitions) or in one physical table (at `version`)."""
        names = [table] if PARTITION_SEP in table or version is not None else self.partitions(table)
        return sum(self._at(name, version).count_rows() for name in names)

    def _at(self, table: str, version: int | None = None):
        """A table handle at `version`, else its pinned version, else the latest."""
        handle = self.handle(table)
        version = self.pins.get(table) if version is None else version
        if version is not None:
            handle.checkout(version)
        return handle

    def source(self, table: str) -> LanceSource | None:
        """Physical `table` at the version reads see (its pin, or the latest now), as a Lance
        dataset that other processes can open; None for a `memory://` lake, which lives in this
        process only."""
        if self.path.startswith("memory://"):
            return None
        handle = self._at(table)
        return LanceSource(handle.to_lance().uri, handle.version, dict(self.storage_options))

    def versions(self, table: str) -> list[TableVersion]:
        """Every version of a physical table, oldest first."""
        return [
            TableVersion(table, v["version"], v["timestamp"])
            for v in sorted(self.handle(table).list_versions(), key=lambda v: v["version"])
        ]

    def version(self, table: str) -> int:
        """The version reads of `table` see: its pin, or the latest."""
        return self.pins.get(table) or self.handle(table).version

    # ---- tags and maintenance --------------------------------------------------------

    def tag(self, table: str, tag: str, version: int | None = None) -> int:
        """Name `version` (default: the latest) of a physical table `tag`, moving the tag if it
        names another version. Returns the tagged version."""
        handle = self.handle(table)
        version = handle.version if version is None else version
        tags = handle.tags.list()
        if tag not in tags:
            handle.tags.create(tag, version)
        elif tags[tag]["version"] != version:
            handle.tags.update(tag, version)
        return version

    def tags(self, table: str) -> dict[str, int]:
        """{tag: version} of a physical table."""
        return {name: info["version"] for name, info in self.handle(table).tags.list().items()}

    def optimize(self, table: str, keep: Collection[int] = ()) -> list[int]:
        """Compact a physical table's fragments, then delete every old version that is not
        the latest, not tagged and not in `keep`. Returns the versions removed.

        Run it when no other process writes the table: a writer still on a removed version
        would fail (Lance's own warning for a cleanup of everything older than now)."""
        # Through Lance itself: LanceDB's Table.optimize() always also cleans up, with a
        # default age (7 days) that would remove old manifest-named versions too.
        dataset = self.handle(table).to_lance()
        dataset.optimize.compact_files()
        dataset.checkout_version(dataset.latest_version)
        protected = set(keep) | set(self.tags(table).values()) | {dataset.version}
        doomed = [v.version for v in self.versions(table) if v.version not in protected]
        if doomed:
            dataset.cleanup_old_versions(older_than=timedelta(0), versions=doomed, error_if_tagged_old_versions=False)
        return doomed

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
        self.pins.pop(name, None)  # a stage reads back what it wrote, not the revision it started from
        if self._visible is not None:
            self._visible.add(name)
        if name not in self._stored_tables():
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

    def drop(self, table: str, partition: str | None = None) -> None:
        """Remove a physical table (used when a stage rewrites its own partition)."""
        name = physical_name(table, partition)
        if name in self._stored_tables():
            self._db.drop_table(name)


def empty(table: str) -> pa.Table:
    """An empty pyarrow table with the schema of logical `table`."""
    return LOGICAL_TABLES[table].empty_table()
