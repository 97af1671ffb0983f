"""The held-in probe: a fixed set of training-side questions every round's solver answers.

The warm start draws `warm_start.probe` valid questions it does not train on and scores them
with the round-0 solver (they seed round 1's feedback). After every round's training the
new solver scores the same rows again, so the change per (task, difficulty bin) cell is
learning progress measured on the same questions, never on the eval set: the `progress`
feedback policy steers by it and curation.signal checks whether each policy's weights
predict it.
"""

import polars as pl

from curation.feedback import ProbeCell, probe_cells
from ouroboros.lakes import workspace_lake
from ouroboros.params import Params
from ouroboros.steps import score_rows
from ouroboros.workspace import Workspace
from training.solver import Solver


def probe_rows(ws: Workspace) -> pl.DataFrame:
    """The warm start's probe: the round-0 rows its solver scored (in qa_id order)."""
    lake = workspace_lake(ws)
    scored = lake.scan("scores").filter((pl.col("round") == 0) & ~pl.col("blind")).select("qa_id").unique()
    return lake.scan("qa").filter(pl.col("round") == 0).join(scored, on="qa_id").sort("qa_id").collect()


def measure_probe(
    solver: Solver, probe: pl.DataFrame, frames: pl.DataFrame, params: Params, *, round: int, label: str,
    before: tuple[ProbeCell, ...] = (), scores: pl.DataFrame | None = None,
) -> tuple[ProbeCell, ...]:
    """`probe`'s cells under `solver` (named `label`), each with its gain against `before`;
    `scores` are the probe's scores by this solver when the caller has them already."""
    if scores is None:
        scores = score_rows(solver, probe, frames, round=round, solver_name=label, blind=False,
                            batch_size=params.solver.score_batch_size)
    return probe_cells(probe, scores, bands=params.bands, before=before, min_rows=params.feedback.min_probe_rows)
