"""`ouro demo`: run the whole pipeline with DVC and print what each round did."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import typer

from ouroboros.console import Grid, band_cell, console, short_task, user_errors
from ouroboros.errors import CliInputError
from ouroboros.jsonio import read_json
from ouroboros.params import load_params
from ouroboros.registered import check_registered_names
from ouroboros.workspace import Workspace

COUNT_COLUMNS = [("proposed", "proposed"), ("valid", "valid"), ("ambig", "ambiguous"),
                 ("trivial", "dropped_trivial"), ("blind ok", "dropped_blind_solvable"), ("selected", "selected")]


def dvc_env() -> dict[str, str]:
    """The environment DVC runs stage commands in: this interpreter's `ouro` first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    return os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "DVC_NO_ANALYTICS": "1"}


def run_dvc(*args: str, root: Path) -> None:
    dvc = shutil.which("dvc", path=dvc_env()["PATH"])
    if dvc is None:
        raise CliInputError("dvc is not installed in this environment (make venv installs it)")
    result = subprocess.run([dvc, *args], cwd=root, env=dvc_env())
    if result.returncode != 0:
        raise CliInputError(f"`dvc {' '.join(args)}` failed with exit code {result.returncode} (its output is above)")


def counts_table(summary: dict) -> Grid:
    table = Grid("what each round kept (rows); e/f/h: easy/frontier/hard by the solver's confidence",
                 [("round", "key"), *[(name, "num") for name, _ in COUNT_COLUMNS], ("e/f/h", "num")])
    for name, row in summary.items():
        table.add_row(name, *[row["counts"].get(key, 0) for _, key in COUNT_COLUMNS], band_cell(row.get("bands", {})))
    return table


def eval_table(summary: dict) -> Grid:
    tasks = sorted({t for r in summary.values() for t in r["eval"] if t != "overall"})
    table = Grid("held-out eval, VSI-Bench score x100 (blind = frames of another scene)",
                 [("round", "key"), ("overall", "num"), ("blind", "num"), *[(short_task(t), "num") for t in tasks]])
    for name, row in summary.items():
        ev, blind = row["eval"], row["eval_blind"]
        table.add_row(name, f"{ev.get('overall', 0):.1f}", f"{blind['overall']:.1f}" if blind else "-",
                      *[f"{ev[t]:.1f}" if t in ev else "-" for t in tasks])
    return table


@user_errors
def demo(
    root: Path = typer.Option(Path("."), "--root", help="The project (a git + DVC repository)."),
) -> None:
    """`dvc repro` the scenes, eval set, base solver and every round, then summarise them."""
    if not (root / ".dvc").is_dir() or not (root / "dvc.yaml").is_file():
        raise CliInputError(f"{root.resolve()} is not the project root (no .dvc/ or dvc.yaml)")
    # a params mistake stops here, before DVC starts anything
    check_registered_names(load_params(root / "params.yaml"))
    run_dvc("repro", root=root)
    summary = read_json(Workspace(root).report_dir / "summary.json", "the report")
    console.print(counts_table(summary))
    console.print(eval_table(summary))
    run_dvc("plots", "show", "-o", "dvc_plots", root=root)
    console.print(f"plots: {(root / 'dvc_plots' / 'index.html').resolve()}  "
                  f"(eval per task per round, difficulty histograms, data map); "
                  f"metrics: `dvc metrics show`, slices: `ouro slice --round 2 --max-conf 0.5`")
