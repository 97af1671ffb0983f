"""Vector search benchmark: IVF indexes against an exact flat scan, at 1M vectors.

Synthetic vectors shaped like embeddings (a mixture of 2,000 Gaussian clusters in
`--dim` dimensions, so neighbours are meaningful), written to one `embeddings`
partition through store.vectors. For each index kind (and PQ code size) it builds the
index once, then times every (nprobes, refine) setting against the flat scan query by
query, each query's flat scan just before its index searches (so both see the same load on
a shared box), and prints the
mean latencies, their ratio and top-10 recall of the index against the flat scan.
Targets (issue 16): recall >= 0.95 and >= 20x faster than the flat scan. With no
options it measures store.vectors.INDEX, the default.

    python bench/vectors_bench.py [--n 1000000] [--dim 128] [--queries 30]
        [--kinds ivf_pq,ivf_sq] [--sub-vector-dims 8,4] [--nprobes 20,40] [--refine 10,20,30]
"""

import argparse
import itertools
import tempfile
import time

import numpy as np

from store import Lake
from store.vectors import INDEX, IndexSetting, build_index, search, write_vectors

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


def timed(lake: Lake, q: np.ndarray, *, exact: bool, setting: IndexSetting = INDEX) -> tuple[float, set[str]]:
    start = time.perf_counter()
    found = search(lake, q, kind="frame", encoder="bench@0", k=K, exact=exact, setting=setting)
    return time.perf_counter() - start, set(found["item_id"].to_list())


def sweep(lake: Lake, queries: np.ndarray, settings: list[IndexSetting]) -> None:
    """Per setting: mean index latency against the flat scan's over the same queries (each query's
    flat scan timed just before its index searches), and recall."""
    flat, ann, hits = 0.0, dict.fromkeys(settings, 0.0), dict.fromkeys(settings, 0)
    for s in settings:
        timed(lake, queries[0], exact=False, setting=s)  # open the index once before timing
    for q in queries:
        flat_s, truth = timed(lake, q, exact=True)
        flat += flat_s
        for s in settings:
            ann_s, found = timed(lake, q, exact=False, setting=s)
            ann[s] += ann_s
            hits[s] += len(truth & found)
    n = len(queries)
    for s in settings:
        recall = hits[s] / (K * n)
        ok = "MEETS" if recall >= 0.95 and flat / ann[s] >= 20 else "short"
        print(f"  {s.label()}: flat {flat / n * 1e3:.1f} ms, index {ann[s] / n * 1e3:.2f} ms -> "
              f"{flat / ann[s]:.1f}x; top-{K} recall {recall:.3f} [{ok}]", flush=True)

def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--kinds", default=INDEX.kind)
    ap.add_argument("--sub-vector-dims", type=ints, default=[INDEX.sub_vector_dims])
    ap.add_argument("--nprobes", type=ints, default=[INDEX.nprobes])
    ap.add_argument("--refine", type=ints, default=[INDEX.refine_factor])
    args = ap.parse_args()
    vectors = synthetic(args.n, args.dim, seed=0)
    rng = np.random.default_rng(1)
    # queries near stored points but not equal to them: a new frame like old ones
    queries = vectors[rng.integers(args.n, size=args.queries)] + 0.1 * rng.normal(size=(args.queries, args.dim))
    print(f"{args.n:,} vectors x {args.dim} float32, {CLUSTERS} clusters, {args.queries} queries", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(tmp)
        start = time.perf_counter()
        write_vectors(lake, "frame", "bench@0", [f"{i:08d}" for i in range(args.n)], vectors, mode="overwrite")
        print(f"write {time.perf_counter() - start:.1f} s", flush=True)
        del vectors
        for kind in args.kinds.split(","):
            for sub in args.sub_vector_dims if kind == "ivf_pq" else [INDEX.sub_vector_dims]:
                built = IndexSetting(kind=kind, sub_vector_dims=sub)
                start = time.perf_counter()
                build_index(lake, "frame", "bench@0", min_rows=0, setting=built)
                print(f"{built.label().split(',')[0]}: index build {time.perf_counter() - start:.1f} s", flush=True)
                sweep(lake, queries, [IndexSetting(kind=kind, sub_vector_dims=sub, nprobes=p, refine_factor=r)
                                      for p, r in itertools.product(args.nprobes, args.refine)])


if __name__ == "__main__":
    main()
