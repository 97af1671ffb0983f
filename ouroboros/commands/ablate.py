"""`ouro ablate`: data policies at equal compute on independent worlds, compared per world."""

import os
from pathlib import Path

import typer
import yaml

from ouroboros.console import Grid, console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.params import load_params
from ouroboros.registered import check_registered_names

DEFAULT_POLICIES = "closed,balanced,open,static,closed-learnability,closed-nofilters,closed-noweights"


def _cell(value: tuple[float, float] | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value[0]:.{digits}f} ± {value[1]:.{digits}f}"


def ablation_table(summary: dict) -> Grid:
    """One row per arm and round: overall and both blind controls (mean ± 95% CI half-width)."""
    table = Grid("held-out eval x100, mean ± 95% CI over worlds",
                 [("arm", "key"), ("round", "num"), ("overall", "num"), ("blind", "num"), ("blank", "num")])
    for arm, s in summary["arms"].items():
        for r in s["rounds"]:
            table.add_row(arm, r["round"], _cell(r["overall"]), _cell(r.get("blind")), _cell(r.get("blank")))
        table.add_row(arm, "AUC", _cell(s["auc"]), "", "")
    return table


def paired_table(paired: dict) -> Grid:
    table = Grid("paired differences per world, points: mean [95% CI]",
                 [("pair", "key"), ("AUC", "num"), ("final round", "num")])
    for name, d in paired.items():
        table.add_row(name, _diff(d["auc"]), _diff(d["final"]))
    return table


def _diff(d: dict) -> str:
    return f"{d['mean']:+.1f} [{d['low']:+.1f}, {d['high']:+.1f}]"


def _md(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|---" * len(header) + "|",
            *("| " + " | ".join(r) + " |" for r in rows), ""]


def markdown(result: dict) -> str:
    """The tables of docs/ablation.md: per arm and round, paired differences, blind gains, eval counts."""
    arms = result["summary"]["arms"]
    rounds = [f"round {r['round']}" for r in next(iter(arms.values()))["rounds"]]
    tasks = sorted({t for counts in result["eval_counts"].values() for t in counts})
    return "\n".join([
        *_md(["arm", *rounds, "AUC"], [[arm, *(_cell(r["overall"]) for r in s["rounds"]), _cell(s["auc"])]
                                        for arm, s in arms.items()]),
        *_md(["pair (a - b)", "AUC: mean [95% CI]", "final round: mean [95% CI]"],
             [[name, _diff(d["auc"]), _diff(d["final"])] for name, d in result["paired"].items()]),
        *_md(["arm", "sighted gain, round 0 to last", "blind (other scene) gain", "blank-frames gain"],
             [[arm, *(_cell(g.get(k)) for k in ("sighted", "blind", "blank"))] for arm, g in result["blind"].items()]),
        *_md(["world (seed)", *tasks, "total"],
             [[seed, *(str(c.get(t, 0)) for t in tasks), str(sum(c.values()))]
              for seed, c in result["eval_counts"].items()]),
        *_signal_md(result["signal"]),
        *_md(["compute", "wall minutes", "CPU minutes"],
             [[name, f"{c['wall_s'] / 60:.1f}", f"{c['cpu_s'] / 60:.1f}"] for name, c in _compute_rows(result)]),
        compute_line(result["compute"]),
    ])


def _signal_md(signal: dict) -> list[str]:
    """Per arm, the signal measurements (ouroboros.ablate.signal_summary), mean ± CI over worlds."""
    names = sorted({name for values in signal.values() for name in values})
    return _md(["arm", *names], [[arm, *(_cell(values.get(n), 2) for n in names)] for arm, values in signal.items()])


def _compute_rows(result: dict) -> list[tuple[str, dict]]:
    return [(f"worlds ({len(result['seeds'])})", result["compute"]["worlds"]),
            *((f"arm {arm}", c) for arm, c in result["compute"]["arms"].items())]


