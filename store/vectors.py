"""Vector search over the `embeddings` table: one partition per (kind, encoder).

A partition is one vector space: every row has the same encoder and dimension, so an
index over it compares like with like. Search is exact (a flat scan) until a partition
has INDEX_MIN_ROWS vectors; `build_index` then adds LanceDB's IVF index (INDEX: its codes)
and queries probe INDEX.nprobes of its cells and re-rank INDEX.refine_factor x k candidates
by exact distance (bench/vectors_bench.py measures recall and speed against the flat scan).
Distances are cosine distances, 1 - cos(a, b), in [0, 2].
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pyarrow as pa
from lancedb.index import IvfPq, IvfSq

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
KMEANS_ITERATIONS = 25  # half Lance's default of 50, for build time; recall is what bench measures


@dataclass(frozen=True)
class IndexSetting:
    """How a partition is indexed and searched (bench/vectors_bench.py measures each against a flat scan).
    The field defaults are the old IVF-PQ setting; INDEX below is the one in use.

    kind: "ivf_pq" (product-quantised codes, one byte per `sub_vector_dims` dimensions) or
    "ivf_sq" (8-bit scalar codes, one byte per dimension); nprobes: IVF cells searched per
    query; refine_factor: refine_factor x k candidates re-ranked by exact distance."""

    kind: str = "ivf_pq"
    nprobes: int = 20
    refine_factor: int = 50
    sub_vector_dims: int = 8  # ivf_pq only: dim 128 -> 16 bytes per vector

    def __post_init__(self):
        if self.kind not in INDEX_KINDS:
            raise VectorError(f"index kind must be one of {INDEX_KINDS}, got {self.kind!r}")
        if min(self.nprobes, self.refine_factor, self.sub_vector_dims) < 1:
            raise VectorError(f"nprobes, refine_factor and sub_vector_dims must be >= 1, got {self}")

    def label(self) -> str:
        codes = f"PQ /{self.sub_vector_dims}" if self.kind == "ivf_pq" else "SQ8"
        return f"IVF-{codes}, nprobes {self.nprobes}, refine x{self.refine_factor}"


INDEX_KINDS = ("ivf_pq", "ivf_sq")
# The default, measured at 1M x 128 vectors (bench/vectors_bench.py, docs/benchmarks.md): 8-bit
# scalar codes rank well enough that re-ranking 10 x k candidates gives recall 1.000 at ~100x the
# flat scan; 16-byte PQ codes stayed under 0.95 up to refine x30, and x50 cost the speed.
INDEX = IndexSetting(kind="ivf_sq", nprobes=20, refine_factor=10)

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


def build_index(lake: "Lake", kind: str, encoder: str, *, min_rows: int = INDEX_MIN_ROWS,
                setting: IndexSetting = INDEX) -> bool:
    """Add an IVF index (`setting.kind`) to a partition of at least `min_rows` vectors; False when it stays flat."""
    physical = _require(lake, kind, encoder)
    rows = lake.count(physical)
    if rows < max(min_rows, 256):  # k-means and PQ train on at least 256 samples
        return False
    width = dim(lake, kind, encoder)
    cells = max(1, int(np.sqrt(rows)) // ROWS_PER_CELL_SQRT)
    if setting.kind == "ivf_sq":
        config = IvfSq(distance_type=METRIC, num_partitions=cells, max_iterations=KMEANS_ITERATIONS)
    else:
        sub_vectors = width // setting.sub_vector_dims if width % setting.sub_vector_dims == 0 else 1
        config = IvfPq(distance_type=METRIC, num_partitions=cells, num_sub_vectors=max(1, sub_vectors),
                       max_iterations=KMEANS_ITERATIONS)
    lake.handle(physical).create_index("vector", config=config, replace=True)  # with a config: column first
    return True

def indexed(lake: "Lake", kind: str, encoder: str) -> bool:
    """True when the partition has a vector index (else searches scan it flat)."""
    return any("vector" in ix.columns for ix in lake.handle(_require(lake, kind, encoder)).list_indices())


def search(
    lake: "Lake", query: np.ndarray | Sequence[float], *, kind: str, encoder: str, k: int = 10, exact: bool = False,
    setting: IndexSetting = INDEX,
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
    q = q.bypass_vector_index() if exact else q.nprobes(setting.nprobes).refine_factor(setting.refine_factor)
    found = pl.from_arrow(q.to_arrow())
    return found.select(pl.col("item_id"), pl.col("_distance").cast(pl.Float64).alias("distance")).sort(
        "distance", "item_id", maintain_order=True
    )
