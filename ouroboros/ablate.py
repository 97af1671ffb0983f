"""The ablation: data policies at equal compute, on independent worlds, compared per world.

An arm is a registered loop policy (ouroboros.loop_policies) plus params overrides, named
`policy[-variant...]`: `closed-nofilters` is the closed loop without its after-scoring
confidence filters, `closed-learnability` the closed loop steered, selected and banded by
learnability, `balanced-grpo` the balanced policy's rounds trained by GRPO, not SFT
(VARIANTS); any other name in curation.feedback_policies is a variant that sets
`feedback.policy` alone (`closed-spatialevo-success`). Every override is a
params key, so `dvc exp run -S seed=3 -S loop.policy=closed -S 'filters.after_scoring=[]'`
runs the same arm as a DVC experiment (`dvc_lines` writes those lines; docs/ablation.md).

`ablate()` runs the grid in process pools: per seed, the scenes, eval set, pretrained eyes
and warm-start solver are built once (a world: ouroboros.worlds gives each seed its own
rooms and training order) and every arm forks from them, so arms differ only in the data
their rounds train on; every round trains `train.steps_per_round` optimizer steps. Held-out
eval after every round, blind (another scene's frames, blank frames) at round 0 and the
last round.

Statistics: per arm and round, mean and t-based 95% CI over seeds; per pair of arms, the
per-seed differences of the final round and of the area under the eval curve (trapezoid
over rounds 0..R divided by R: a mean score over the run), with t-based 95% CIs
(scipy.stats.t). Pairs: every arm that is not a control minus every control, and `closed`
minus every other arm.
"""

import multiprocessing
import resource
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ouroboros.errors import ParamsError, StageInputError
from ouroboros.jsonio import read_json, write_json
from ouroboros.params import Params, RoundRef, build
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.stages.evalset import build_evalset, load_evalset
from ouroboros.stages.round import run_round
from ouroboros.stages.vision import pretrain
from ouroboros.stages.warm_start import warm_start
from ouroboros.workspace import Workspace

CONTROLS = ("balanced", "open", "static")
DEFAULT_ARMS = ("closed", *CONTROLS, "closed-learnability", "closed-nofilters", "closed-noweights")
# One part of the loop removed at a time (params overrides, so DVC can run them too).
VARIANTS: dict[str, dict[str, Any]] = {
    "nofilters": {"filters.after_scoring": []},  # no trivial / blind_solvable / cartography drops
    "noweights": {"feedback.floor": 1.0},  # every task and bin weighs 1: feedback steers nothing
    "success": {"bands.signal": "success"},  # bands on MRA for numeric rows, not the gold-token probability
    # R-Zero's criterion throughout: feedback weights, the rows the slice prefers, and the bands
    "learnability": {"feedback.policy": "learnability", "selection.prefer": "learnability",
                     "bands.signal": "success"},
    # GRPO rounds instead of SFT (docs/grpo.md) on the same slice, steps, batch_size and lr:
    # train.batch_size counts questions under both methods, so both arms train on equal examples
    # (GRPO samples train.grpo.group_size answers to each); the shared warm start stays SFT.
    "grpo": {"train.method": "grpo"},
}
# What every world of the grid shares: real scenes are the same files for every seed, so
# they would be rooms that all worlds have in common.
GRID_OVERRIDES: dict[str, Any] = {"scenes.meta": []}
DONE = "ablation_arm.json"  # an arm's records, written when its last round is done
COMPUTE = "compute.json"  # a world's or an arm's wall and CPU seconds, summed over resumed runs


def arm_overrides(arm: str) -> dict[str, Any]:
    """The params overrides of `arm`; an unknown policy or variant raises UnknownNameError."""
    from curation.errors import UnknownNameError
    from curation.feedback_policies import FEEDBACK_POLICIES
    from ouroboros.loop_policies import LOOP_POLICIES

    policy, *variants = arm.split("-")
    LOOP_POLICIES[policy]  # the registry's own message for an unknown policy
    out: dict[str, Any] = {"loop.policy": policy}
    for variant in variants:
        if variant in VARIANTS:
            out |= VARIANTS[variant]
        elif variant in FEEDBACK_POLICIES:
            out["feedback.policy"] = variant
        else:
            known = sorted(VARIANTS) + sorted(FEEDBACK_POLICIES)
            raise UnknownNameError(f"arm {arm!r}: no variant named {variant!r}; known: {', '.join(known)}")
    return out


