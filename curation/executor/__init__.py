"""Sandboxed, VQAGen-compatible executor for model-written QA programs.

`execute(code, scene, frame_info=None, timeout_s=1.0) -> ExecResult` runs one program;
`Executor(workers=None, timeout_s=1.0, memory_mb=512)` runs batches with `.map(jobs)`.
Programs never run in the caller's process. The pure geometry (VSI-Bench's sampled box
distance, the exact box distance, direction angles and bins) lives in
`curation.executor.geometry` and is importable without any sandbox; `check_program`
is the static check alone.
"""

from curation.executor.errors import ExecutorError, JobFormatError
from curation.executor.geometry import (
    box_corners,
    closest_choice,
    direction_angles,
    exact_box_distance,
    exact_category_distance,
    lr_direction,
    lrb_direction,
    quadrant_direction,
    sample_box_points,
    sampled_box_distance,
    sampled_category_distance,
)
from curation.executor.pool import STATUSES, ExecResult, Executor, execute
from curation.executor.static_check import CheckResult, check_program

__all__ = [
    "STATUSES",
    "CheckResult",
    "ExecResult",
    "Executor",
    "ExecutorError",
    "JobFormatError",
    "box_corners",
    "check_program",
    "closest_choice",
    "direction_angles",
    "exact_box_distance",
    "exact_category_distance",
    "execute",
    "lr_direction",
    "lrb_direction",
    "quadrant_direction",
    "sample_box_points",
    "sampled_box_distance",
    "sampled_category_distance",
]