def compute_line(compute: dict, cores: int = 2) -> str:
    """The grid's CPU time, and the least wall time it needs on `cores` cores."""
    return (f"compute: {compute['cpu_s'] / 60:.1f} CPU minutes in all, so at least "
            f"{compute['cpu_s'] / 60 / cores:.1f} minutes of wall time on {cores} cores")


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.replace(",", " ").split()]
    except ValueError:
        raise CliInputError(f"--seeds: expected integers like 0,1,2, got {text!r}") from None
    if len(set(seeds)) != len(seeds) or any(s < 0 for s in seeds):
        raise CliInputError(f"--seeds: expected distinct non-negative integers, got {text!r}")
    if len(seeds) < 2:
        raise CliInputError(f"--seeds: paired confidence intervals need at least 2 seeds, got {text!r}")
    return seeds


def parse_arms(text: str) -> list[str]:
    from curation.errors import UnknownNameError
    from ouroboros.ablate import arm_overrides

    arms = [a for a in text.replace(",", " ").split() if a]
    if len(set(arms)) != len(arms) or len(arms) < 2:
        raise CliInputError(f"--policies: expected at least 2 distinct arms, got {text!r}")
    for arm in arms:
        try:
            arm_overrides(arm)
        except UnknownNameError as exc:
            raise CliInputError(f"--policies: {exc}") from None
    return arms


def parse_sets(sets: list[str]) -> dict:
    out = {}
    for item in sets:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CliInputError(f"--set: expected key=value, got {item!r}")
        out[key] = yaml.safe_load(value)
    return out


@user_errors
def ablate_(
    rounds: int = typer.Option(3, "--rounds", help="Rounds per arm."),
    seeds: str = typer.Option("0,1,2,3,4", "--seeds", help="Worlds, comma-separated: the paired CIs are over these."),
    policies: str = typer.Option(DEFAULT_POLICIES, "--policies",
                                 help="Arms: a loop policy, optionally with -variants (closed-nofilters)."),
    steps: int | None = typer.Option(None, "--steps",
                                     help="Optimizer steps per round (default: params train.steps_per_round)."),
    jobs: int = typer.Option(2, "--jobs", help="Arms run in this many processes at once."),
    threads: int = typer.Option(1, "--threads", help="Torch threads per process."),
    finished: bool = typer.Option(False, "--finished", help="Run nothing: report the seeds whose arms all finished."),
    params: Path = typer.Option(Path("params.yaml"), "--params", help="Sizes, budget and solver."),
    sets: list[str] = typer.Option([], "--set", "-S",
                                   help="key=value over the params (YAML value), as `dvc exp run -S` takes it."),
    out: Path = typer.Option(Path("runs/ablate"), "--out", help="Workspaces and ablation.json go here."),
    plot_path: Path = typer.Option(Path("docs/ablation.png"), "--plot", help="Where the PNG plot goes."),
) -> None:
    """Run the arms on independent worlds at equal steps; print mean ± CI per round and paired differences."""
    from dataclasses import replace

    from ouroboros.ablate import ablate, plot, report, with_overrides

    for name, value in (("--rounds", rounds), ("--steps", steps), ("--jobs", jobs), ("--threads", threads)):
        if value is not None and value < 1:
            raise CliInputError(f"{name}: expected an integer >= 1, got {value}")
    seed_list, arms = parse_seeds(seeds), parse_arms(policies)
    settings = with_overrides(load_params(params), parse_sets(sets))
    check_registered_names(settings, str(params))
    if steps is not None:
        settings = replace(settings, train=replace(settings.train, steps_per_round=steps))
    if settings.train.steps_per_round < 1:
        raise CliInputError(f"{params}: train.steps_per_round is 0, so arms would train unequal steps: "
                            "set it, or pass --steps")
    result = (report(settings, out, seed_list, arms) if finished
              else ablate(settings, out, rounds, seed_list, arms, jobs=jobs, threads=threads))
    console.print(ablation_table(result["summary"]))
    console.print(paired_table(result["paired"]))
    console.print(compute_line(result["compute"], os.cpu_count() or 1))
    (out / "ablation.md").write_text(markdown(result))
    console.print(f"details: {out / 'ablation.json'}, tables: {out / 'ablation.md'}; plot: {plot(result, plot_path)}")
