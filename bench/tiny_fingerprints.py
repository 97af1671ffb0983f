"""Content fingerprints of the tiny 2-round pipeline: a before/after check for refactors.

    PYTHONPATH=$PWD python bench/tiny_fingerprints.py > before.txt   # ... refactor ...
    PYTHONPATH=$PWD python bench/tiny_fingerprints.py > after.txt && diff before.txt after.txt

(The project copied and run is the one PYTHONPATH names, so a baseline can come from
another checkout: `cd ../main && PYTHONPATH=$PWD python ../wt/bench/tiny_fingerprints.py`.)

Runs `dvc repro` on the test suite's tiny params (tests/ouroboros/pipeline_fixtures.py TINY,
rounds 1 and 2) in a temporary copy of the project and prints, one line each, every value
of the stages' fingerprint files (runs/scenes.json, runs/eval/fingerprint.json,
runs/embeddings/*.json, runs/fingerprints/r<N>.json) and each round's `params_hash` from the
lake's `rounds` table. Identical output means the refactor changed no stage's content;
`params_hash` changes only when the params themselves (or their section names) change.
"""

import json
import tempfile
from pathlib import Path

from store import Lake
from tests.ouroboros.pipeline_fixtures import dvc, project_copy, write_params

FINGERPRINTS = ("scenes.json", "eval/fingerprint.json", "embeddings/*.json", "fingerprints/*.json")


def leaves(value, prefix: str = ""):
    """(dotted key, value) for every scalar leaf of a JSON value."""
    if isinstance(value, dict):
        for key, item in sorted(value.items()):
            yield from leaves(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, f"{prefix}[{i}]")
    else:
        yield prefix, value


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tiny-fp-") as tmp:
        proj = project_copy(Path(tmp))
        write_params(proj, rounds=[{"id": 1, "prev": 0}, {"id": 2, "prev": 1}])
        dvc(proj, "repro")
        runs = proj / "runs"
        for path in sorted(p for pattern in FINGERPRINTS for p in runs.glob(pattern)):
            for key, value in leaves(json.loads(path.read_text())):
                print(f"{path.relative_to(proj)} {key} {value}")
        rounds = Lake(str(proj / "lake")).read("rounds").sort("round")
        for row in rounds.select("round", "params_hash", "counts", "fingerprint").iter_rows(named=True):
            for key in ("params_hash", "counts", "fingerprint"):
                print(f"rounds round={row['round']} {key} {row[key]}")


if __name__ == "__main__":
    main()
