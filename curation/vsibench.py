"""VSI-Bench fidelity: audit the benchmark's labels against its metadata, and build an eval set from it.

Both start from the benchmark's annotations (`id, dataset, scene_name, question_type,
question, options, ground_truth`), parse every question (`curation.vsibench_parse`),
map its categories to the scene's metadata names and build the program with the SAME
task modules the proposer uses (`TaskFamily.program_for`), then run every program in
one batched sandbox `Executor.map`. The audit compares each value with `ground_truth`;
the eval set keeps the derivable questions with the official answer.

Statuses of a question: agree | disagree | not_derivable | unparseable | error (the
program failed in the sandbox). Not derivable: obj_appearance_order without the real
video, route_planning always (the walk is hand-written), a scene or category missing
from the metadata, a program that answers "ambiguous".

Pure functions over polars frames; reading files is `load_annotations`, the rest is the CLI's.
"""

import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from curation.errors import AnnotationFormatError
from curation.execute import plain, value_json
from curation.flags import FLAG_DTYPE
from curation.scenes import Scene
from curation.tasks import TASKS
from curation.tasks.base import AMBIGUOUS, normalise_answer
from curation.vsibench_margins import explain
from curation.vsibench_parse import ALIASES, UnparseableQuestion, parse_question
from store import ids

ANNOTATION_SCHEMA = {
    "id": pl.Int64,
    "dataset": pl.String,
    "scene_name": pl.String,
    "question_type": pl.String,
    "question": pl.String,
    "options": pl.List(pl.String),  # ["A. chair", ...]; null for numeric answers
    "ground_truth": pl.String,  # a number string or an option letter
}
# Tasks whose answer lives in the real video, not in the metadata, and why.
VIDEO_TASKS = {
    "obj_appearance_order": "needs the real video (first appearances)",
    "route_planning": "needs the real camera path (hand-written walk)",
}
STATUSES = ("agree", "disagree", "not_derivable", "unparseable", "error")
AUDIT_SCHEMA = {
    "id": pl.Int64,
    "scene_name": pl.String,
    "task": pl.String,
    "status": pl.String,  # one of STATUSES
    "reason": pl.String,  # why not derivable / unparseable / error; null otherwise
    "question": pl.String,
    "official": pl.String,  # ground_truth as given
    "ours": pl.String,  # our answer: a letter or str(number); null when none
    "official_text": pl.String,  # the official letter's option text (MCA)
    "ours_text": pl.String,  # the executed value as text
    "program": pl.String,
    "exec_status": pl.String,
    "margin": pl.Float64,  # see curation.vsibench_margins (disagreements and "ambiguous" only)
    "explanation": pl.String,
}
EVAL_TEMPLATE = "vsibench"
# The benchmark assigns no difficulty; eval rows sit in the middle bin so bin-wise reports still group them.
EVAL_BIN = "medium"


# ---------------------------------------------------------------------------- loading


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


# ---------------------------------------------------------------------------- planning


def metadata_name(name: str, scene: Scene) -> str | None:
    """The scene's category a question's name refers to (`_` <-> space, ALIASES), or None."""
    known = set(scene.categories)
    for candidate in (name, name.replace(" ", "_"), name.replace("_", " "), ALIASES.get(name)):
        if candidate in known:
            return candidate
    return None


@dataclass(frozen=True)
class Plan:
    """One annotation row on its way to the sandbox: its program, or why it has none."""

    row: Mapping[str, Any]
    status: str | None = None  # None = to run; else not_derivable | unparseable
    reason: str | None = None
    roles: Mapping[str, Any] = field(default_factory=dict)  # metadata category names
    program: str | None = None


def _resolve_roles(roles: Mapping[str, Any], scene: Scene) -> tuple[dict[str, Any], str | None]:
    resolved: dict[str, Any] = {}
    for role, value in roles.items():
        names = [value] if isinstance(value, str) else list(value)
        found = [metadata_name(n, scene) for n in names]
        missing = [n for n, f in zip(names, found, strict=True) if f is None]
        if missing:
            return {}, f"category {missing[0]!r} not in scene {scene.name}"
        resolved[role] = found[0] if isinstance(value, str) else tuple(found)
    return resolved, None


