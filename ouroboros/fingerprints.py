"""What a stage writes to say "this is what I produced", by content.

Lance directories differ byte-wise on every run, so later DVC stages depend on these
small JSON files instead: one canonical hash per table partition (store.fingerprint)
plus a hash of the solver's weight and optimizer-state files. (Lance version numbers are
left out: they grow when a stage is rerun by hand; the `rounds` table records them instead.)
"""

import hashlib
from pathlib import Path

from ouroboros.jsonio import write_json
from store import Lake
from store.fingerprint import fingerprint_frame

# What a saved solver is, by content: weights or adapter (*.safetensors) and the optimizer
# state the next round resumes (training.sft's optimizer.pt); not its logs or timings.
SOLVER_FILES = ("*.safetensors", "*.pt")


def files_digest(directory: Path, patterns: tuple[str, ...] = SOLVER_FILES) -> str:
    """SHA-256 over the files of a directory that match `patterns` (names and bytes, in name order)."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in patterns for p in directory.glob(pattern)}):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def partition_fingerprints(lake: Lake, partitions: dict[str, str]) -> dict[str, dict]:
    """{physical table: {"rows", "content"}} for {logical table: physical table}."""
    out = {}
    for table, physical in sorted(partitions.items()):
        rows = lake.read(physical)
        out[physical] = {"rows": rows.height, "content": fingerprint_frame(rows, table)}
    return out


def write_fingerprint(path: Path, lake: Lake, partitions: dict[str, str], **extra: str) -> dict:
    """Write the fingerprint file of a stage; `extra` adds named digests (solver weights)."""
    payload = {"tables": partition_fingerprints(lake, partitions), **extra}
    summary = {k: v["content"] for k, v in payload["tables"].items()} | extra
    payload["content"] = hashlib.sha256(repr(sorted(summary.items())).encode()).hexdigest()
    write_json(path, payload)
    return payload