def with_overrides(params: Params, overrides: dict[str, Any]) -> Params:
    """`params` with dotted keys set, checked as params.yaml is (a bad key or value is a ParamsError)."""
    raw = asdict(params)
    for key, value in overrides.items():
        *path, last = key.split(".")
        section = raw
        for part in path:
            if not isinstance(section.get(part), dict):
                raise ParamsError(f"{key}: {part!r} is not a params section")
            section = section[part]
        section[last] = value
    return build(Params, raw)


def dvc_lines(arm: str, seed: int) -> str:
    """`-S` options that make `dvc exp run` run `arm` on the world of `seed`."""
    sets = {"seed": seed} | GRID_OVERRIDES | arm_overrides(arm)
    return " ".join(f"-S '{k}={_yaml(v)}'" for k, v in sets.items())


def _yaml(value: Any) -> str:
    return "[]" if value == [] else str(value)


def common_start(params: Params, root: Path) -> Workspace:
    """Scenes, frames, eval set, pretrained eyes and base solver of one world, shared by every
    arm. Each stage whose output file is there is kept (a grid that was stopped resumes)."""
    ws = Workspace(root / "common")
    stages = ((ws.scenes_fingerprint, build_scenes), (ws.eval_dir / "fingerprint.json", build_evalset),
              (ws.runs / "vision" / "metrics.json", pretrain), (ws.metrics_path(0), warm_start))
    for done, stage in stages:
        if not done.is_file():
            stage(params, ws)
    return ws


def eval_counts(ws: Workspace) -> dict[str, int]:
    """Kept held-out questions per task."""
    rows, _ = load_evalset(ws)
    return dict(rows.group_by("task").len().sort("task").iter_rows())


def fork(common: Workspace, root: Path) -> Workspace:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(common.root, root, ignore=shutil.ignore_patterns(COMPUTE))  # the world's seconds are its own
    return Workspace(root)


def round_record(metrics: dict) -> dict:
    return {"round": metrics["round"], "steps": metrics.get("train", {}).get("steps", 0),
            "n_samples": metrics.get("train", {}).get("n_samples", 0), "eval": metrics["eval"],
            "eval_blind": metrics.get("eval_blind", {}), "eval_blank": metrics.get("eval_blank", {})}


def run_arm(params: Params, common: Workspace, root: Path) -> list[dict]:
    """Round 0 (the shared base) and every round of `params.rounds`; blind eval only at the
    last round (round 0 has it), which is what the blind-vs-sighted check compares."""
    if (root / DONE).is_file():
        return read_json(root / DONE, "an arm's records")
    ws = fork(common, root)
    out = [round_record(read_json(ws.metrics_path(0), "base metrics") | {"round": 0})]
    last = params.rounds[-1].id
    for r in params.rounds:
        sighted_only = replace(params, eval=replace(params.eval, blind=params.eval.blind and r.id == last))
        out.append(round_record(run_round(r.id, r.prev, sighted_only, ws)))
    write_json(root / DONE, out)
    return out


def _world(params: Params, root: Path, threads: int) -> None:
    _threads(threads)
    with compute_meter(root / "common"):
        common_start(params, root)


def _arm(params: Params, common_root: Path, root: Path, threads: int) -> None:
    _threads(threads)
    with compute_meter(root):
        run_arm(params, Workspace(common_root), root)


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (the sandbox workers
    that execute the programs are child processes; each pool is closed by the step that opened it)."""
    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage,
                                                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


@contextmanager
def compute_meter(folder: Path) -> Iterator[None]:
    """Adds the wall and CPU seconds of the block to `folder`/compute.json. The CPU seconds
    are what a quiet machine would need too: on a shared one the wall time is not (docs/ablation.md)."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    try:
        yield
    finally:  # a failed run spent its seconds too
        path = folder / COMPUTE
        spent = read_json(path, "compute seconds") if path.is_file() else {"wall_s": 0.0, "cpu_s": 0.0}
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, {"wall_s": spent["wall_s"] + time.perf_counter() - wall,
                          "cpu_s": spent["cpu_s"] + _cpu_seconds() - cpu})