def plan_row(row: Mapping[str, Any], scene: Scene | None, distance_mode: str, video: bool,
             reading: str = "unique") -> Plan:
    """Parse one annotation and build its program with the proposer's task module (`reading`:
    curation.tasks.base.READINGS)."""
    task = row["question_type"]
    try:
        parsed = parse_question(task, row["question"], row["options"])
    except UnparseableQuestion as exc:
        return Plan(row, "unparseable", str(exc))
    if task == "route_planning" or (task in VIDEO_TASKS and not video):
        return Plan(row, "not_derivable", VIDEO_TASKS[task])
    if scene is None:
        return Plan(row, "not_derivable", f"scene {row['scene_name']!r} not in the metadata")
    roles, missing = _resolve_roles(parsed.categories, scene)
    if missing:
        return Plan(row, "not_derivable", missing)
    return Plan(row, roles=roles, program=TASKS[task].program_for(task, roles, distance_mode, reading))


def _scenes_by_name(scenes: Sequence[Scene] | Mapping[str, Scene]) -> dict[str, Scene]:
    if isinstance(scenes, Mapping):
        return dict(scenes)
    return {s.name: s for s in scenes}


def _plan_and_run(
    annotations: pl.DataFrame, scenes: Sequence[Scene] | Mapping[str, Scene], executor: Any, distance_mode: str,
    video_scenes: Collection[str], frame_info: Mapping[str, Mapping[str, Any]] | None, reading: str,
) -> tuple[list[Plan], list[Any], dict[str, Scene]]:
    """Plans of every row and the ExecResult of each runnable one (None for the others), in row order."""
    by_name = _scenes_by_name(scenes)
    plans = [
        plan_row(r, by_name.get(r["scene_name"]), distance_mode, r["scene_name"] in video_scenes, reading)
        for r in annotations.iter_rows(named=True)
    ]
    runnable = [i for i, p in enumerate(plans) if p.status is None]
    metas = {name: by_name[name].to_meta() for name in {plans[i].row["scene_name"] for i in runnable}}
    infos = frame_info or {}
    jobs = [
        (plans[i].program, metas[plans[i].row["scene_name"]], infos.get(plans[i].row["scene_name"]))
        for i in runnable
    ]
    results: list[Any] = [None] * len(plans)
    for i, result in zip(runnable, executor.map(jobs) if jobs else [], strict=True):
        results[i] = result
    return plans, results, by_name


# ---------------------------------------------------------------------------- comparing


def _letter_of(value: Any, options: Sequence[str], scene: Scene) -> str | None:
    """The letter of the option whose text (mapped to metadata names) is `value`."""
    wanted = normalise_answer(str(value))
    for option in options:
        letter, _, text = option.partition(". ")
        names = [t.strip() for t in text.split(",")]  # appearance orders are comma lists
        mapped = ", ".join(metadata_name(n, scene) or n for n in names)
        if normalise_answer(mapped) == wanted or normalise_answer(text) == wanted:
            return letter.strip()
    return None


def _option_text(letter: str, options: Sequence[str] | None) -> str | None:
    for option in options or []:
        head, _, text = option.partition(". ")
        if head.strip() == letter:
            return text
    return None


def _same_number(value: Any, official: str) -> bool:
    """Equal at the official answer's rounding (its number of decimals)."""
    try:
        truth = float(official)
    except ValueError:
        return False
    decimals = len(official.split(".", 1)[1]) if "." in official else 0
    return math.isfinite(float(value)) and round(float(value), decimals) == round(truth, decimals)


def _judge(plan: Plan, result: Any, scene: Scene) -> dict[str, Any]:
    """status, reason, ours, ours_text of one executed plan."""
    if result.status != "ok":
        return {"status": "error", "reason": f"{result.status}: {result.error}"[:300], "ours": None, "ours_text": None}
    value = plain(result.value)
    text = None if value is None else str(value)
    if isinstance(value, str) and normalise_answer(value) == AMBIGUOUS:
        return {"status": "not_derivable", "reason": "program answers ambiguous", "ours": None, "ours_text": text}
    official, options = plan.row["ground_truth"], plan.row["options"]
    if options is None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return {"status": "error", "reason": f"numeric task returned {text!r}", "ours": None, "ours_text": text}
        agree = _same_number(value, official)
        return {"status": "agree" if agree else "disagree", "reason": None, "ours": str(value), "ours_text": text}
    letter = _letter_of(value, options, scene)
    return {"status": "agree" if letter == official else "disagree", "reason": None, "ours": letter, "ours_text": text}


