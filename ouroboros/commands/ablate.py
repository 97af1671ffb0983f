"""`ouro ablate`: closed loop vs open loop vs static data, same budget, same eval, over seeds."""

from pathlib import Path

import typer

from ouroboros.console import Grid, console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.params import load_params
from ouroboros.registered import check_registered_names


def _cell(value: tuple[float, float] | None) -> str:
    return "-" if value is None else f"{value[0]:.1f} ± {value[1]:.1f}"


def ablation_table(summary: dict) -> Grid:
    """One row per policy and round: examples seen, overall and blind (mean ± 95% CI half-width)."""
    table = Grid("held-out eval x100, mean ± 95% CI over seeds",
                 [("policy", "key"), ("round", "num"), ("examples", "num"), ("overall", "num"), ("blind", "num")])
    for policy, rows in summary["policies"].items():
        for r in rows:
            table.add_row(policy, r["round"], r["examples"], _cell(r["overall"]), _cell(r.get("blind")))
    return table


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.replace(",", " ").split()]
    except ValueError:
        raise CliInputError(f"--seeds: expected integers like 0,1,2, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise CliInputError(f"--seeds: expected distinct non-negative integers, got {text!r}")
    return seeds


@user_errors
def ablate_(
    rounds: int = typer.Option(3, "--rounds", min=1, help="Rounds per policy."),
    seeds: str = typer.Option("0,1,2", "--seeds", help="Seeds, comma-separated: the CI is over these runs."),
    params: Path = typer.Option(Path("params.yaml"), "--params", help="Sizes, budget and solver."),
    out: Path = typer.Option(Path("runs/ablate"), "--out", help="Workspaces and ablation.json go here."),
    plot_path: Path = typer.Option(Path("docs/ablation.png"), "--plot", help="Where the PNG plot goes."),
) -> None:
    """Run closed / open / static with the same example budget over seeds; print mean ± CI per round."""
    from ouroboros.ablate import ablate, plot

    settings = load_params(params)
    check_registered_names(settings, str(params))
    result = ablate(settings, out, rounds, parse_seeds(seeds))
    summary = result["summary"]
    console.print(ablation_table(summary))
    if "examples_to_target" in summary:
        reached = ", ".join(f"{p}: {'not reached' if n is None else n}"
                            for p, n in summary["examples_to_target"].items())
        console.print(f"examples to reach static's final {summary['target']:.1f}: {reached}")
    console.print(f"details: {out / 'ablation.json'}; plot: {plot(summary, plot_path)}")
