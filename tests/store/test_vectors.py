"""store.vectors: embeddings partitions, exact and indexed search, and the errors users see."""

import numpy as np
import polars as pl
import pytest

from store import Lake, TableNotFoundError
from store.errors import VectorError
from store.vectors import build_index, encoders, indexed, search, vector_of, write_vectors


@pytest.fixture
def lake(tmp_path):
    return Lake(tmp_path / "lake")


def cosine_ranks(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The oracle: brute-force cosine distances in float64, nearest first."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    distance = 1.0 - unit @ (query / np.linalg.norm(query))
    return np.argsort(distance, kind="stable"), np.sort(distance)


def clustered(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(32, dim))
    return (centres[rng.integers(32, size=n)] + 0.2 * rng.normal(size=(n, dim))).astype(np.float32)


def test_flat_search_returns_the_cosine_nearest_items_with_their_distances(lake):
    vectors = clustered(300, 8, seed=0)
    ids = [f"f{i:03d}" for i in range(300)]
    write_vectors(lake, "frame", "enc@1", ids, vectors)
    query = vectors[17] + 0.05
    found = search(lake, query, kind="frame", encoder="enc@1", k=5)
    order, distance = cosine_ranks(vectors.astype(np.float64), query.astype(np.float64))
    assert found["item_id"].to_list() == [ids[i] for i in order[:5]]
    assert np.allclose(found["distance"].to_numpy(), distance[:5], atol=1e-5)


def test_index_is_built_only_from_min_rows_and_agrees_with_the_flat_scan(lake):
    vectors = clustered(4096, 16, seed=1)
    ids = [f"f{i:04d}" for i in range(4096)]
    write_vectors(lake, "frame", "enc@1", ids, vectors)
    assert build_index(lake, "frame", "enc@1", min_rows=10_000) is False and not indexed(lake, "frame", "enc@1")
    assert build_index(lake, "frame", "enc@1", min_rows=1_000) is True and indexed(lake, "frame", "enc@1")
    rng = np.random.default_rng(2)
    hits = 0
    for q in vectors[rng.integers(4096, size=20)] + 0.05:
        exact = set(search(lake, q, kind="frame", encoder="enc@1", k=10, exact=True)["item_id"])
        approx = set(search(lake, q, kind="frame", encoder="enc@1", k=10)["item_id"])
        hits += len(exact & approx)
    assert hits / 200 >= 0.9


def test_a_new_encoder_adds_a_partition_and_rewriting_one_upserts(lake):
    write_vectors(lake, "frame", "tiny-vision@aaa", ["a", "b"], np.eye(2, 4))
    write_vectors(lake, "frame", "tiny-vision@bbb", ["a"], np.ones((1, 6)))
    write_vectors(lake, "frame", "tiny-vision@aaa", ["b"], [[0.0, 0.0, 1.0, 0.0]])
    assert encoders(lake, "frame") == ["tiny-vision@aaa", "tiny-vision@bbb"]
    assert encoders(lake, "question") == []
    assert lake.count("embeddings") == 3
    assert vector_of(lake, "frame", "tiny-vision@aaa", "b").tolist() == [0.0, 0.0, 1.0, 0.0]
    stored = lake.scan("embeddings__frame-tiny-vision-aaa").collect()
    assert stored.schema["vector"] == pl.Array(pl.Float32, 4)  # fixed-size: what a vector index needs


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda lk: write_vectors(lk, "frame", "enc@1", ["x"], np.ones((1, 5))), VectorError, "5 dims.*holds 4"),
        (lambda lk: write_vectors(lk, "frame", "enc@1", ["x"], np.zeros((1, 4))), VectorError, "vector of x is zero"),
        (lambda lk: write_vectors(lk, "frame", "enc@1", ["x", "y"], np.ones((1, 4))), VectorError, "2 item ids"),
        (lambda lk: write_vectors(lk, "scene", "enc@1", ["x"], np.ones((1, 4))), VectorError, "kind must be"),
        (lambda lk: vector_of(lk, "frame", "enc@1", "nope"), TableNotFoundError, "no frame 'nope' in embeddings__"),
        (lambda lk: search(lk, np.ones(3), kind="frame", encoder="enc@1"), VectorError, "3 dims.*4-dim"),
        (lambda lk: search(lk, [np.nan] * 4, kind="frame", encoder="enc@1"), VectorError, "not finite"),
        (lambda lk: search(lk, np.ones(4), kind="frame", encoder="enc@2"), TableNotFoundError, r"it has \['enc@1'\]"),
        (lambda lk: search(lk, np.ones(4), kind="question", encoder="m"), TableNotFoundError, "it has none"),
        (lambda lk: search(lk, np.ones(4), kind="frame", encoder="enc@1", k=0), VectorError, "k must be"),
    ],
)
def test_bad_input_names_what_and_where(lake, call, error, message):
    write_vectors(lake, "frame", "enc@1", ["a", "b"], np.eye(2, 4))
    with pytest.raises(error, match=message):
        call(lake)
