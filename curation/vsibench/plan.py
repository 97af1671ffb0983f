"""From an annotation to a program: parse the question (`curation.vsibench.parse`), map its
categories to the scene's metadata names, build the program with the SAME task module the
proposer uses (`TaskFamily.program_for`), and run every runnable program in one batched
sandbox `Executor.map`.

A plan is not derivable for obj_appearance_order without the real video, route_planning
always (the walk is hand-written), a scene or category missing from the metadata."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curation.scenes.metadata import Scene
from curation.tasks import TASKS
from curation.vsibench.parse import ALIASES, UnparseableQuestion, parse_question

# Tasks whose answer lives in the real video, not in the metadata, and why.
VIDEO_TASKS = {
    "obj_appearance_order": "needs the real video (first appearances)",
    "route_planning": "needs the real camera path (hand-written walk)",
}


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


def plan_and_run(
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
