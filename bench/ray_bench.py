"""Curation on Ray against in-process: rows/s of propose -> execute -> score-free filters.

1,000 procedural rooms, QUESTIONS_PER_SCENE template questions each, the filters before
scoring of params.yaml; the same proposals through ouroboros.steps.execute_and_filter with
curation.engine local, then ray (a local Ray instance with this machine's CPUs: on 2 cores
the ratio shows Ray's overhead, not a speed-up). Also the per-task overhead: a pool of
actors that return their shard untouched, over the same shards. Ray's start-up is outside
the timings; each run starts its own actor pool (as a stage does), and that start is inside.

    PYTHONPATH=. python bench/ray_bench.py [--scenes N] [--scenes-per-task S]
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402
import ray  # noqa: E402

from curation.proposer import TemplateProposer  # noqa: E402
from curation.scenes.procedural import generate_scene  # noqa: E402
from ouroboros.on_ray.curate import POSITION, shards  # noqa: E402
from ouroboros.params import Params, build, load_params  # noqa: E402
from ouroboros.steps import execute_and_filter  # noqa: E402

QUESTIONS_PER_SCENE = 2


class Identity:
    """An actor that hands its shard back: what a task costs besides the work."""

    def __call__(self, shard):
        return shard


def engine(engine: str, scenes_per_task: int) -> Params:
    filters = load_params(ROOT / "params.yaml").filters
    return build(Params, {"filters": {"before_scoring": filters.before_scoring, "workers": 1},
                          "curation": {"engine": engine, "scenes_per_task": scenes_per_task}})


def timed(proposals: pl.DataFrame, scenes, params: Params) -> tuple[float, pl.DataFrame]:
    t0 = time.perf_counter()
    rows = execute_and_filter(proposals, scenes, {}, params)
    return time.perf_counter() - t0, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=1000)
    parser.add_argument("--scenes-per-task", type=int, default=32)
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, object_store_memory=512 * 1024**2)
    scenes = [generate_scene(seed) for seed in range(args.scenes)]
    t0 = time.perf_counter()
    proposals = TemplateProposer(seed=0).propose(scenes, QUESTIONS_PER_SCENE * args.scenes)
    propose_s = time.perf_counter() - t0
    local, on_ray = engine("local", args.scenes_per_task), engine("ray", args.scenes_per_task)
    # each engine with one sandbox worker per CPU: local one Executor of `cpus` workers, ray `cpus` actors of one
    local = build(Params, {"filters": {"before_scoring": local.filters.before_scoring, "workers": cpus}})
    warm = proposals.filter(pl.col("scene_id").is_in([s.scene_id for s in scenes[: 2 * cpus]]))
    timed(warm, scenes, on_ray)  # workers import the project once: later pools start from warm caches

    local_s, local_rows = timed(proposals, scenes, local)
    ray_s, ray_rows = timed(proposals, scenes, on_ray)
    same = ray_rows.drop("exec_ms").equals(local_rows.drop("exec_ms"))

    blocks = shards(proposals.with_row_index(POSITION), scenes, args.scenes_per_task)
    t0 = time.perf_counter()
    ray.get(ray.data.from_arrow(blocks).map_batches(
        Identity, batch_size=None, batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=cpus),
        num_cpus=1).to_arrow_refs())
    identity_s = time.perf_counter() - t0
    ray.shutdown()

    n = proposals.height
    print(f"scenes {args.scenes}, rows {n}, {cpus} CPUs, {len(blocks)} tasks of {args.scenes_per_task} scenes, "
          f"recipe {[next(iter(s)) for s in local.filters.before_scoring]}")
    print(f"propose (driver, both engines)   {propose_s:7.1f} s")
    print(f"local  execute+filter            {local_s:7.1f} s  {n / local_s:8.1f} rows/s   (baseline)")
    print(f"ray    execute+filter            {ray_s:7.1f} s  {n / ray_s:8.1f} rows/s")
    print(f"ratio ray / local (rows/s)       {local_s / ray_s:7.3f}")
    print(f"propose+execute+filter, local    {n / (propose_s + local_s):8.1f} rows/s; "
          f"ray {n / (propose_s + ray_s):8.1f} rows/s")
    print(f"per-task overhead (identity actors over the same shards, pool start included) "
          f"{1000 * identity_s / len(blocks):7.1f} ms ({identity_s:.2f} s for {len(blocks)} tasks)")
    print(f"same rows as local: {same}")


if __name__ == "__main__":
    main()
