"""Vector search over the `embeddings` table: one partition per (kind, encoder).

A partition is one vector space: every row has the same encoder and dimension, so an
index over it compares like with like. Search is exact (a flat scan) until a partition
has INDEX_MIN_ROWS vectors; `build_index` then adds LanceDB's IVF-PQ index and queries
probe NPROBES of its cells and re-rank REFINE_FACTOR x k candidates by exact distance
(bench/vectors_bench.py measures recall and speed against the flat scan). Distances
are cosine distances, 1 - cos(a, b), in [0, 2].
"""

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pyarrow as pa
from lancedb.index import IvfPq

from store.errors import TableNotFoundError, VectorError
from store.schema import EMBEDDING_KINDS, embeddings_schema

if TYPE_CHECKING:
    from store.lake import Lake

TABLE = "embeddings"
METRIC = "cosine"  # frame features are not unit length; cosine ignores their scale
INDEX_MIN_ROWS = 50_000  # below this a flat scan is fast enough (~ms) and exact
# IVF cells: k-means training grows with cells^2 (256 samples per cell), so a quarter of
# the usual sqrt(rows) cells: 250 at 1M rows. (At 100k rows on this 2-core box, 316 cells
# took 137 s to build, 79 cells 54 s, at the same recall.)
ROWS_PER_CELL_SQRT = 4
NPROBES = 20  # cells searched per query; more = better recall, slower
KMEANS_ITERATIONS = 25  # half Lance's default of 50, for build time; recall is what bench measures
REFINE_FACTOR = 50  # PQ distances are coarse within a cluster: re-rank 50 x k candidates exactly
SUB_VECTOR_DIMS = 8  # PQ code per 8 dimensions: dim 128 -> 16 bytes per vector


def partition_name(kind: str, encoder: str) -> str:
    """The physical partition of one encoder's vectors of `kind` ("frame-tiny-vision-1f2e...")."""
    if kind not in EMBEDDING_KINDS:
        raise VectorError(f"embeddings kind must be one of {EMBEDDING_KINDS}, got {kind!r}")
    slug = re.sub(r"[^a-z0-9]+", "-", encoder.lower()).strip("-")
    if not slug:
        raise VectorError(f"encoder name {encoder!r} has no letters or digits")
    return f"{kind}-{slug}"


def _physical(kind: str, encoder: str) -> str:
    return f"{TABLE}__{partition_name(kind, encoder)}"


