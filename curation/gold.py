"""Run proposal rows in the sandbox and turn executed values into gold answers.

Adds the QA columns answer, exec_value (the raw value as JSON), exec_status,
exec_error, exec_ms, and empty filter columns (flags [], ambiguous False,
drop_reason null). Gold: for MCA the letter of the option whose text equals the
value (compared with `_` as space, case-folded); for numeric answers str(value).
A value that gives no gold (error, None, NaN, "ambiguous", no matching option)
leaves answer null for the invalid filter to flag.
"""

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from curation.executor.values import plain
from curation.flags import FLAG_DTYPE
from curation.scenes.metadata import Scene
from curation.tasks.base import AMBIGUOUS, normalise_answer
from plumbing.options import option_letter, option_text

Job = tuple[str, dict[str, Any], Mapping[str, Any] | None]  # (program, scene meta, frame_info)


def gold_answer(value: Any, answer_type: str, options: Sequence[str] | None) -> str | None:
    """The gold answer a value gives, or None when it gives none."""
    value = plain(value)
    if value is None or (isinstance(value, str) and normalise_answer(value) == AMBIGUOUS):
        return None
    if answer_type == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        return str(value)
    texts = [normalise_answer(option_text(o)) for o in options or []]
    matches = [i for i, t in enumerate(texts) if t == normalise_answer(str(value))]
    if len(matches) != 1:
        return None
    return option_letter(options[matches[0]])


def value_json(value: Any) -> str | None:
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # NaN/Infinity: not strict JSON, but json.loads reads it back
    return json.dumps(value, default=str)


def scene_index(scenes: Sequence[Scene] | Mapping[str, Scene]) -> dict[str, Scene]:
    if isinstance(scenes, Mapping):
        return dict(scenes)
    return {s.scene_id: s for s in scenes}


def run_jobs(executor: Any, jobs: Sequence[Job]) -> list[Any]:
    """ExecResults of `jobs`, in order (the executor pools workers and bounds time)."""
    return list(executor.map(list(jobs)))


def execute_proposals(
    proposals: pl.DataFrame, scenes: Sequence[Scene] | Mapping[str, Scene], executor: Any, *,
    frame_info: Mapping[str, Mapping[str, Any]] | None = None,
) -> pl.DataFrame:
    """`proposals` with gold answers and execution columns (QA-schema shaped)."""
    by_id = scene_index(scenes)
    missing = sorted(set(proposals["scene_id"]) - set(by_id))
    if missing:
        raise KeyError(f"{len(missing)} proposal scene_id(s) not among the scenes, e.g. {missing[0]!r}")
    metas = {sid: by_id[sid].to_meta() for sid in set(proposals["scene_id"])}
    infos = frame_info or {}
    jobs = [
        (program, metas[sid], infos.get(sid) or infos.get(by_id[sid].name))
        for program, sid in zip(proposals["program"], proposals["scene_id"], strict=True)
    ]
    results = run_jobs(executor, jobs)
    answers = [
        gold_answer(r.value, t, o) if r.status == "ok" else None
        for r, t, o in zip(results, proposals["answer_type"], proposals["options"].to_list(), strict=True)
    ]
    out = proposals.with_columns(
        pl.Series("answer", answers, dtype=pl.String),
        pl.Series("exec_value", [value_json(r.value) if r.status == "ok" else None for r in results], dtype=pl.String),
        pl.Series("exec_status", [r.status for r in results], dtype=pl.String),
        pl.Series("exec_error", [r.error for r in results], dtype=pl.String),
        pl.Series("exec_ms", [r.ms for r in results], dtype=pl.Float32),
        pl.Series("flags", [[] for _ in results], dtype=pl.List(FLAG_DTYPE)),
        pl.Series("ambiguous", [False] * len(results), dtype=pl.Boolean),
        pl.Series("drop_reason", [None] * len(results), dtype=pl.String),
        pl.Series("selected", [False] * len(results), dtype=pl.Boolean),  # set by the round after select()
    )
    return out
