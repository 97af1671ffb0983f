"""Stage outputs as JSON files: written atomically, read back with an error that names the file."""

import json
from pathlib import Path
from typing import Any

from ouroboros.errors import StageInputError


def write_json(path: Path, payload: Any) -> None:
    """Write JSON atomically (temp file + rename), so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


def read_json(path: Path, what: str) -> Any:
    """The JSON at `path`, an earlier stage's output called `what` in the error when it is
    missing or not JSON."""
    if not path.is_file():
        raise StageInputError(f"{path}: missing {what} (run the stage that writes it first: `dvc repro`)")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise StageInputError(f"{path}: {what} is not valid JSON ({exc})") from exc