def as_matrix(vectors: np.ndarray | Sequence[Sequence[float]], where: str, ids: Sequence[str] | None = None
              ) -> np.ndarray:
    """`vectors` as a 2-D float32 array with finite, non-zero rows, or a VectorError naming the row."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise VectorError(f"{where}: expected a 2-D array of vectors, got shape {matrix.shape}")
    bad = ~np.isfinite(matrix).all(axis=1) | ~matrix.any(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        name = ids[i] if ids is not None else f"row {i}"
        raise VectorError(f"{where}: vector of {name} is zero or not finite (cosine distance needs a direction)")
    return matrix


def dim(lake: "Lake", kind: str, encoder: str) -> int:
    """The vector length of a stored partition."""
    handle = lake.handle(_physical(kind, encoder))
    return handle.schema.field("vector").type.list_size


def encoders(lake: "Lake", kind: str) -> list[str]:
    """Encoder names that have vectors of `kind` in the lake, sorted."""
    partition_name(kind, "any")  # validates kind
    prefix = f"{TABLE}__{kind}-"
    names = []
    for physical in lake.tables():
        if physical.startswith(prefix) and lake.count(physical):
            names.append(lake.scan(physical).select("encoder").head(1).collect().item())
    return sorted(names)


def _require(lake: "Lake", kind: str, encoder: str) -> str:
    physical = _physical(kind, encoder)
    if not lake.has(physical) or not lake.count(physical):
        known = encoders(lake, kind)
        raise TableNotFoundError(f"lake {lake.path} has no {kind} vectors from encoder {encoder!r}; "
                                 f"it has {known or 'none'} (run `ouro embed`)")
    return physical


def write_vectors(
    lake: "Lake", kind: str, encoder: str, item_ids: Sequence[str], vectors: np.ndarray, *, mode: str = "upsert"
) -> int:
    """Store one vector per item under `encoder` (upsert on item_id by default); returns the version.

    vectors: [len(item_ids), dim]; dim must match what the partition already holds.
    """
    physical = _physical(kind, encoder)
    matrix = as_matrix(vectors, physical, item_ids)
    if len(item_ids) != matrix.shape[0]:
        raise VectorError(f"{physical}: {len(item_ids)} item ids for {matrix.shape[0]} vectors")
    if lake.has(physical) and (stored := dim(lake, kind, encoder)) != matrix.shape[1]:
        raise VectorError(f"{physical}: vectors have {matrix.shape[1]} dims, the partition holds {stored}")
    schema = embeddings_schema(matrix.shape[1])
    n = matrix.shape[0]
    rows = pa.table(
        {
            "item_id": pa.array(list(item_ids), pa.string()),
            "kind": pa.array([kind] * n, pa.string()),
            "encoder": pa.array([encoder] * n, pa.string()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1)), matrix.shape[1]),
        },
        schema=schema,
    )
    return lake.write(TABLE, rows, mode=mode, partition=partition_name(kind, encoder), schema=schema)


def vector_of(lake: "Lake", kind: str, encoder: str, item_id: str) -> np.ndarray:
    """The stored vector of one item, or a TableNotFoundError naming the item and partition."""
    physical = _require(lake, kind, encoder)
    found = lake.scan(physical).filter(pl.col("item_id") == item_id).select("vector").collect()
    if found.height == 0:
        raise TableNotFoundError(f"no {kind} {item_id!r} in {physical} of lake {lake.path}")
    return np.asarray(found["vector"][0], dtype=np.float32)


def build_index(lake: "Lake", kind: str, encoder: str, *, min_rows: int = INDEX_MIN_ROWS) -> bool:
    """Add an IVF-PQ index to a partition of at least `min_rows` vectors; False when it stays flat."""
    physical = _require(lake, kind, encoder)
    rows = lake.count(physical)
    if rows < max(min_rows, 256):  # PQ trains 256 centroids per sub-vector
        return False
    width = dim(lake, kind, encoder)
    config = IvfPq(
        distance_type=METRIC,
        num_partitions=max(1, int(np.sqrt(rows)) // ROWS_PER_CELL_SQRT),
        num_sub_vectors=max(1, width // SUB_VECTOR_DIMS) if width % SUB_VECTOR_DIMS == 0 else 1,
        max_iterations=KMEANS_ITERATIONS,
    )
    lake.handle(physical).create_index("vector", config=config, replace=True)  # with a config: column first
    return True


def indexed(lake: "Lake", kind: str, encoder: str) -> bool:
    """True when the partition has a vector index (else searches scan it flat)."""
    return any("vector" in ix.columns for ix in lake.handle(_require(lake, kind, encoder)).list_indices())


def search(
    lake: "Lake", query: np.ndarray | Sequence[float], *, kind: str, encoder: str, k: int = 10, exact: bool = False
) -> pl.DataFrame:
    """The k nearest items to `query`: columns item_id, distance (cosine), nearest first.

    Uses the partition's index when it has one (unless `exact`), else a flat scan.
    """
    if k < 1:
        raise VectorError(f"k must be at least 1, got {k}")
    physical = _require(lake, kind, encoder)
    vector = as_matrix(np.asarray(query, dtype=np.float32).reshape(1, -1), f"query for {physical}")[0]
    if (stored := dim(lake, kind, encoder)) != vector.shape[0]:
        raise VectorError(f"query has {vector.shape[0]} dims, {physical} holds {stored}-dim vectors")
    q = (
        lake.handle(physical).search(vector, vector_column_name="vector")
        .distance_type(METRIC).select(["item_id", "_distance"]).limit(k)
    )
    q = q.bypass_vector_index() if exact else q.nprobes(NPROBES).refine_factor(REFINE_FACTOR)
    found = pl.from_arrow(q.to_arrow())
    return found.select(pl.col("item_id"), pl.col("_distance").cast(pl.Float64).alias("distance")).sort(
        "distance", "item_id", maintain_order=True
    )