def _threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def ablate(params: Params, root: Path, rounds: int, seeds: list[int], arms=DEFAULT_ARMS, *,
           jobs: int = 1, threads: int = 1) -> dict:
    """Run the grid (`jobs` processes of `threads` torch threads each; finished worlds and
    arms under `root` are reused) and write its `report`."""
    params = with_overrides(params, GRID_OVERRIDES)
    params = replace(params, rounds=[RoundRef(id=n, prev=n - 1) for n in range(1, rounds + 1)])
    armed = {arm: with_overrides(params, arm_overrides(arm)) for arm in arms}  # every name checked first
    # In seed order, a world before its arms and a world's arms before the next world, so
    # that a grid stopped early has whole seeds; at most `jobs` tasks run at once.
    tasks = [(seed, arm) for seed in seeds for arm in (None, *armed)]
    running: dict[Future, tuple[int, str | None]] = {}
    built: set[int] = set()
    context = multiprocessing.get_context("spawn")  # torch's threads do not survive fork
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        while tasks or running:
            ready = [t for t in tasks if t[1] is None or t[0] in built][: jobs - len(running)]
            for seed, arm in ready:
                tasks.remove((seed, arm))
                world = root / f"seed{seed}"
                future = (pool.submit(_world, replace(params, seed=seed), world, threads) if arm is None else
                          pool.submit(_arm, replace(armed[arm], seed=seed), world / "common", world / arm, threads))
                running[future] = (seed, arm)
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                seed, arm = running.pop(future)
                future.result()  # a failed world or arm stops the grid; what finished is kept
                if arm is None:
                    built.add(seed)
    return report(params, root, seeds, arms)


def report(params: Params, root: Path, seeds: list[int], arms=DEFAULT_ARMS) -> dict:
    """The grid's results over the seeds where every arm has finished (all of them after
    `ablate`; fewer while it runs), written to root/ablation.json: {"seeds", "rounds",
    "arms" (overrides), "eval_counts" (per seed, kept eval rows per task), "runs" {arm: {seed:
    records}}, "summary", "paired", "blind"}."""
    done = [s for s in seeds if all((root / f"seed{s}" / arm / DONE).is_file() for arm in arms)]
    if len(done) < 2:
        raise StageInputError(f"{root}: {len(done)} seed(s) have every arm finished; paired CIs need 2")
    runs = {arm: {str(s): read_json(root / f"seed{s}" / arm / DONE, "an arm's records") for s in done}
            for arm in arms}
    counts = {str(s): eval_counts(Workspace(root / f"seed{s}" / "common")) for s in done}
    rounds = len(runs[arms[0]][str(done[0])]) - 1
    result = {"seeds": done, "rounds": rounds,
              "steps_per_round": params.train.steps_per_round, "budget_per_round": params.selection.budget,
              "arms": {arm: arm_overrides(arm) for arm in arms}, "eval_counts": counts, "runs": runs,
              "summary": summarize(runs), "paired": paired(runs), "blind": blind_gains(runs),
              "compute": compute(root, done, arms), "signal": signal_summary(root, done, arms, rounds)}
    write_json(root / "ablation.json", result)
    return result


