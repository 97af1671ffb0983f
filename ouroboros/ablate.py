"""The ablation: the same example budget under three data policies, over several seeds.

The arms are the pipeline's own rounds under params `loop.policy` (closed | open |
static, see ouroboros.stages.round), so `dvc exp run -S loop.policy=static -S seed=1` runs one
arm as a DVC experiment. `ablate()` runs the whole grid in process, which is faster:
per seed, the scenes, eval set and base solver are built once and every policy forks
from them, so the arms differ only in the data their rounds train on. Every arm trains
on `selection.budget` rows per round and is evaluated on the same held-out questions,
sighted and blind, after every round.

The summary gives, per policy and round, the mean and a 95% confidence interval over
seeds (Student's t: with 3 seeds the half-width is 4.3 standard errors, so a claim needs
a real gap), the examples seen so far, and examples-to-target: how many training
examples each policy needed to reach static's final mean score.
"""

import math
import shutil
import statistics
from dataclasses import replace
from pathlib import Path

from ouroboros.jsonio import read_json, write_json
from ouroboros.params import LoopParams, Params, RoundRef
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.stages.evalset import build_evalset
from ouroboros.stages.round import run_round
from ouroboros.stages.vision import pretrain
from ouroboros.stages.warm_start import warm_start
from ouroboros.workspace import Workspace

POLICIES = ("closed", "open", "static")
# Student's t quantile t(0.975, df) for df = 1..10; beyond that the normal 1.96 is within 5%.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)


def common_start(params: Params, root: Path) -> Workspace:
    """Scenes, frames, eval set, pretrained eyes and base solver of one seed, shared by every policy."""
    ws = Workspace(root / "common")
    build_scenes(params, ws)
    build_evalset(params, ws)
    pretrain(params, ws)
    warm_start(params, ws)
    return ws


def fork(common: Workspace, root: Path) -> Workspace:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(common.root, root)
    return Workspace(root)


def round_record(metrics: dict, examples: int) -> dict:
    return {"round": metrics["round"], "examples": examples, "eval": metrics["eval"],
            "eval_blind": metrics.get("eval_blind", {})}


def run_arm(params: Params, common: Workspace, root: Path, policy: str) -> list[dict]:
    """Round 0 (the shared base) and every round of `params.rounds` under `policy`."""
    params = replace(params, loop=LoopParams(policy=policy))
    ws = fork(common, root)
    out = [round_record(read_json(ws.metrics_path(0), "base metrics") | {"round": 0}, 0)]
    for r in params.rounds:
        metrics = run_round(r.id, r.prev, params, ws)
        out.append(round_record(metrics, out[-1]["examples"] + metrics["train"]["n_samples"]))
    return out


def ablate(params: Params, root: Path, rounds: int, seeds: list[int], policies=POLICIES) -> dict:
    """{"runs": {policy: {seed: [per-round records]}}, "summary": summarize(runs)}, also
    written to root/ablation.json."""
    params = replace(params, rounds=[RoundRef(id=n, prev=n - 1) for n in range(1, rounds + 1)])
    runs: dict[str, dict[str, list[dict]]] = {p: {} for p in policies}
    for seed in seeds:
        seeded = replace(params, seed=seed)
        common = common_start(seeded, root / f"seed{seed}")
        for policy in policies:
            runs[policy][str(seed)] = run_arm(seeded, common, root / f"seed{seed}" / policy, policy)
    result = {"seeds": seeds, "rounds": rounds, "budget_per_round": params.selection.budget,
              "runs": runs, "summary": summarize(runs)}
    write_json(root / "ablation.json", result)
    return result


def mean_ci(values: list[float]) -> tuple[float, float]:
    """(mean, 95% CI half-width) of a sample; the half-width is 0 for a single value."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, 0.0
    df = len(values) - 1
    t = T975[df - 1] if df <= len(T975) else 1.96
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))


def summarize(runs: dict[str, dict[str, list[dict]]]) -> dict:
    """Per policy: per round, examples seen and mean/CI of overall eval, blind eval, and
    each task; plus examples-to-target against static's final mean."""
    out: dict = {"policies": {}}
    for policy, per_seed in runs.items():
        records = list(per_seed.values())
        rows = []
        for i, first in enumerate(records[0]):
            at = [r[i] for r in records]
            tasks = sorted({t for r in at for t in r["eval"]})
            row = {"round": first["round"], "examples": first["examples"], "n_seeds": len(at)}
            for t in tasks:
                row[t] = mean_ci([r["eval"][t] for r in at if t in r["eval"]])
            if all(r["eval_blind"] for r in at):
                row["blind"] = mean_ci([r["eval_blind"]["overall"] for r in at])
            rows.append(row)
        out["policies"][policy] = rows
    if "static" in out["policies"]:
        target = out["policies"]["static"][-1]["overall"][0]
        out["target"] = target
        out["examples_to_target"] = {
            policy: next((r["examples"] for r in rows if r["overall"][0] >= target), None)
            for policy, rows in out["policies"].items()
        }
    return out


def plot(summary: dict, path: Path) -> Path:
    """Held-out eval vs training examples seen, one line per policy with its 95% CI band,
    blind dashed; written as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for policy, rows in summary["policies"].items():
        x = [r["examples"] for r in rows]
        mean = [r["overall"][0] for r in rows]
        half = [r["overall"][1] for r in rows]
        (line,) = ax.plot(x, mean, marker="o", label=f"{policy} (n={rows[0]['n_seeds']})")
        ax.fill_between(x, [m - h for m, h in zip(mean, half, strict=True)],
                        [m + h for m, h in zip(mean, half, strict=True)], color=line.get_color(), alpha=0.15)
        if all("blind" in r for r in rows):
            ax.plot(x, [r["blind"][0] for r in rows], linestyle="--", color=line.get_color(), alpha=0.7,
                    label=f"{policy}, blind")
    ax.set_xlabel("training examples seen (after the shared warm start)")
    ax.set_ylabel("held-out VSI-Bench score (overall)")
    ax.set_title("closed vs open vs static at equal budget: mean and 95% CI over seeds")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
