"""Stage `round@N`: one turn of the loop.

    ouro round N --prev M      (dvc.yaml stage `round`, foreach over params `rounds`)

propose -> execute -> filter -> score with round M's solver (out of sample, sighted and
blind) -> feedback -> select -> train from round M's solver (`train.method`: SFT, or GRPO,
whose sampled answers become the round's rollouts table) -> evaluate on the held-out set.
What steers the data is params `loop.policy`, a registered policy
(ouroboros.loop_policies; the ablation's arms are runs of this same stage under each
policy, `dvc exp run -S loop.policy=...`):

- closed: the proposer reads round M's feedback, the confidence filters drop easy and
  blind-solvable rows, and the selection takes frontier rows with the task shares of
  this round's feedback (the method);
- open:   the same proposer without feedback; valid rows at random;
- static: one dataset proposed up front, the same whatever the round (round 1's random
          stream, as many proposals as the other arms make over all rounds), trained
          on in equal random chunks, one per round.

Every policy scores its rows, so band counts and feedback are recorded for all of them.
After training, the new solver answers the held-in probe (ouroboros.probe): its gains are
the next round's learning progress, and the signal measures (curation.signal) check them
against this round's steering.
"""

import json
from dataclasses import replace

import polars as pl

from curation.feedback import Feedback, compute_feedback
from curation.selection import with_selected
from ouroboros.engine import start_engine
from ouroboros.jsonio import read_json
from ouroboros.lakes import workspace_lake
from ouroboros.launch import process_device
from ouroboros.loop_policies import LOOP_POLICIES
from ouroboros.params import Params, solver_frames
from ouroboros.probe import measure_probe, probe_rows
from ouroboros.record import record_round
from ouroboros.stages.evalset import load_evalset, train_inputs
from ouroboros.steps import (
    eval_scores,
    filter_after_scoring,
    scorable,
    score_rows,
    solver_scorer,
    train_slice,
)
from ouroboros.workspace import Workspace
from ouroboros.worlds import train_seed
from training.distributed import from_main, is_main
from training.solver import SOLVER_FILE, load_solver


def solver_source(params: Params, ws: Workspace, prev: int) -> str:
    """Round `prev`'s saved solver, or the configured checkpoint when round 0 kept it as is."""
    saved = ws.solver_dir(prev)
    return str(saved) if (saved / SOLVER_FILE).is_file() else params.solver.spec


def decide(n: int, params: Params, ws: Workspace, policy, rows: pl.DataFrame, scores: pl.DataFrame,
           previous: Feedback) -> tuple[pl.DataFrame, Feedback, pl.DataFrame]:
    """(rows with their after-scoring filters and `selected`, round n's feedback, the training slice)."""
    if policy.filter_after_scoring:
        lake = workspace_lake(ws)
        history = lake.scan("scores").filter(pl.col("round") < n).collect()
        rollouts = lake.scan("rollouts").filter(pl.col("round") < n).collect() if lake.partitions("rollouts") else None
        rows = filter_after_scoring(rows, pl.concat([history, scores]), params, rollouts)
    feedback = compute_feedback(rows, scores, round=n, params=params.feedback, bands=params.bands, previous=previous)
    picked = policy.choose(n, rows, scores, feedback, params)
    return with_selected(rows, picked), feedback, picked


def run_round(n: int, prev: int, params: Params, ws: Workspace) -> dict | None:
    """Round `n` from round `prev`; its metrics.json payload (None on ranks other than 0).

    In a process group (ouroboros.launch) every rank runs this: rank 0 alone curates and
    decides (a proposer model samples, so K ranks would propose K different sets) and sends
    the result to the others; all ranks score (each its share of the batches), train (DDP)
    and evaluate; rank 0 alone writes the lake and runs/. A rank that dies before the end
    leaves every table at its last committed version: nothing is written before record_round."""
    policy = LOOP_POLICIES[params.loop.policy]()  # an unknown policy stops the round before any work
    source, solver_name = solver_source(params, ws, prev), f"r{prev}"
    # so does a vLLM server that is not there, or that cannot serve round prev's solver
    scorer = solver_scorer(params.solver, source=source, label=solver_name)
    if is_main():  # rank 0 alone curates
        start_engine(params.curation)  # and so does a RAY_ADDRESS where nothing answers
    previous = Feedback.from_json(json.dumps(read_json(ws.feedback_path(prev), f"round {prev} feedback")))
    scenes, frames = train_inputs(params, ws)
    rows = from_main(lambda: policy.rows(n, params, ws, scenes, frames, previous))

    solver = load_solver(source, seed=params.seed, device=process_device(), **solver_frames(params))
    candidates = scorable(rows)
    scoring = {"round": n, "solver_name": solver_name, "batch_size": params.solver.score_batch_size, "scorer": scorer}
    scores = pl.concat([score_rows(solver, candidates, frames, blind=False, **scoring),
                        score_rows(solver, candidates, frames, blind=True, **scoring)])
    rows, feedback, picked = from_main(lambda: decide(n, params, ws, policy, rows, scores, previous))

    steps = params.train.for_round(train_seed(params.seed, params.train.seed))
    trained, rollouts = train_slice(solver, picked, frames, ws.solver_dir(n), steps, resume=ws.solver_dir(prev),
                                    log_dir=ws.train_log_dir(n))
    metrics = {"train": trained}
    feedback = replace(feedback, probe_solver=f"r{n}", probe=measure_probe(
        solver, probe_rows(ws), frames, params, round=n, label=f"r{n}", before=previous.probe))
    evalset, eval_frames = load_evalset(ws)
    metrics |= eval_scores(solver, evalset, eval_frames, params)
    if not is_main():
        return None
    return record_round(n, prev, params, ws, rows=rows, scores=scores, feedback=feedback, metrics=metrics,
                        previous=previous, rollouts=rollouts)
