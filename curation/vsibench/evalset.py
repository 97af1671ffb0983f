"""The benchmark as an eval set: its derivable questions as QA rows with the official answers.

Program and exec columns are ours; the answer is the benchmark's. Each row's `difficulty`
JSON records its benchmark id and, given the pruned ids, whether VSI-Bench-Debiased keeps it."""

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import polars as pl

from curation.gold import value_json
from curation.scenes.metadata import Scene
from curation.vsibench.audit import judge
from curation.vsibench.plan import VIDEO_TASKS, plan_and_run
from store import ids
from store.schema import QA, polars_schema

EVAL_TEMPLATE = "vsibench"
# The benchmark assigns no difficulty; eval rows sit in the middle bin so bin-wise reports still group them.
EVAL_BIN = "medium"


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
    plans, results, by_name = plan_and_run(
        annotations, scenes, executor, distance_mode, set(video_scenes), frame_info, reading
    )
    rows = []
    for plan, result in zip(plans, results, strict=True):
        if plan.status is not None:
            continue
        row, scene = plan.row, by_name[plan.row["scene_name"]]
        derived = judge(plan, result, scene)["status"] in ("agree", "disagree")
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
    return pl.DataFrame(rows, schema=polars_schema(QA))


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

