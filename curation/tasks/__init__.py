"""The task families: one module per VSI-Bench family, and the registry of all of them.

route_planning is deliberately absent: VSI-Bench's routes are human-written walks
("go forward until the wardrobe") through free space, and box metadata has neither
free space nor the walk, so a generated route would not be the benchmark's task.
"""

import polars as pl

from curation.tasks.base import BINS, Candidate, Draw, TaskFamily
from curation.tasks.obj_appearance_order import ObjAppearanceOrder
from curation.tasks.object_abs_distance import ObjectAbsDistance
from curation.tasks.object_counting import ObjectCounting
from curation.tasks.object_rel_direction import ObjectRelDirection
from curation.tasks.object_rel_distance import ObjectRelDistance
from curation.tasks.object_size_estimation import ObjectSizeEstimation
from curation.tasks.room_size_estimation import RoomSizeEstimation

FAMILIES: tuple[TaskFamily, ...] = (
    ObjectCounting(),
    ObjectAbsDistance(),
    ObjectSizeEstimation(),
    RoomSizeEstimation(),
    ObjectRelDistance(),
    ObjectRelDirection(),
    ObjAppearanceOrder(),
)

# VSI-Bench question_type -> the family that writes it.
TASKS: dict[str, TaskFamily] = {task: f for f in FAMILIES for task in f.tasks}


def task_group(task: str) -> str:
    """The task a question type is balanced and reported as: its family (the three
    object_rel_direction levels are one task, as VSI-Bench reports them); a type no
    family writes (from the benchmark or an LLM) is its own group."""
    family = TASKS.get(task)
    return family.name if family is not None else task


def task_group_column() -> pl.Expr:
    """`task_group` of each row's `task`, as a polars expression (one rule for every table)."""
    return pl.col("task").map_elements(task_group, return_dtype=pl.String)


def task_keys(*, with_frames: bool) -> list[tuple[str, str, str]]:
    """Every (task, template, difficulty bin) the template proposer can aim at."""
    return [
        (task, template, b)
        for task, family in TASKS.items()
        if with_frames or not family.needs_frames
        for template in family.templates[task]
        for b in BINS
    ]


__all__ = ["BINS", "FAMILIES", "TASKS", "Candidate", "Draw", "TaskFamily", "task_group", "task_group_column",
           "task_keys"]
