"""Sandboxed, VQAGen-compatible executor for model-written QA programs.

`run_program(code, scene, frame_info=None, timeout_s=1.0) -> ExecResult` runs one program;
`Executor(workers=None, timeout_s=1.0, memory_mb=512)` runs batches with `.map(jobs)`.
Programs never run in the caller's process. The pure geometry (VSI-Bench's sampled box
distance, the exact box distance, direction angles and bins) lives in
`curation.executor.geometry` and is importable without any sandbox; `check_program`
is the static check alone.

Exports resolve lazily: the sandbox worker imports this package's submodules and must not
pull in the lake (lancedb, seconds of start-up) through the error classes' `store` mixin.
"""

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ExecutorError": "errors",
    "JobFormatError": "errors",
    "STATUSES": "pool",
    "ExecResult": "pool",
    "Executor": "pool",
    "run_program": "pool",
    "CheckResult": "static_check",
    "check_program": "static_check",
    **{
        name: "geometry"
        for name in (
            "box_corners",
            "closest_choice",
            "direction_angles",
            "exact_box_distance",
            "exact_category_distance",
            "lr_direction",
            "lrb_direction",
            "quadrant_direction",
            "sample_box_points",
            "sampled_box_distance",
            "sampled_category_distance",
        )
    },
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'curation.executor' has no attribute {name!r}")
    return getattr(importlib.import_module(f"curation.executor.{_EXPORTS[name]}"), name)


if TYPE_CHECKING:
    from curation.executor.errors import ExecutorError, JobFormatError  # noqa: F401
    from curation.executor.geometry import (  # noqa: F401
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
    from curation.executor.pool import STATUSES, ExecResult, Executor, run_program  # noqa: F401
    from curation.executor.static_check import CheckResult, check_program  # noqa: F401
