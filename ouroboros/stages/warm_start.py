"""Stage `warm_start`: the round-0 solver that scores round 1's questions (params `warm_start`).

    ouro warm-start     (dvc.yaml stage `warm_start`)

A tiny solver starts from the `vision` stage's pretrained encoder (random elsewhere);
it is uniformly unsure, so its confidences would carry no signal: it is warm-started
on a static slice of `warm_start.budget` valid questions
(uniform over tasks, chosen at random), then scores `warm_start.probe` further questions
out of sample to seed round 1's feedback. A real checkpoint (`solver.spec` a
directory) is used as it is: it only scores the probe.

The probe is the held-in probe of every later round (ouroboros.probe); the tiny solver
also scores it before the warm start trains, so round 1's feedback already knows which
cells the warm start moved.
"""

from dataclasses import replace

from curation.feedback import compute_feedback
from curation.selection import with_selected
from ouroboros.params import Params, solver_frames
from ouroboros.probe import measure_probe
from ouroboros.record import record_round
from ouroboros.stages.evalset import load_evalset, train_inputs
from ouroboros.stages.vision import pretrained_solver
from ouroboros.steps import (
    curated_rows,
    eval_scores,
    random_slice,
    scorable,
    score_rows,
)
from ouroboros.workspace import Workspace
from ouroboros.worlds import train_seed
from training.batches import SAMPLE_COLUMNS
from training.sft import train
from training.solver import load_solver

# About a third of template proposals fail execution or a filter; proposing this much more
# leaves enough valid rows for the warm-start slice and the probe.
OVERPROPOSE = 1.6


def warm_start(params: Params, ws: Workspace) -> dict:
    train_scenes, frames = train_inputs(params, ws)
    b = params.warm_start
    rows = curated_rows(params.proposer, params.seed, params, train_scenes, frames,
                        int(OVERPROPOSE * (b.budget + b.probe)), None, round=0, split="train")
    shuffled = random_slice(scorable(rows), b.budget + b.probe, params.seed)
    warm, probe = shuffled.head(b.budget), shuffled.slice(b.budget)
    solver = load_solver(pretrained_solver(params, ws), seed=params.seed, **solver_frames(params))
    metrics: dict = {}
    before = ()
    if params.solver.spec == "tiny":
        before = measure_probe(solver, probe, frames, params, round=0, label="untrained")
        metrics["train"] = train(solver, warm.select(SAMPLE_COLUMNS), frames, ws.solver_dir(0),
                                 # SFT whatever train.method: GRPO needs a solver that already answers
                                 replace(params.train, method="sft", epochs=b.epochs, max_steps=0,
                                         seed=train_seed(params.seed, params.train.seed)),
                                 log_dir=ws.train_log_dir(0))
        rows = with_selected(rows, warm)
    else:
        ws.round_dir(0).mkdir(parents=True, exist_ok=True)
    scores = score_rows(solver, probe, frames, round=0, solver_name="r0", blind=False,
                        batch_size=params.solver.score_batch_size)
    feedback = compute_feedback(rows, scores, round=0, params=params.feedback, bands=params.bands)
    feedback = replace(feedback, probe_solver="r0",
                       probe=measure_probe(solver, probe, frames, params, round=0, label="r0", before=before,
                                           scores=scores))
    evalset, eval_frames = load_evalset(ws)
    metrics |= eval_scores(solver, evalset, eval_frames, params)
    return record_round(0, 0, params, ws, rows=rows, scores=scores, feedback=feedback, metrics=metrics)
