"""LLM proposer throughput: proposals/s and the valid fraction, at concurrency 1 and N.

Against any OpenAI-compatible endpoint (--base-url, --model); by default against the
replay server of the tests (tests/replay_server.py) with --latency seconds per reply,
standing in for generation time. Each run sends --requests proposal requests (API text,
scene description, --frames rendered frames each) on the real ScanNet validation scenes,
executes the replies in the sandbox and counts rows with a gold answer. Prints both runs
and the ratio N / 1, measured in this run.

    PYTHONPATH=. python bench/proposer_bench.py [--requests 48] [--concurrency 8] [--latency 0.25]
    PYTHONPATH=. python bench/proposer_bench.py --base-url http://localhost:8000 --model qwen3-vl-4b
"""

import argparse
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curation.chat import ChatClient  # noqa: E402
from curation.executor import Executor  # noqa: E402
from curation.gold import execute_proposals  # noqa: E402
from curation.proposer import LLMProposer, load_corpus  # noqa: E402
from curation.scenes.frames import render_rows  # noqa: E402
from curation.scenes.metadata import load_vsibench_meta  # noqa: E402
from tests.replay_server import ReplayServer  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
META = DATA / "vsibench_meta" / "scannet_meta_info_val.json"
CORPUS = DATA / "vqagen" / "qa_code_generated_scannet.json"


def run(url: str, model: str, concurrency: int, scenes, images, n: int, executor) -> tuple[float, float, str]:
    """(proposals/s, valid fraction of requests, the client's counts) for one pass of n requests."""
    proposer = LLMProposer(ChatClient(url, model, concurrency=concurrency, retries=1, backoff_s=0.1))
    t0 = time.perf_counter()
    rows = proposer.propose(scenes, n, images=images)
    seconds = time.perf_counter() - t0
    executed = execute_proposals(rows, scenes, executor)
    valid = executed.filter(executed["answer"].is_not_null()).height
    return n / seconds, valid / n, proposer.stats.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="an OpenAI-compatible server (default: the replay server)")
    parser.add_argument("--model", default="replay")
    parser.add_argument("--requests", type=int, default=48)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.25, help="replay server: seconds per reply")
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--scenes", type=int, default=12)
    args = parser.parse_args()
    for path in (META, CORPUS):
        if not path.is_file():
            sys.exit(f"reference data absent: {path}")
    scenes = load_vsibench_meta(META)[: args.scenes]
    images = {s.scene_id: [f["image"] for f in render_rows(s, n_frames=args.frames)] for s in scenes}
    with contextlib.ExitStack() as stack:
        url = args.base_url
        if url is None:
            url = stack.enter_context(ReplayServer(load_corpus(CORPUS), latency_s=args.latency)).url
        executor = stack.enter_context(Executor(workers=2))
        one = run(url, args.model, 1, scenes, images, args.requests, executor)
        many = run(url, args.model, args.concurrency, scenes, images, args.requests, executor)
    where = args.base_url or f"replay server, {args.latency} s per reply"
    print(f"{args.requests} requests, {args.frames} frames of 224 px each, {where}")
    for label, (rate, valid, counts) in ((f"concurrency {1:2d}", one), (f"concurrency {args.concurrency:2d}", many)):
        print(f"{label}   {rate:7.2f} proposals/s   valid {valid:6.1%}   [{counts}]")
    print(f"ratio concurrency {args.concurrency} / 1   {many[0] / one[0]:7.2f}")


if __name__ == "__main__":
    main()