def signal_summary(root: Path, seeds: list[int], arms, rounds: int) -> dict:
    """Per arm, what its rounds measured of the difficulty signal (curation.signal), each a
    mean and 95% CI over seeds of the seed's mean over rounds 1..R: the AUROC of confidence
    for correctness, the share of scored rows in the frontier band, the effective number of
    (task, bin) cells the selected slice spreads over, and the Spearman correlation between
    each steering statistic and the next round's gain on the held-in probe."""
    out = {}
    for arm in arms:
        per_seed: dict[str, list[float]] = {}
        for seed in seeds:
            ws = Workspace(root / f"seed{seed}" / arm)
            values: dict[str, list[float]] = {}
            for n in range(1, rounds + 1):
                signal = read_json(ws.metrics_path(n), "round metrics").get("signal", {})
                for name, value in _signal_values(signal).items():
                    if value is not None and np.isfinite(value):
                        values.setdefault(name, []).append(value)
            for name, seen in values.items():
                per_seed.setdefault(name, []).append(float(np.mean(seen)))
        out[arm] = {name: mean_ci(v) for name, v in sorted(per_seed.items())}
    return out


def _signal_values(signal: dict) -> dict[str, float | None]:
    overall = signal.get("confidence", {}).get("overall", {})
    shares = signal.get("bands", {}).get("success", {}).get("overall", {})
    values = {"auroc": overall.get("auroc"), "frontier_share": shares.get("frontier"),
              "cells_selected": signal.get("effective_cells", {}).get("selected", {}).get("exp_entropy")}
    for statistic, fit in signal.get("steering", {}).items():
        values[f"steering_{statistic}"] = fit.get("spearman")
    return values


def compute(root: Path, seeds: list[int], arms) -> dict:
    """Wall and CPU seconds per world build and per arm, summed over `seeds` (0 where a run
    predates the meter), and the whole grid's CPU seconds."""
    def spent(folder: Path) -> dict:
        path = folder / COMPUTE
        return read_json(path, "compute seconds") if path.is_file() else {"wall_s": 0.0, "cpu_s": 0.0}

    def total(folders: list[Path]) -> dict:
        runs = [spent(f) for f in folders]
        return {key: sum(r[key] for r in runs) for key in ("wall_s", "cpu_s")}

    worlds = total([root / f"seed{s}" / "common" for s in seeds])
    per_arm = {arm: total([root / f"seed{s}" / arm for s in seeds]) for arm in arms}
    return {"worlds": worlds, "arms": per_arm,
            "cpu_s": worlds["cpu_s"] + sum(a["cpu_s"] for a in per_arm.values())}


def mean_ci(values: list[float]) -> tuple[float, float]:
    """(mean, 95% CI half-width by Student's t) of a sample; the half-width is 0 for one value."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return float(x.mean()), 0.0
    return float(x.mean()), float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))


def auc(curve: list[float]) -> float:
    """Area under a per-round curve over rounds 0..R by the trapezoid rule, divided by R: the
    run's mean score, with the shared round 0 and the last round weighing half."""
    return float(np.trapezoid(curve) / (len(curve) - 1)) if len(curve) > 1 else float(curve[0])


def _overall(records: list[dict], key: str = "eval") -> list[float]:
    return [r[key]["overall"] for r in records]


def summarize(runs: dict[str, dict[str, list[dict]]]) -> dict:
    """Per arm: per round, mean/CI over seeds of the overall eval, of each task, and of both
    blind controls where measured; and mean/CI of the AUC."""
    out: dict = {"arms": {}}
    for arm, per_seed in runs.items():
        records = list(per_seed.values())
        rows = []
        for i, first in enumerate(records[0]):
            at = [r[i] for r in records]
            row = {"round": first["round"], "steps": first["steps"], "n_seeds": len(at)}
            for task in sorted({t for r in at for t in r["eval"]}):
                row[task] = mean_ci([r["eval"][task] for r in at if task in r["eval"]])
            for key, name in (("eval_blind", "blind"), ("eval_blank", "blank")):
                if all(r[key] for r in at):
                    row[name] = mean_ci([r[key]["overall"] for r in at])
            rows.append(row)
        out["arms"][arm] = {"rounds": rows, "auc": mean_ci([auc(_overall(r)) for r in records])}
    return out


def pairs(arms: list[str]) -> list[tuple[str, str]]:
    """(treatment, control) pairs: each non-control arm minus each control, and closed minus
    each other non-control arm."""
    treatments = [a for a in arms if a not in CONTROLS]
    out = [(a, c) for a in treatments for c in arms if c in CONTROLS]
    if "closed" in arms:
        out += [("closed", a) for a in treatments if a != "closed"]
    return out


