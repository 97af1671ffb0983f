"""The benchmark's annotations (`id, dataset, scene_name, question_type, question, options,
ground_truth`) and VSI-Bench-Debiased's pruned ids, read and validated; each error names the
file, the row and the field."""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from curation.errors import AnnotationFormatError
from curation.executor.values import plain

ANNOTATION_SCHEMA = {
    "id": pl.Int64,
    "dataset": pl.String,
    "scene_name": pl.String,
    "question_type": pl.String,
    "question": pl.String,
    "options": pl.List(pl.String),  # ["A. chair", ...]; null for numeric answers
    "ground_truth": pl.String,  # a number string or an option letter
}


def _check_row(where: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise AnnotationFormatError(where, "<row>", f"expected an object, got {type(raw).__name__}")
    row: dict[str, Any] = {}
    for name in ANNOTATION_SCHEMA:
        if name not in raw:
            raise AnnotationFormatError(where, name, "missing")
    value = raw["id"]
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
        raise AnnotationFormatError(where, "id", f"expected an integer, got {value!r}")
    row["id"] = int(value)
    for name in ("dataset", "scene_name", "question_type", "question"):
        if not isinstance(raw[name], str) or not raw[name]:
            raise AnnotationFormatError(where, name, f"expected a non-empty string, got {raw[name]!r}")
        row[name] = raw[name]
    options = plain(raw["options"])
    if options is not None and (not isinstance(options, list) or not all(isinstance(o, str) for o in options)):
        raise AnnotationFormatError(where, "options", f"expected a list of strings or null, got {options!r:.80}")
    row["options"] = options
    truth = raw["ground_truth"]
    if isinstance(truth, bool) or not isinstance(truth, str | int | float) or str(truth).strip() == "":
        raise AnnotationFormatError(where, "ground_truth", f"expected a number string or a letter, got {truth!r}")
    row["ground_truth"] = str(truth).strip()
    return row


def annotation_frame(rows: Sequence[Mapping[str, Any]], where: str = "annotations") -> pl.DataFrame:
    """Validated annotation rows as a frame of ANNOTATION_SCHEMA; errors name `where`, the row and the field."""
    checked = [_check_row(f"{where}: row {i + 1}", r) for i, r in enumerate(rows)]
    seen: dict[int, int] = {}
    for i, r in enumerate(checked):
        if r["id"] in seen:
            raise AnnotationFormatError(f"{where}: row {i + 1}", "id", f"{r['id']} repeats row {seen[r['id']] + 1}")
        seen[r["id"]] = i
    return pl.DataFrame(checked, schema=ANNOTATION_SCHEMA)


def load_annotations(path: str | Path) -> pl.DataFrame:
    """The benchmark's annotations from .jsonl (one object a line), .json (an array or JSON lines) or .parquet."""
    path = Path(path)
    if not path.is_file():
        raise AnnotationFormatError(str(path), "<file>", "no such file")
    if path.suffix == ".parquet":
        try:
            table = pl.read_parquet(path)
        except Exception as exc:  # polars raises several types for a file that is not parquet
            raise AnnotationFormatError(str(path), "<file>", f"not a readable parquet file ({exc})") from exc
        missing = [c for c in ANNOTATION_SCHEMA if c not in table.columns]
        if missing:
            raise AnnotationFormatError(str(path), missing[0], "missing column")
        return annotation_frame(table.select(list(ANNOTATION_SCHEMA)).to_dicts(), str(path))
    if path.suffix not in (".jsonl", ".json"):
        raise AnnotationFormatError(str(path), "<file>", "expected a .jsonl, .json or .parquet file")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json" and text.lstrip().startswith("["):  # a JSON array of rows
        try:
            return annotation_frame(json.loads(text), str(path))
        except json.JSONDecodeError as exc:
            raise AnnotationFormatError(str(path), "<json>", f"not valid JSON ({exc})") from exc
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise AnnotationFormatError(f"{path}: line {number}", "<json>", f"not valid JSON ({exc})") from exc
    return annotation_frame(rows, str(path))


def load_pruned_ids(path: str | Path) -> frozenset[int]:
    """VSI-Bench-Debiased's removed question ids: one integer a line (blank lines ignored)."""
    path = Path(path)
    if not path.is_file():
        raise AnnotationFormatError(str(path), "<file>", "no such file")
    removed: set[int] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            if not line.strip().isdigit():
                raise AnnotationFormatError(f"{path}: line {number}", "id", f"expected an integer, got {line!r:.40}")
            removed.add(int(line))
    return frozenset(removed)
