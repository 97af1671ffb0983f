"""Stage `round@N`: one turn of the loop.

    ouro round N --prev M      (dvc.yaml stage `round`, foreach over params `rounds`)

propose (steered by round M's feedback) -> execute -> filter -> score with round M's
solver (out of sample) -> confidence filters -> select -> train from round M's solver
-> evaluate on the held-out set -> feedback for round N+1. The ablation runs the same
function with the loop opened (no feedback, random selection).
"""

import json
from dataclasses import dataclass

import polars as pl

from curation.feedback import Feedback, compute_feedback
from curation.selection import SelectionParams, select, with_selected
from ouroboros.evalset import load_evalset, train_inputs
from ouroboros.inputs import load_history
from ouroboros.params import Params
from ouroboros.prepare import solver_frames
from ouroboros.record import record_round
from ouroboros.steps import (
    SAMPLE_COLUMNS,
    curated_rows,
    eval_scores,
    filter_after_scoring,
    random_slice,
    scorable,
    score_rows,
)
from ouroboros.workspace import Workspace, read_json
from training.sft import train
from training.solver import load_solver


@dataclass(frozen=True)
class LoopMode:
    """What the ablation varies; the pipeline always runs the closed loop."""

    feedback: bool = True  # steer the proposer with the previous round's feedback
    selection: str = "frontier"  # frontier (confidence-based) | random


def solver_source(params: Params, ws: Workspace, prev: int) -> str:
    """Round `prev`'s saved solver, or the configured checkpoint when round 0 kept it as is."""
    saved = ws.solver_dir(prev)
    return str(saved) if (saved / "solver.json").is_file() else params.solver.spec


def choose(rows: pl.DataFrame, scores: pl.DataFrame, params: Params, mode: LoopMode) -> pl.DataFrame:
    """The training slice: confidence-based selection, or (open loop) valid rows at random."""
    s = params.selection
    if mode.selection == "random":
        return random_slice(scorable(rows), s.budget, params.seed)
    selection = SelectionParams(seed=params.seed, tau_easy=s.tau_easy, frontier=s.frontier,
                                unscored_distance=s.unscored_distance)
    picked, _ = select(rows, s.budget, selection, scores=scores.filter(~pl.col("blind")))
    return picked


def run_round(n: int, prev: int, params: Params, ws: Workspace, mode: LoopMode = LoopMode()) -> dict:
    previous = Feedback.from_json(json.dumps(read_json(ws.feedback_path(prev), f"round {prev} feedback")))
    train_scenes, frames = train_inputs(params, ws)
    rows = curated_rows(params.proposer, params.seed, params, train_scenes, frames, params.proposer.per_round,
                        previous if mode.feedback else None, round=n, split="train",
                        history=load_history(ws.lake(), n) if mode.feedback else None)

    solver = load_solver(solver_source(params, ws, prev), seed=params.seed, **solver_frames(params))
    candidates = scorable(rows)
    scoring = {"round": n, "solver_name": f"r{prev}", "batch_size": params.solver.score_batch_size}
    scores = pl.concat([score_rows(solver, candidates, frames, blind=False, **scoring),
                        score_rows(solver, candidates, frames, blind=True, **scoring)])
    history = ws.lake().scan("scores").filter(pl.col("round") < n).collect()
    rows = filter_after_scoring(rows, pl.concat([history, scores]), params.filters, params.seed)
    picked = choose(rows, scores, params, mode)
    rows = with_selected(rows, picked)

    metrics = {"train": train(solver, picked.select(SAMPLE_COLUMNS), frames, ws.solver_dir(n), params.train)}
    evalset, eval_frames = load_evalset(ws)
    metrics |= eval_scores(solver, evalset, eval_frames, params)
    feedback = compute_feedback(rows, scores, round=n, params=params.feedback, previous=previous)
    return record_round(n, prev, params, ws, rows=rows, scores=scores, feedback=feedback, metrics=metrics)
