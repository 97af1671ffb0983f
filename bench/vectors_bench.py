"""Vector search benchmark: the IVF-PQ index against an exact flat scan, at 1M vectors.

Synthetic vectors shaped like embeddings (a mixture of 2,000 Gaussian clusters in
`--dim` dimensions, so neighbours are meaningful), written to one `embeddings`
partition through store.vectors. Prints the write and index build times, the mean
query latency of the flat scan (the baseline, measured in this run) and of the index,
their ratio, and top-10 recall of the index against the flat scan's answers.
Targets (issue 16): recall >= 0.95 and >= 20x faster than the flat scan.

    python bench/vectors_bench.py [--n 1000000] [--dim 128] [--queries 50]
"""

import argparse
import tempfile
import time

import numpy as np

from store import Lake
from store.vectors import NPROBES, REFINE_FACTOR, build_index, search, write_vectors

CLUSTERS = 2_000
SPREAD = 0.35  # within-cluster noise relative to the unit-variance cluster centres
K = 10


def synthetic(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(CLUSTERS, dim)).astype(np.float32)
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):  # in blocks, to keep the temporaries small
        stop = min(start + 100_000, n)
        out[start:stop] = centres[rng.integers(CLUSTERS, size=stop - start)]
        out[start:stop] += SPREAD * rng.normal(size=(stop - start, dim)).astype(np.float32)
    return out


def mean_latency(lake: Lake, queries: np.ndarray, *, exact: bool) -> tuple[float, list[list[str]]]:
    answers, start = [], time.perf_counter()
    for q in queries:
        answers.append(search(lake, q, kind="frame", encoder="bench@0", k=K, exact=exact)["item_id"].to_list())
    return (time.perf_counter() - start) / len(queries), answers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=50)
    args = ap.parse_args()
    vectors = synthetic(args.n, args.dim, seed=0)
    rng = np.random.default_rng(1)
    # queries near stored points but not equal to them: a new frame like old ones
    queries = vectors[rng.integers(args.n, size=args.queries)] + 0.1 * rng.normal(size=(args.queries, args.dim))
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(tmp)
        start = time.perf_counter()
        write_vectors(lake, "frame", "bench@0", [f"{i:08d}" for i in range(args.n)], vectors, mode="overwrite")
        write_s = time.perf_counter() - start
        del vectors
        start = time.perf_counter()
        build_index(lake, "frame", "bench@0")
        build_s = time.perf_counter() - start
        search(lake, queries[0], kind="frame", encoder="bench@0", k=K)  # open the index once before timing
        flat_s, truth = mean_latency(lake, queries, exact=True)
        ann_s, found = mean_latency(lake, queries, exact=False)
    recall = np.mean([len(set(t) & set(f)) / K for t, f in zip(truth, found, strict=True)])
    print(f"{args.n:,} vectors x {args.dim} float32, {CLUSTERS} clusters; "
          f"IVF-PQ nprobes {NPROBES}, refine x{REFINE_FACTOR}")
    print(f"write {write_s:.1f} s; index build {build_s:.1f} s")
    print(f"query: flat scan {flat_s * 1e3:.1f} ms, index {ann_s * 1e3:.2f} ms -> {flat_s / ann_s:.1f}x faster "
          f"(target >= 20x)")
    print(f"top-{K} recall of the index vs the flat scan: {recall:.3f} over {args.queries} queries (target >= 0.95)")


if __name__ == "__main__":
    main()
