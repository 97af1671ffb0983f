"""Throughput of the curation half: propose -> execute -> filter, against propose -> execute.

1,000 scenes (the real ScanNet validation scenes cycled under new names, so every copy
is its own scene_id) with QUESTIONS_PER_SCENE template questions each. The filter
recipe is the one params.yaml runs (before and after scoring; perturbation K=4 is 4 extra
sandbox runs per row with a gold answer). Prints rows/s of both pipelines, measured in this run, and their ratio.

    PYTHONPATH=. python bench/curation_bench.py [--scenes N] [--workers W]
"""

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curation.executor import Executor  # noqa: E402
from curation.filters import FilterContext, apply_recipe  # noqa: E402
from curation.gold import execute_proposals  # noqa: E402
from curation.proposer import TemplateProposer  # noqa: E402
from curation.scenes.metadata import load_vsibench_meta  # noqa: E402
from ouroboros.params import load_params  # noqa: E402

META = ROOT.parent / "shared" / "data" / "vsibench_meta" / "scannet_meta_info_val.json"
QUESTIONS_PER_SCENE = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not META.is_file():
        sys.exit(f"reference data absent: {META}")
    real = load_vsibench_meta(META)
    scenes = [dataclasses.replace(real[i % len(real)], name=f"{real[i % len(real)].name}#{i}")
              for i in range(args.scenes)]
    budget = QUESTIONS_PER_SCENE * args.scenes
    filters = load_params(ROOT / "params.yaml").filters
    recipe = [*filters.before_scoring, *filters.after_scoring]
    by_id = {s.scene_id: s for s in scenes}
    with Executor(workers=args.workers) as executor:
        warmup = TemplateProposer(seed=99).propose(scenes[:20], 20)
        execute_proposals(warmup, scenes[:20], executor)  # start the workers

        t0 = time.perf_counter()
        proposals = TemplateProposer(seed=0).propose(scenes, budget)
        t1 = time.perf_counter()
        executed = execute_proposals(proposals, by_id, executor)
        t2 = time.perf_counter()
        ctx = FilterContext(scenes=by_id, executor=executor, seed=0)
        filtered = apply_recipe(executed, recipe, ctx)
        t3 = time.perf_counter()

    n = proposals.height
    base, full = n / (t2 - t0), n / (t3 - t0)
    kept = filtered.filter(filtered["drop_reason"].is_null()).height
    print(f"scenes {args.scenes}, rows {n}, workers {args.workers}, recipe {[next(iter(s)) for s in recipe]}")
    print(f"propose {t1 - t0:6.1f} s   execute {t2 - t1:6.1f} s   filter {t3 - t2:6.1f} s   kept {kept}/{n}")
    print(f"propose+execute          {base:8.1f} rows/s   (baseline)")
    print(f"propose+execute+filter   {full:8.1f} rows/s")
    print(f"ratio full / baseline    {full / base:8.3f}")
    print("drop reasons:", dict(filtered.group_by("drop_reason").len().sort("drop_reason").iter_rows()))


if __name__ == "__main__":
    main()
