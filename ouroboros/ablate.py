"""The ablation: the same example budget under three data policies.

- closed: the loop as built (feedback steers the proposer, confidence-based selection);
- open:   the same proposer without feedback, valid rows chosen at random;
- static: one round-0 dataset of the whole budget (rounds x budget rows proposed and
          chosen at random up front), trained on in equal chunks, one per round.

All three start from the same scenes, eval set and base solver (built once), train on
`selection.budget` rows per round, and are evaluated on the same held-out questions,
sighted and blind, after every round.
"""

import shutil
from dataclasses import replace
from pathlib import Path

from ouroboros.base import train_base
from ouroboros.evalset import build_evalset, load_evalset, train_inputs
from ouroboros.params import Params, RoundRef
from ouroboros.prepare import prepare, solver_frames
from ouroboros.round import LoopMode, run_round, solver_source
from ouroboros.steps import SAMPLE_COLUMNS, curated_rows, eval_scores, random_slice, scorable
from ouroboros.workspace import Workspace, read_json, write_json
from training.sft import train
from training.solver import load_solver

POLICIES = ("closed", "open", "static")


def common_start(params: Params, root: Path) -> Workspace:
    """Scenes, frames, eval set and base solver, shared by every policy."""
    ws = Workspace(root / "common")
    prepare(params, ws)
    build_evalset(params, ws)
    train_base(params, ws)
    return ws


def fork(common: Workspace, root: Path) -> Workspace:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(common.root, root)
    return Workspace(root)


def static_rounds(params: Params, ws: Workspace, rounds: int) -> list[dict]:
    """Train on one up-front random dataset of rounds x budget rows, a chunk per round."""
    train_scenes, frames = train_inputs(params, ws)
    budget = params.selection.budget
    rows = curated_rows(params.proposer, params.seed, params, train_scenes, frames,
                        params.proposer.per_round * rounds, None, round=1, split="train")
    pool = random_slice(scorable(rows), budget * rounds, params.seed)
    evalset, eval_frames = load_evalset(ws)
    out = []
    for n in range(1, rounds + 1):
        solver = load_solver(solver_source(params, ws, n - 1), seed=params.seed, **solver_frames(params))
        chunk = pool.slice((n - 1) * budget, budget)
        metrics = {"train": train(solver, chunk.select(SAMPLE_COLUMNS), frames, ws.solver_dir(n), params.train,
                                  resume=ws.solver_dir(n - 1))}
        out.append({"round": n, **metrics, **eval_scores(solver, evalset, eval_frames, params)})
    return out


def ablate(params: Params, root: Path, rounds: int, policies=POLICIES) -> dict:
    """{policy: [per-round {round, eval, eval_blind, train}]}, also written to root/ablation.json."""
    params = replace(params, rounds=[RoundRef(id=n, prev=n - 1) for n in range(1, rounds + 1)])
    common = common_start(params, root)
    base = load_base_metrics(common)
    results = {}
    for policy in policies:
        ws = fork(common, root / policy)
        if policy == "static":
            per_round = static_rounds(params, ws, rounds)
        else:
            mode = LoopMode() if policy == "closed" else LoopMode(feedback=False, selection="random")
            per_round = [run_round(n, n - 1, params, ws, mode) for n in range(1, rounds + 1)]
        results[policy] = [base, *[{k: r[k] for k in ("round", "eval", "eval_blind") if k in r} for r in per_round]]
    write_json(root / "ablation.json", {"seed": params.seed, "rounds": rounds,
                                        "budget_per_round": params.selection.budget, "results": results})
    return results


def load_base_metrics(ws: Workspace) -> dict:
    m = read_json(ws.metrics_path(0), "base metrics")
    return {"round": 0, "eval": m["eval"], "eval_blind": m.get("eval_blind", {})}
