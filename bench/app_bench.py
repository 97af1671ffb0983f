"""`ouro app` benchmark: a filtered rows page at 10k, 100k and 1M synthetic qa rows (+ scores),
against a plain polars `collect()` of the same filter on the same lake.

The page does more than the collect (validates every value against the lake, counts and
orders the whole slice, reads one page of full rows, their confidence history and the
filter form's choices), so the ratio says what all that costs on top of the bare query.
Each page is measured warm (best of 3, after one request), as a user paging through sees it.

    python bench/app_bench.py [--rows 10000 100000 1000000]
"""

import argparse
import sys
import tempfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the checkout

from bench.store_bench import synthetic, timed  # noqa: E402
from ouroboros.app.server import create_app  # noqa: E402
from store import Lake  # noqa: E402

TASK, LO, HI = "object_rel_distance", 0.3, 0.7
PAGES = {
    "task + confidence": f"/rows?task={TASK}&min_confidence={LO}&max_confidence={HI}",
    "round + task + text, by confidence": f"/rows?round=1&task={TASK}&contains=%2377&sort=confidence",
    "last page of everything": None,  # filled in per size: /rows?page=<last>
}
TARGET_S = 1.0


def plain_collect(lake: Lake) -> pl.DataFrame:
    """The first page's filter, written directly in polars (what a user would type)."""
    qa = lake.scan("qa").filter(pl.col("task") == TASK)
    scores = lake.scan("scores").filter(~pl.col("blind")).select("qa_id", "round", "confidence")
    return qa.join(scores, on=["qa_id", "round"]).filter(pl.col("confidence").is_between(LO, HI)).collect()


def main() -> None:
    from starlette.testclient import TestClient

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    for n in parser.parse_args().rows:
        qa, scores = synthetic(n, seed=0, round_=1)
        with tempfile.TemporaryDirectory() as tmp:
            lake = Lake(tmp)
            lake.write("qa", qa, partition="r1")
            lake.write("scores", scores, partition="r1")
            client = TestClient(create_app(lake, tmp))
            t_plain, want = timed(lambda: plain_collect(lake))  # noqa: B023
            pages = dict(PAGES, **{"last page of everything": f"/rows?page={-(-n // 50)}"})
            for name, url in pages.items():
                first = client.get(url)
                assert first.status_code == 200, first.text[:500]
                t_page, response = timed(lambda: client.get(url))  # noqa: B023
                if name == "task + confidence":
                    assert f"{want.height} row(s)" in response.text, "page and plain collect disagree"
                verdict = "ok" if t_page < TARGET_S else f"over the {TARGET_S:.0f} s target"
                print(f"{n:>9,} rows  {name:<36} page {t_page:.3f} s; plain collect of the first filter "
                      f"{t_plain:.3f} s; ratio page/collect {t_page / t_plain:.1f}x ({verdict})", flush=True)


if __name__ == "__main__":
    main()
