"""perturbation: does the answer survive measurement noise?

Each row's program is re-executed on K jittered copies of its scene (see jitter.py:
centroids moved 3-5 cm, sizes scaled +-5 %). A copy *changes* the answer when its
value gives another gold (MCA letter, or no gold at all), or, for numeric answers,
when the value differs by more than `rel_tol` relative to the original. Score: the
fraction of copies that change it; flagged when above `max_change`. Rows without a
gold answer are not measured (the invalid filter has them); programs that cannot see
the boxes score 0 without running.
"""

import math

import polars as pl

from curation.errors import ParamError
from curation.filters.base import Filter, FilterContext, flag_frame, register
from curation.filters.jitter import jitter_scene
from curation.gold import gold_answer, run_jobs
from curation.params import require_in_range, require_int


def sees_boxes(program: str) -> bool:
    """Whether a program can read box geometry at all (the only thing jitter changes).

    Every helper takes the boxes explicitly, so a program that names neither the boxes
    nor scene_info (counting, room size) gives the same answer on every copy: skip it.
    """
    return "object_bbox" in program or "scene_info" in program


def changed(original: str, new_value, new_status: str, answer_type: str, options, rel_tol: float) -> bool:
    if new_status != "ok":
        return True
    new_gold = gold_answer(new_value, answer_type, options)
    if new_gold is None:
        return True
    if answer_type != "numeric":
        return new_gold != original
    old, new = float(original), float(new_gold)
    return abs(new - old) > rel_tol * max(abs(old), 1e-9) and not math.isclose(new, old)


@register("perturbation")
class Perturbation(Filter):
    def __init__(
        self, k: int = 4, centroid_m: tuple[float, float] = (0.03, 0.05), size_frac: float = 0.05,
        rel_tol: float = 0.1, max_change: float = 0.0,
    ):
        require_int("filters.perturbation", "k", k, 1)
        if len(centroid_m) != 2 or not 0 <= centroid_m[0] <= centroid_m[1]:
            raise ParamError("filters.perturbation", "centroid_m", f"expected (lo, hi) metres, got {centroid_m!r}")
        require_in_range("filters.perturbation", "size_frac", size_frac, 0.0, 0.5)
        require_in_range("filters.perturbation", "rel_tol", rel_tol, 0.0, 10.0)
        require_in_range("filters.perturbation", "max_change", max_change, 0.0, 1.0)
        self.k, self.centroid_m, self.size_frac = k, tuple(centroid_m), size_frac
        self.rel_tol, self.max_change = rel_tol, max_change

    def measure(self, rows: pl.DataFrame, ctx: FilterContext) -> pl.DataFrame:
        answers, options, types = rows["answer"].to_list(), rows["options"].to_list(), rows["answer_type"].to_list()
        scene_col, programs = rows["scene_id"].to_list(), rows["program"].to_list()
        todo = [i for i, a in enumerate(answers) if a is not None and sees_boxes(programs[i])]
        if todo and ctx.executor is None:
            raise ParamError("filters.perturbation", "executor", "re-execution needs an executor in the context")
        scene_ids = sorted({scene_col[i] for i in todo})
        copies = {
            (sid, c): jitter_scene(ctx.scenes[sid], ctx.seed, c, centroid_m=self.centroid_m,
                                   size_frac=self.size_frac, key=sid).to_meta()
            for sid in scene_ids
            for c in range(self.k)
        }
        jobs, owners = [], []
        for i in todo:
            sid = scene_col[i]
            info = ctx.frame_info.get(sid)
            for c in range(self.k):
                jobs.append((programs[i], copies[(sid, c)], info))
                owners.append(i)
        n_changed = [0] * rows.height
        results = run_jobs(ctx.executor, jobs) if jobs else []
        for i, result in zip(owners, results, strict=True):
            n_changed[i] += changed(answers[i], result.value, result.status, types[i], options[i], self.rel_tol)
        scores = [n_changed[i] / self.k if answers[i] is not None else None for i in range(rows.height)]
        return pl.DataFrame({"score": scores}, schema={"score": pl.Float64})

    def decide(self, stats: pl.DataFrame) -> pl.DataFrame:
        reason = pl.format("perturbation: answer changed in {} of {} jittered copies",
                           (pl.col("score") * self.k).round(0).cast(pl.Int64), pl.lit(self.k))
        return flag_frame(pl.col("score") > self.max_change, reason, stats)


