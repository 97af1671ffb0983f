"""`ouro ablate`: closed loop vs open loop vs static data, same budget, same eval."""

from dataclasses import replace
from pathlib import Path

import typer
from rich.table import Table

from ouroboros.console import console, short_task, user_errors
from ouroboros.params import load_params


def ablation_table(results: dict) -> Table:
    tasks = sorted({t for rows in results.values() for r in rows for t in r["eval"] if t != "overall"})
    table = Table(title="held-out eval (x100) per policy and round; blind = frames swapped between scenes")
    for column in ["policy", "round", "overall", "blind", *tasks]:
        table.add_column(short_task(column), justify="right")
    for policy, rows in results.items():
        for r in rows:
            ev, blind = r["eval"], r.get("eval_blind", {})
            table.add_row(policy, str(r["round"]), f"{ev['overall']:.1f}",
                          f"{blind['overall']:.1f}" if blind else "-", *[f"{ev.get(t, 0):.1f}" for t in tasks])
    return table


@user_errors
def ablate_(
    rounds: int = typer.Option(3, "--rounds", min=1, help="Rounds per policy."),
    params: Path = typer.Option(Path("params.yaml"), "--params", help="Sizes, budget and solver."),
    out: Path = typer.Option(Path("runs/ablate"), "--out", help="Workspaces and ablation.json go here."),
    seed: int | None = typer.Option(None, "--seed", help="Override params seed."),
) -> None:
    """Run closed / open / static with the same example budget and print eval per task per round."""
    from ouroboros.ablate import ablate

    p = load_params(params)
    if seed is not None:
        p = replace(p, seed=seed)
    results = ablate(p, out, rounds)
    console.print(ablation_table(results))
    console.print(f"details: {out / 'ablation.json'}")
