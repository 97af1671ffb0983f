"""Fail when the committed dvc.lock was not written by the committed code and params.

`dvc status --json` compares every stage's deps with dvc.lock without running anything.
Only deps that git tracks (code, params.yaml keys) count: the lake folders, runs/ and
../shared data are absent from a fresh clone, and their absence is not a stale lock.
Refresh the lock with `ouro demo` before committing.
"""

import json
import subprocess
import sys


def stale_deps(status: dict, tracked: set[str]) -> list[str]:
    """'stage: file' for each changed dep of `status` (dvc status --json) that git tracks;
    a params file's entries name the keys ('round@1: params.yaml train.lr')."""
    found = []
    for stage, changes in status.items():
        for change in changes:
            if not isinstance(change, dict):  # "always changed" and similar plain strings
                continue
            for path, state in change.get("changed deps", {}).items():
                if path.rstrip("/") not in tracked:
                    continue
                if isinstance(state, dict):  # a params file: {key: "modified" | "new" | "deleted"}
                    found += [f"{stage}: {path} {key} ({what})" for key, what in sorted(state.items())]
                else:
                    found.append(f"{stage}: {path} ({state})")
    return found


def tracked_paths() -> set[str]:
    """Every file git tracks, and every folder above one (a dep may name a package folder).
    A .gitignore alone does not make its folder tracked: runs/fingerprints holds one beside
    other stages' outputs, which a fresh clone lacks."""
    files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    files = [f for f in files if not f.endswith(".gitignore")]
    return {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 2)}


def main() -> int:
    # this venv's dvc, by its interpreter: .ci/run puts no venv on PATH
    out = subprocess.run([sys.executable, "-m", "dvc", "status", "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        print(f"dvc status failed: {out.stderr.strip()}", file=sys.stderr)
        return 1
    stale = stale_deps(json.loads(out.stdout or "{}"), tracked_paths())
    for line in stale:
        print(f"dvc.lock is stale: {line}", file=sys.stderr)
    if stale:
        print("refresh it with `ouro demo` and commit dvc.lock with the code", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
