"""`ouro demo`: run the whole pipeline with DVC and print what each round did."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import typer
from rich.table import Table

from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.params import load_params
from ouroboros.workspace import Workspace, read_json

COUNT_COLUMNS = [("proposed", "proposed"), ("valid", "valid"), ("ambiguous", "ambiguous"),
                 ("trivial", "dropped_trivial"), ("blind-solvable", "dropped_blind_solvable"),
                 ("selected", "selected")]


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


def summary_table(summary: dict) -> Table:
    tasks = sorted({t for r in summary.values() for t in r["eval"] if t != "overall"})
    table = Table(title="per round (eval = VSI-Bench score on held-out questions, x100)")
    for name in ["round", *[c for c, _ in COUNT_COLUMNS], "eval", "blind", *tasks]:
        table.add_column(name.replace("object_", "").replace("_estimation", ""), justify="right")
    for name, row in summary.items():
        counts, ev, blind = row["counts"], row["eval"], row["eval_blind"]
        table.add_row(
            name, *[str(counts.get(key, 0)) for _, key in COUNT_COLUMNS],
            f"{ev.get('overall', 0):.1f}", f"{blind.get('overall', 0):.1f}" if blind else "-",
            *[f"{ev[t]:.1f}" if t in ev else "-" for t in tasks],
        )
    return table


@user_errors
def demo(
    root: Path = typer.Option(Path("."), "--root", help="The project (a git + DVC repository)."),
) -> None:
    """`dvc repro` the scenes, eval set, base solver and every round, then summarise them."""
    if not (root / ".dvc").is_dir() or not (root / "dvc.yaml").is_file():
        raise CliInputError(f"{root.resolve()} is not the project root (no .dvc/ or dvc.yaml)")
    load_params(root / "params.yaml")  # a params mistake stops here, before DVC starts anything
    run_dvc("repro", root=root)
    console.print(summary_table(read_json(Workspace(root).report_dir / "summary.json", "the report")))
    run_dvc("plots", "show", "-o", "dvc_plots", root=root)
    console.print(f"plots: {(root / 'dvc_plots' / 'index.html').resolve()}  "
                  f"(eval per task per round, difficulty histograms, data map); "
                  f"metrics: `dvc metrics show`, slices: `ouro slice --round 2 --max-conf 0.5`")
