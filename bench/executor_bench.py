"""Executor throughput: sandboxed (2 warm workers) vs plain in-process `exec`, and the sampled distance's speed.

Run: `PYTHONPATH=. python bench/executor_bench.py [--scenes-per-program K]`. Reads the 1,606
VQAGen reference programs and the 88 ScanNet validation scenes from ../shared/data.

1. Throughput: every program on K validation scenes (program i on scenes (i + 29 k) mod 88),
   run (a) in-process: compile once, exec in a namespace with the same helpers, no copy, no
   checks, no limits (the unsafe baseline) and (b) through `Executor(workers=2)` with warm
   workers. Prints programs/s for both and the ratio sandboxed / baseline (target >= 1/3).
   Both start with an empty point-sample cache.
2. Sampled distance: VSI-Bench's point-sampled box distance on real box pairs, pruned and
   vectorised (`sampled_box_distance`) vs brute force over all point pairs, same samples;
   asserts both give identical values.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from curation.executor import Executor, geometry
from curation.executor.api import build_namespace

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
PAIRS_FOR_DISTANCE = 300


def load() -> tuple[list[dict], dict]:
    programs = json.loads((DATA / "vqagen" / "qa_code_generated_scannet.json").read_text())
    meta = json.loads((DATA / "vsibench_meta" / "scannet_meta_info_val.json").read_text())
    return programs, meta


def corpus_jobs(programs: list[dict], meta: dict, per_program: int) -> list[tuple[str, dict]]:
    names = sorted(meta)
    return [
        (p["code"], meta[names[(i + 29 * k) % len(names)]]) for k in range(per_program) for i, p in enumerate(programs)
    ]


def run_in_process(jobs: list[tuple[str, dict]]) -> tuple[float, int]:
    geometry._sample_cached.cache_clear()
    compiled: dict[str, object] = {}
    ok = 0
    start = time.perf_counter()
    for code, scene in jobs:
        program = compiled.get(code)
        if program is None:
            program = compiled[code] = compile(code, "<program>", "exec")
        namespace = build_namespace(dict(scene), {})
        try:
            exec(program, namespace)  # the unsafe baseline, on trusted reference programs
            namespace["compute_answer"]()
            ok += 1
        except Exception:  # noqa: BLE001
            pass
    return time.perf_counter() - start, ok


def run_sandboxed(jobs: list[tuple[str, dict]], workers: int) -> tuple[float, int]:
    with Executor(workers=workers) as ex:
        ex.map([("def compute_answer():\n    return 1", {"room_size": 1.0})] * (2 * workers))  # warm, empty caches
        start = time.perf_counter()
        results = ex.map(jobs)
        elapsed = time.perf_counter() - start
    return elapsed, sum(r.status == "ok" for r in results)


def distance_pairs(meta: dict) -> list[tuple[dict, dict]]:
    pairs = []
    for name in sorted(meta):
        boxes = [b for category in sorted(meta[name]["object_bbox"]) for b in meta[name]["object_bbox"][category]]
        pairs += [(boxes[i], boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes), 3)]
    step = max(1, len(pairs) // PAIRS_FOR_DISTANCE)
    return pairs[::step][:PAIRS_FOR_DISTANCE]


def bench_distance(meta: dict) -> None:
    pairs = distance_pairs(meta)
    geometry._sample_cached.cache_clear()
    start = time.perf_counter()
    for a, b in pairs:
        geometry.sample_box_points(a), geometry.sample_box_points(b)
    sampling = time.perf_counter() - start
    start = time.perf_counter()
    fast = [geometry.sampled_box_distance(a, b) for a, b in pairs]
    pruned = time.perf_counter() - start
    start = time.perf_counter()
    slow = [geometry.naive_sampled_box_distance(a, b) for a, b in pairs]
    naive = time.perf_counter() - start
    assert fast == slow, "pruned and brute-force sampled distances differ"
    points = sum(len(geometry.sample_box_points(a)) * len(geometry.sample_box_points(b)) for a, b in pairs)
    print(f"sampled distance on {len(pairs)} real box pairs ({points / len(pairs):,.0f} point pairs on average):")
    print(f"  sampling (cached afterwards): {sampling * 1000 / len(pairs):8.2f} ms/pair")
    print(f"  brute force over all pairs:   {naive * 1000 / len(pairs):8.2f} ms/pair")
    print(f"  pruned + vectorised:          {pruned * 1000 / len(pairs):8.2f} ms/pair")
    print(f"  speed-up {naive / pruned:.1f}x, identical values on every pair")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes-per-program", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"reference data not found at {DATA}", file=sys.stderr)
        return 1
    programs, meta = load()
    jobs = corpus_jobs(programs, meta, args.scenes_per_program)
    base_s, base_ok = run_in_process(jobs)
    box_s, box_ok = run_sandboxed(jobs, args.workers)
    assert base_ok == box_ok, f"in-process ok={base_ok} but sandboxed ok={box_ok}"
    print(
        f"{len(jobs)} program runs ({len(programs)} programs x {args.scenes_per_program} ScanNet scenes), {box_ok} ok"
    )
    print(f"  in-process exec (unsafe baseline): {base_s:6.2f} s  {len(jobs) / base_s:8.0f} programs/s")
    print(f"  sandboxed, {args.workers} warm workers:       {box_s:6.2f} s  {len(jobs) / box_s:8.0f} programs/s")
    print(f"  ratio sandboxed / baseline: {base_s / box_s:.2f} (target >= 0.33)")
    bench_distance(meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
