"""DVC tracking benchmark: Lance folders as stage outputs vs one manifest per table.

Builds a lake of qa rows (written the way stages write: many appends, so many fragment,
transaction and version files) and frames (random bytes standing in for PNGs), then two
DVC projects over the same lake: one whose stage outputs are the `.lance` folders
(`lake.track: directory`), one whose outputs are manifests (`lake.track: manifest`).
For each it times `dvc commit` (what every rerun of the stage pays: DVC hashes and
copies every new file of a folder output into its cache) and a no-op `dvc status`,
warm (median of a few) and cold (after a checkout on another machine), and prints the
ratios.

The issue's scale is 1M qa rows + 10 GB of frames; the default here is scaled down to
run in a few minutes on a shared 2-core box (1M rows in 200 appends, frames 1/50 of
the bytes in the same number of files, 256 KB each instead of ~12.8 MB). DVC's costs
are per file (warm no-op status: a stat and a state-db lookup per file) and per byte
(commit and cold status: hashing, + copying for commit), so the script extrapolates the
per-byte part to the full size alongside what it measured.

    python bench/dvc_track_bench.py [--qa-rows 1000000] [--appends 200] [--frame-mb 200]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the checkout

from bench.store_bench import synthetic  # noqa: E402
from store import Lake  # noqa: E402
from store.fingerprint import fingerprint_frame  # noqa: E402

FULL_FRAME_GB = 10.0
ENV = os.environ | {"DVC_NO_ANALYTICS": "1", "PATH": str(Path(sys.executable).parent) + os.pathsep
                    + os.environ.get("PATH", "")}


def build_lake(root: Path, qa_rows: int, appends: int, frame_mb: int) -> Lake:
    lake = Lake(root / "lake")
    qa, _ = synthetic(qa_rows, seed=0, round_=1)
    step = qa_rows // appends
    for i in range(appends):
        lake.write("qa", qa.slice(i * step, step), partition="r1")
    per_frame = max(1, frame_mb * 1024 * 1024 // appends)  # one frame per append: as many files as qa
    rng = np.random.default_rng(0)
    for i in range(appends):
        lake.write("frames", [{
            "frame_id": f"f{i:06d}", "scene_id": "s0", "index": i, "source": "render", "width": 64,
            "height": 64, "image": rng.bytes(per_frame), "pose": None, "intrinsics": None,
            "embedding": None, "visible_objects": [],
        }])
    return lake


def dvc(cwd: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(["dvc", *args], cwd=cwd, env=ENV, check=True, capture_output=True)
    return time.perf_counter() - start


def project(root: Path, outs: list[str]) -> tuple[float, float, float]:
    """(dvc commit, median warm no-op dvc status, cold no-op dvc status) seconds for a stage with `outs`.

    Warm: DVC's state db knows every file's (inode, mtime, size) and skips hashing. Cold:
    every output file has a new mtime, as after a checkout or `dvc pull` on another
    machine, so DVC hashes every byte again to find that nothing changed."""
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    dvc(root, "init", "-q")
    dvc(root, "stage", "add", "-n", "lake", *[a for o in outs for a in ("-o", o)], "true")
    commit = dvc(root, "commit", "-f", "-q", "lake")
    dvc(root, "status")  # the first status after a commit may still fill DVC's state db
    warm = statistics.median(dvc(root, "status") for _ in range(3))
    later = time.time() + 60
    for out in outs:
        for path in [root / out, *(root / out).rglob("*")]:
            if path.is_file():
                os.utime(path, (later, later))
    cold = dvc(root, "status")
    return commit, warm, cold


def files_and_bytes(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa-rows", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--frame-mb", type=int, default=200)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="dvc-track-bench-"))
    try:
        directory, manifest = base / "directory", base / "manifest"
        start = time.perf_counter()
        lake = build_lake(directory, args.qa_rows, args.appends, args.frame_mb)
        print(f"lake: {args.qa_rows:,} qa rows in {args.appends} appends + {args.frame_mb} MB of frames "
              f"({time.perf_counter() - start:.1f} s to write)")
        n_files, n_bytes = files_and_bytes(directory / "lake")
        print(f"  {n_files:,} files, {n_bytes / 1e9:.2f} GB under lake/")

        (manifest / "manifests").mkdir(parents=True)
        for table, logical in (("qa__r1", "qa"), ("frames", "frames")):
            rows = lake.read(table)
            (manifest / "manifests" / f"{table}.json").write_text(json.dumps({
                "lake": str(directory / "lake"), "table": table, "version": lake.version(table), "tag": "bench",
                "content": fingerprint_frame(rows, logical), "rows": rows.height}))

        dir_commit, dir_warm, dir_cold = project(directory, ["lake/qa__r1.lance", "lake/frames.lance"])
        man_commit, man_warm, man_cold = project(manifest, ["manifests/qa__r1.json", "manifests/frames.json"])
        cache_files, cache_bytes = files_and_bytes(directory / ".dvc" / "cache")
        print(f"directory outs: dvc commit {dir_commit:.2f} s, no-op dvc status warm {dir_warm:.2f} s / "
              f"cold {dir_cold:.2f} s, cache {cache_bytes / 1e9:.2f} GB in {cache_files:,} files (a second copy)")
        print(f"manifest outs:  dvc commit {man_commit:.2f} s, no-op dvc status warm {man_warm:.2f} s / "
              f"cold {man_cold:.2f} s, cache {files_and_bytes(manifest / '.dvc' / 'cache')[1]:,} bytes")
        print(f"ratio directory / manifest: no-op status warm {dir_warm / man_warm:.1f}x, "
              f"cold {dir_cold / man_cold:.1f}x; commit {dir_commit / man_commit:.1f}x")
        # DVC's start-up (seconds) is in every number; what grows with the lake is the difference,
        # and hashing is per byte (the file count is the same at full size: one file per append).
        scale = FULL_FRAME_GB * 1e9 / n_bytes
        commit_full = man_commit + max(dir_commit - man_commit, 0) * scale
        cold_full = man_cold + max(dir_cold - man_cold, 0) * scale
        print(f"extrapolated to 1M rows + {FULL_FRAME_GB:.0f} GB of frames ({scale:.0f}x these bytes): "
              f"directories: every rerun's commit ~{commit_full:.0f} s and +{FULL_FRAME_GB:.0f} GB cache, "
              f"a cold no-op status ~{cold_full:.0f} s, a warm one ~{dir_warm:.1f} s; "
              f"manifests: all ~{man_warm:.1f} s (DVC's start-up)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    pl.Config.set_tbl_rows(5)
    main()