def audit(
    annotations: pl.DataFrame, scenes: Sequence[Scene] | Mapping[str, Scene], executor: Any, *,
    distance_mode: str = "vsibench", reading: str = "unique",
) -> pl.DataFrame:
    """One row per annotation (AUDIT_SCHEMA): our answer beside the official one, and the margin of each miss.

    scenes: by name (a mapping) or a list of Scenes; executor: a `curation.executor.Executor`;
    reading: how "the X" is read (curation.tasks.base.READINGS).
    """
    plans, results, by_name = _plan_and_run(annotations, scenes, executor, distance_mode, (), None, reading)
    rows = []
    for plan, result in zip(plans, results, strict=True):
        row = plan.row
        scene = by_name.get(row["scene_name"])
        if plan.status is not None:
            verdict = {"status": plan.status, "reason": plan.reason, "ours": None, "ours_text": None}
        else:
            verdict = _judge(plan, result, scene)
        margin, why = None, None
        if verdict["status"] == "disagree" or verdict["reason"] == "program answers ambiguous":
            margin, why = explain(row["question_type"], scene, plan.roles, row["ground_truth"], distance_mode)
        rows.append(
            {
                "id": row["id"], "scene_name": row["scene_name"], "task": row["question_type"], **verdict,
                "question": row["question"], "official": row["ground_truth"],
                "official_text": _option_text(row["ground_truth"], row["options"]),
                "program": plan.program, "exec_status": None if result is None else result.status,
                "margin": margin, "explanation": why,
            }
        )
    return pl.DataFrame(rows, schema=AUDIT_SCHEMA)


