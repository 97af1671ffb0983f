"""Lake benchmark: 1M synthetic qa rows (+ their scores).

Measures: the batched write; a difficulty slice (task == X and confidence in [a, b],
counts per difficulty bin) through `Lake.scan()` vs the pandas path (load both tables
into pandas, then filter/join/group); a diff of two 1M-row versions. Each line prints
the time and a ratio against its baseline measured in this run.

    python bench/store_bench.py [--rows 1000000]
"""

import argparse
import tempfile
import time

import numpy as np
import polars as pl
import pyarrow as pa

from store import Lake
from store.diff import diff

TASKS = ["object_counting", "object_abs_distance", "object_size_estimation", "room_size_estimation",
         "object_rel_distance", "object_rel_direction_easy", "object_rel_direction_medium",
         "object_rel_direction_hard", "obj_appearance_order"]


def synthetic(n: int, seed: int, round_: int) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    ids = pa.array([f"{i:016x}" for i in range(n)])
    task = pa.array(np.array(TASKS)[rng.integers(0, len(TASKS), n)])
    bins = pa.array(np.char.add("b", rng.integers(0, 5, n).astype(str)))
    answer = pa.array(rng.integers(0, 20, n).astype(str))
    const = lambda v, t=None: pa.array([v] * n, type=t)  # noqa: E731
    qa = pa.table({
        "qa_id": ids, "round": const(round_, pa.int32()), "split": const("train"), "scene_id": const("s0"),
        "proposer": const("template"), "proposer_model": const(None, pa.string()),
        "prompt_version": const(None, pa.string()), "task": task, "template": task, "difficulty": const("{}"),
        "difficulty_bin": bins, "question": pa.array(np.char.add("How many things? #", np.arange(n).astype(str))),
        "options": const(None, pa.list_(pa.string())), "answer_type": const("numeric"),
        "program": const("def compute_answer():\n    return object_counts['chair']"),
        "frame_ids": const([], pa.list_(pa.string())), "answer": answer, "exec_value": answer,
        "exec_status": const("ok"), "exec_error": const(None, pa.string()),
        "exec_ms": pa.array(rng.random(n).astype(np.float32)),
        "flags": const([], pa.list_(pa.struct([("filter", pa.string()), ("score", pa.float64()),
                                               ("flagged", pa.bool_()), ("reason", pa.string())]))),
        "ambiguous": const(False), "drop_reason": const(None, pa.string()), "selected": const(False),
    })
    scores = pa.table({
        "qa_id": ids, "round": const(round_, pa.int32()), "solver": const("tiny"), "blind": const(False),
        "confidence": pa.array(rng.random(n)), "correct": pa.array(rng.random(n) > 0.5),
        "prediction": answer, "mra": const(None, pa.float64()),
    })
    return qa, scores


def timed(fn, repeat: int = 3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    n = parser.parse_args().rows
    qa, scores = synthetic(n, seed=0, round_=1)
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(tmp)
        t_write, _ = timed(lambda: (lake.write("qa", qa, mode="overwrite"),
                                    lake.write("scores", scores, mode="overwrite")), repeat=1)
        arrow_bytes = qa.nbytes + scores.nbytes
        print(f"write {2 * n:,} rows ({arrow_bytes / 1e6:.0f} MB arrow): {t_write:.2f} s "
              f"({2 * n / t_write:,.0f} rows/s)")

        task, lo, hi = "object_rel_distance", 0.3, 0.7

        def lake_slice():
            rows = lake.scan("qa").filter(pl.col("task") == task).select("qa_id", "difficulty_bin")
            conf = lake.scan("scores").filter(pl.col("confidence").is_between(lo, hi)).select("qa_id")
            return rows.join(conf, on="qa_id").group_by("difficulty_bin").len().sort("difficulty_bin").collect()

        def pandas_slice():
            q = lake.scan("qa").collect().to_pandas()
            s = lake.scan("scores").collect().to_pandas()
            q = q[q.task == task][["qa_id", "difficulty_bin"]]
            s = s[(s.confidence >= lo) & (s.confidence <= hi)][["qa_id"]]
            return q.merge(s, on="qa_id").groupby("difficulty_bin").size()

        t_slice, got = timed(lake_slice)
        t_pandas, want = timed(pandas_slice, repeat=1)
        assert got["len"].to_list() == want.tolist(), "slice paths disagree"
        print(f"slice via scan(): {t_slice:.3f} s; pandas path: {t_pandas:.3f} s; "
              f"ratio {t_pandas / t_slice:.1f}x faster (target < 0.5 s and >= 10x)")

        # version 2: drop the first 1 %, change 1 % of answers, add 1 % new rows
        new_qa, _ = synthetic(n, seed=1, round_=1)
        keep = qa.slice(n // 100)
        changed_answer = pa.array(np.where(np.arange(keep.num_rows) < n // 100, "99",
                                           keep.column("answer").to_numpy(zero_copy_only=False)))
        keep = keep.set_column(keep.schema.get_field_index("answer"), "answer", changed_answer)
        added = new_qa.slice(0, n // 100).set_column(0, "qa_id", pa.array([f"new{i}" for i in range(n // 100)]))
        lake.write("qa", pa.concat_tables([keep, added]), mode="overwrite")
        v1, v2 = lake.versions("qa")[-2].version, lake.versions("qa")[-1].version
        t_diff, result = timed(lambda: diff(lake.scan("qa", version=v1), lake.scan("qa", version=v2),
                                            columns=["answer", "task", "difficulty_bin"]), repeat=1)
        t_read, _ = timed(lambda: (lake.read("qa", version=v1), lake.read("qa", version=v2)), repeat=1)
        print(f"diff of two {n:,}-row versions: {t_diff:.2f} s {result.summary()}; "
              f"reading both versions alone: {t_read:.2f} s; ratio diff/read {t_diff / t_read:.2f} (target < 3 s)")


if __name__ == "__main__":
    main()
