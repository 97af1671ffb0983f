"""Content fingerprints: what "the same round" means, since Lance bytes never repeat.

A fingerprint is the SHA-256 of a table's rows in canonical form: columns in schema
order, rows sorted by the table's key, serialised through the Arrow IPC stream format
(deterministic for equal content and schema) one fixed-size batch at a time. Two runs
that write the same rows get the same fingerprint, whatever Lance's file ids are.
"""

import hashlib

import polars as pl
import pyarrow as pa

from store.schema import KEYS, LOGICAL_TABLES

BATCH_ROWS = 65_536  # fixed batching, so the byte stream depends on content alone
# Columns that measure the run rather than describe the data (wall-clock times): they
# differ on every rerun, so they are left out of the content.
VOLATILE = {"qa": ("exec_ms",), "rounds": ("created_at",)}


def fingerprint_frame(frame: pl.DataFrame, table: str) -> str:
    """Canonical content hash of rows of logical `table` (any row order, any chunking)."""
    volatile = VOLATILE.get(table, ())
    schema = pa.schema([f for f in LOGICAL_TABLES[table] if f.name not in volatile])
    ordered = frame.select(schema.names).sort(list(KEYS[table]), maintain_order=True)
    arrow = ordered.to_arrow().cast(schema).combine_chunks()
    digest = hashlib.sha256()
    for batch in arrow.to_batches(max_chunksize=BATCH_ROWS):
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, schema) as writer:
            writer.write_batch(batch)
        digest.update(sink.getvalue().to_pybytes())
    digest.update(str(arrow.num_rows).encode())
    return digest.hexdigest()
