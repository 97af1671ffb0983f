"""Stage `round@N`: one turn of the loop.

    ouro round N --prev M      (dvc.yaml stage `round`, foreach over params `rounds`)

propose -> execute -> filter -> score with round M's solver (out of sample, sighted and
blind) -> feedback -> select -> train from round M's solver -> evaluate on the held-out
set. What steers the data is params `loop.policy` (the ablation's arms are runs of this
same stage under each policy, `dvc exp run -S loop.policy=...`):

- closed: the proposer reads round M's feedback, the confidence filters drop easy and
  blind-solvable rows, and the selection takes frontier rows with the task shares of
  this round's feedback (the method);
- open:   the same proposer without feedback; valid rows at random;
- static: one dataset proposed up front, the same whatever the round (round 1's random
          stream, as many proposals as the other arms make over all rounds), trained
          on in equal random chunks, one per round.

Every policy scores its rows, so band counts and feedback are recorded for all of them.
"""

import json

import polars as pl

from curation.feedback import Feedback, compute_feedback
from curation.selection import select, with_selected
from ouroboros.evalset import load_evalset, train_inputs
from ouroboros.inputs import load_history
from ouroboros.params import Params, solver_frames
from ouroboros.record import record_round
from ouroboros.steps import (
    curated_rows,
    eval_scores,
    filter_after_scoring,
    random_slice,
    scorable,
    score_rows,
)
from ouroboros.workspace import Workspace, read_json
from training.batches import SAMPLE_COLUMNS
from training.sft import train
from training.solver import load_solver


def solver_source(params: Params, ws: Workspace, prev: int) -> str:
    """Round `prev`'s saved solver, or the configured checkpoint when round 0 kept it as is."""
    saved = ws.solver_dir(prev)
    return str(saved) if (saved / "solver.json").is_file() else params.solver.spec


def round_rows(n: int, params: Params, ws: Workspace, previous: Feedback) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(curated rows of round `n` under the loop policy, the frames of the training scenes)."""
    train_scenes, frames = train_inputs(params, ws)
    policy = params.loop.policy
    if policy == "static":
        ids = [r.id for r in params.rounds] or [n]
        rows = curated_rows(params.proposer, params.seed, params, train_scenes, frames,
                            params.proposer.per_round * len(ids), None, round=min(ids), split="train")
        return rows.with_columns(pl.lit(n, pl.Int32).alias("round")), frames
    if policy == "open":
        return curated_rows(params.proposer, params.seed, params, train_scenes, frames, params.proposer.per_round,
                            None, round=n, split="train"), frames
    # closed: task weights from the feedback, and each scene's own history (curation.history)
    history = load_history(ws.lake(), n, params.bands)
    return curated_rows(params.proposer, params.seed, params, train_scenes, frames, params.proposer.per_round,
                        previous, round=n, split="train", history=history), frames


def choose(n: int, rows: pl.DataFrame, scores: pl.DataFrame, feedback: Feedback, params: Params) -> pl.DataFrame:
    """The training slice under the loop policy."""
    budget = params.selection.budget
    if params.loop.policy == "static":
        ids = sorted(r.id for r in params.rounds) or [n]
        pool = random_slice(scorable(rows), budget * len(ids), params.seed)
        return pool.slice(ids.index(n) * budget, budget)
    if params.loop.policy == "open":
        return random_slice(scorable(rows), budget, params.seed)
    picked, _ = select(rows, params.selection, seed=params.seed, scores=scores.filter(~pl.col("blind")),
                       bands=params.bands, task_weights=feedback.task_weights())
    return picked


def run_round(n: int, prev: int, params: Params, ws: Workspace) -> dict:
    previous = Feedback.from_json(json.dumps(read_json(ws.feedback_path(prev), f"round {prev} feedback")))
    rows, frames = round_rows(n, params, ws, previous)

    solver = load_solver(solver_source(params, ws, prev), seed=params.seed, **solver_frames(params))
    candidates = scorable(rows)
    scoring = {"round": n, "solver_name": f"r{prev}", "batch_size": params.solver.score_batch_size}
    scores = pl.concat([score_rows(solver, candidates, frames, blind=False, **scoring),
                        score_rows(solver, candidates, frames, blind=True, **scoring)])
    if params.loop.policy == "closed":
        history = ws.lake().scan("scores").filter(pl.col("round") < n).collect()
        rows = filter_after_scoring(rows, pl.concat([history, scores]), params)
    feedback = compute_feedback(rows, scores, round=n, params=params.feedback, bands=params.bands, previous=previous)
    picked = choose(n, rows, scores, feedback, params)
    rows = with_selected(rows, picked)

    metrics = {"train": train(solver, picked.select(SAMPLE_COLUMNS), frames, ws.solver_dir(n), params.train,
                              resume=ws.solver_dir(prev))}
    evalset, eval_frames = load_evalset(ws)
    metrics |= eval_scores(solver, evalset, eval_frames, params)
    return record_round(n, prev, params, ws, rows=rows, scores=scores, feedback=feedback, metrics=metrics)