def summary(audited: pl.DataFrame) -> pl.DataFrame:
    """Per task: total, attempted (agree + disagree), agree, disagree, not_derivable, unparseable, error."""
    counts = [(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES]
    return (
        audited.group_by("task")
        .agg(pl.len().cast(pl.Int64).alias("total"), *counts)
        .with_columns((pl.col("agree") + pl.col("disagree")).alias("attempted"))
        .select("task", "total", "attempted", *STATUSES)
        .sort("task")
    )


def summary_json(audited: pl.DataFrame) -> dict[str, Any]:
    """{"per_task": {task: {"n": attempted, "agree": k, ...}}, "total": {...}, "disagreements": [...], ...}."""
    table = summary(audited)

    def counts(row: Mapping[str, Any]) -> dict[str, int]:
        return {"n": row["attempted"], "total": row["total"], **{s: row[s] for s in STATUSES}}

    totals = table.select(pl.exclude("task").sum()).to_dicts()[0] if len(table) else dict.fromkeys(table.columns[1:], 0)
    not_derivable = audited.filter(pl.col("status") == "not_derivable").group_by("reason").len().sort("reason")
    return {
        "per_task": {r["task"]: counts(r) for r in table.iter_rows(named=True)},
        "total": counts(totals),
        "disagreements": disagreements(audited).select("id", "task", "official", "ours", "margin").to_dicts(),
        "unparseable": audited.filter(pl.col("status") == "unparseable").select("id", "reason").to_dicts(),
        "not_derivable": dict(not_derivable.iter_rows()),
    }


def disagreements(audited: pl.DataFrame) -> pl.DataFrame:
    """The audit rows whose answer differs from the official one, with both answers and the margin."""
    return audited.filter(pl.col("status") == "disagree").select(
        "id", "scene_name", "task", "question", "official", "official_text", "ours", "ours_text",
        "margin", "explanation", "program",
    )


# ---------------------------------------------------------------------------- eval set


def evalset_rows(
    annotations: pl.DataFrame, scenes: Sequence[Scene] | Mapping[str, Scene],
    frames_by_scene: Mapping[str, Sequence[str]], executor: Any, *,
    video_scenes: Collection[str] = (), frame_info: Mapping[str, Mapping[str, Any]] | None = None,
    distance_mode: str = "vsibench", reading: str = "benchmark", pruned_ids: Collection[int] | None = None,
) -> pl.DataFrame:
    """QA rows (store.schema.QA, split "eval", round 0, proposer "vsibench") of the derivable questions.

    frames_by_scene: scene name -> its frame ids in order (every kept question's scene needs
    some). video_scenes: names whose frames come from the real video; only there are
    obj_appearance_order questions kept (their program reads `frame_info[scene name]`).
    route_planning is never kept. answer = the official ground_truth; program and exec
    columns are ours. Questions whose program fails or answers "ambiguous" are left out,
    except appearance order on real video, whose label is the video's own; under the default
    `benchmark` reading, duplicate-box referents are read as the benchmark did, so no
    derivable question is lost. pruned_ids: VSI-Bench-Debiased's removed ids; each row's
    `difficulty` JSON then says whether the debiased subset keeps it.
    """
    plans, results, by_name = _plan_and_run(
        annotations, scenes, executor, distance_mode, set(video_scenes), frame_info, reading
    )
    rows = []
    for plan, result in zip(plans, results, strict=True):
        if plan.status is not None:
            continue
        row, scene = plan.row, by_name[plan.row["scene_name"]]
        derived = _judge(plan, result, scene)["status"] in ("agree", "disagree")
        if row["question_type"] not in VIDEO_TASKS and not derived:
            continue
        frame_ids = list(frames_by_scene.get(row["scene_name"], ()))
        if not frame_ids:
            raise KeyError(f"scene {row['scene_name']!r} (question {row['id']}) has no frames")
        options = row["options"]
        rows.append(
            {
                "qa_id": ids.qa_id(scene.scene_id, row["question_type"], row["question"], options, plan.program),
                "round": 0, "split": "eval", "scene_id": scene.scene_id, "proposer": "vsibench",
                "proposer_model": None, "prompt_version": None,
                "task": row["question_type"], "template": EVAL_TEMPLATE,
                "difficulty": json.dumps(benchmark_tags(row["id"], pruned_ids), separators=(",", ":")),
                "difficulty_bin": EVAL_BIN, "question": row["question"], "options": options,
                "answer_type": "numeric" if options is None else "mca", "program": plan.program,
                "frame_ids": frame_ids, "answer": row["ground_truth"],
                "exec_value": value_json(result.value) if result.status == "ok" else None,
                "exec_status": result.status, "exec_error": result.error or None, "exec_ms": result.ms,
                "flags": [], "ambiguous": False, "drop_reason": None, "selected": False,
            }
        )
    return pl.DataFrame(rows, schema=EVAL_SCHEMA)


def benchmark_tags(question_id: int, pruned_ids: Collection[int] | None) -> dict[str, Any]:
    """What an eval row records of its benchmark question: its id, and (given the pruned ids)
    whether VSI-Bench-Debiased keeps it."""
    tags: dict[str, Any] = {"vsibench_id": question_id}
    if pruned_ids is not None:
        tags["debiased"] = question_id not in pruned_ids
    return tags


def debiased_qa_ids(rows: pl.DataFrame) -> set[str] | None:
    """qa_ids of the eval rows VSI-Bench-Debiased keeps (their `difficulty` says so), or None
    when no row carries the tag (a procedural eval set, or one built without pruned ids)."""
    tag = rows["difficulty"].str.json_path_match("$.debiased")
    if tag.is_null().all():
        return None
    return set(rows.filter(tag == "true")["qa_id"])


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


def debiased_summary(audited: pl.DataFrame, pruned_ids: Collection[int]) -> pl.DataFrame:
    """`summary` of the questions VSI-Bench-Debiased keeps."""
    return summary(audited.filter(~pl.col("id").is_in(list(pruned_ids))))


EVAL_SCHEMA = {
    "qa_id": pl.String, "round": pl.Int32, "split": pl.String, "scene_id": pl.String, "proposer": pl.String,
    "proposer_model": pl.String, "prompt_version": pl.String, "task": pl.String, "template": pl.String,
    "difficulty": pl.String, "difficulty_bin": pl.String,
    "question": pl.String, "options": pl.List(pl.String), "answer_type": pl.String, "program": pl.String,
    "frame_ids": pl.List(pl.String), "answer": pl.String, "exec_value": pl.String, "exec_status": pl.String,
    "exec_error": pl.String, "exec_ms": pl.Float32, "flags": pl.List(FLAG_DTYPE), "ambiguous": pl.Boolean,
    "drop_reason": pl.String, "selected": pl.Boolean,
}