def paired_ci(differences: list[float]) -> dict:
    mean, half = mean_ci(differences)
    return {"mean": mean, "half": half, "low": mean - half, "high": mean + half, "n": len(differences),
            "per_seed": differences}


def paired(runs: dict[str, dict[str, list[dict]]]) -> dict:
    """Per pair "a - b": per-seed differences of the AUC and of the final round, with their
    t-based 95% CIs, over the seeds both arms have."""
    out = {}
    for a, b in pairs(list(runs)):
        seeds = sorted(set(runs[a]) & set(runs[b]), key=int)
        ra, rb = [runs[a][s] for s in seeds], [runs[b][s] for s in seeds]
        out[f"{a} - {b}"] = {
            "auc": paired_ci([auc(_overall(x)) - auc(_overall(y)) for x, y in zip(ra, rb, strict=True)]),
            "final": paired_ci([_overall(x)[-1] - _overall(y)[-1] for x, y in zip(ra, rb, strict=True)]),
        }
    return out


def blind_gains(runs: dict[str, dict[str, list[dict]]]) -> dict:
    """Per arm: the change from round 0 to the last round, sighted and under each blind
    control (mean and 95% CI over seeds): a sighted gain the blind score shares is not vision."""
    out = {}
    for arm, per_seed in runs.items():
        records = list(per_seed.values())
        out[arm] = {name: mean_ci([r[-1][key]["overall"] - r[0][key]["overall"] for r in records])
                    for key, name in (("eval", "sighted"), ("eval_blind", "blind"), ("eval_blank", "blank"))
                    if all(r[-1][key] and r[0][key] for r in records)}
    return out


def plot(result: dict, path: Path) -> Path:
    """Left: held-out eval per round, one line per arm with its 95% CI band, the other-scene
    blind score dashed at rounds 0 and R. Right: paired differences (AUC and final round)
    with their 95% CIs. Written as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    import matplotlib.pyplot as plt

    fig, (curves, diffs) = plt.subplots(1, 2, figsize=(13, 5), dpi=110, gridspec_kw={"width_ratios": [1.1, 1]})
    for arm, summary in result["summary"]["arms"].items():
        rows = summary["rounds"]
        x = [r["round"] for r in rows]
        mean, half = np.array([r["overall"][0] for r in rows]), np.array([r["overall"][1] for r in rows])
        (line,) = curves.plot(x, mean, marker="o", label=f"{arm} (n={rows[0]['n_seeds']})")
        curves.fill_between(x, mean - half, mean + half, color=line.get_color(), alpha=0.12)
        blind = [(r["round"], r["blind"][0]) for r in rows if "blind" in r]
        if blind:
            curves.plot(*zip(*blind, strict=True), linestyle="--", color=line.get_color(), alpha=0.6)
    curves.set_xlabel(f"round ({result['steps_per_round']} optimizer steps each; dashed: blind, other scene's frames)")
    curves.set_ylabel("held-out VSI-Bench score (overall)")
    curves.set_title("mean and 95% CI over independent worlds")
    curves.grid(alpha=0.3)
    curves.legend(fontsize=7)
    names = list(result["paired"])
    y = np.arange(len(names))
    for offset, key, marker in ((-0.15, "auc", "o"), (0.15, "final", "s")):
        d = [result["paired"][n][key] for n in names]
        diffs.errorbar([v["mean"] for v in d], y + offset, xerr=[v["half"] for v in d], fmt=marker, capsize=3,
                       label="area under the curve" if key == "auc" else "final round")
    diffs.axvline(0, color="black", linewidth=0.8)
    diffs.set_yticks(y, names, fontsize=7)
    diffs.invert_yaxis()
    diffs.set_xlabel("paired difference, points (mean and 95% t-CI over worlds)")
    diffs.set_title("who beats whom, per world")
    diffs.grid(alpha=0.3, axis="x")
    diffs.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
