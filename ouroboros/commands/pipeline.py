"""The pipeline verbs: one DVC stage each (dvc.yaml), one function over tables each.

    ouro scenes build | ouro evalset | ouro vision | ouro embed | ouro warm-start | ouro round N --prev M
    | ouro report
"""

from pathlib import Path

import typer

from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import workspace_lake
from ouroboros.params import Params, load_params, with_engine
from ouroboros.workspace import Workspace

PARAMS = typer.Option(Path("params.yaml"), "--params", help="Pipeline parameters.")
ROOT = typer.Option(Path("."), "--root", help="Workspace holding lake/ and runs/.")
ENGINE = typer.Option(None, "--engine", help="Where curation runs: local | ray (default: params curation.engine).")


def workspace(root: Path, p: Params) -> Workspace:
    """The stage's workspace: runs/ under root, the lake where params `lake` says. The lake is
    opened once here, so a bad URI or unreachable store stops the stage before any work."""
    manifests = root / p.lake.outs if p.lake.track == "manifest" else None
    ws = Workspace(root, lake_uri=p.lake.uri, manifest_dir=manifests)
    workspace_lake(ws)
    return ws


def _summary(title: str, payload: dict) -> None:
    counts = payload.get("counts", payload)
    console.print(f"[bold]{title}[/bold] " + ", ".join(f"{k} {v}" for k, v in counts.items()
                                                        if not isinstance(v, dict)), highlight=False)
    if "eval" in payload:
        console.print(f"  eval overall {payload['eval'].get('overall', 0):.1f}"
                      + (f", blind {payload['eval_blind'].get('overall', 0):.1f}" if "eval_blind" in payload else ""),
                      highlight=False)


@user_errors
def build_scenes(params: Path = PARAMS, root: Path = ROOT, engine: str | None = ENGINE) -> None:
    """Stage `scenes`: import + generate scenes, render their frames."""
    from ouroboros.stages.build_scenes import build_scenes as run

    p = with_engine(load_params(params), engine)
    _summary("scenes", run(p, workspace(root, p)))


@user_errors
def evalset(params: Path = PARAMS, root: Path = ROOT, engine: str | None = ENGINE) -> None:
    """Stage `eval_set`: held-out questions on held-out scenes (never trained on)."""
    from ouroboros.stages.evalset import build_evalset

    p = with_engine(load_params(params), engine)
    _summary("eval set", build_evalset(p, workspace(root, p)))


@user_errors
def vision(params: Path = PARAMS, root: Path = ROOT) -> None:
    """Stage `vision`: pretrain the tiny solver's vision encoder on overview frames."""
    from ouroboros.stages.vision import pretrain

    _summary("vision", pretrain(load_params(params), Workspace(root)))


@user_errors
def embed(
    params: Path = PARAMS,
    root: Path = ROOT,
    all_questions: bool = typer.Option(False, "--all-questions", help="Also embed every round's questions."),
    engine: str | None = ENGINE,
) -> None:
    """Stage `embed`: frame vectors (base solver's vision tower) and eval-question vectors (MiniLM)."""
    from ouroboros.stages.embed import embed as run

    _summary("embeddings", run(with_engine(load_params(params), engine), Workspace(root), all_questions=all_questions))


@user_errors
def warm_start(params: Path = PARAMS, root: Path = ROOT) -> None:
    """Stage `warm_start`: the round-0 solver (a short warm start for the tiny CPU solver)."""
    from ouroboros.stages.warm_start import warm_start as run

    p = load_params(params)
    _summary("round 0 (warm start)", run(p, workspace(root, p)))


@user_errors
def round_(
    n: int = typer.Argument(..., help="The round to run (>= 1)."),
    prev: int = typer.Option(..., "--prev", help="The round whose solver and feedback it starts from."),
    params: Path = PARAMS,
    root: Path = ROOT,
    processes: int = typer.Option(1, "--processes", min=1, help="Run as K processes: DDP training, scoring "
                                  "split between them, rank 0 writing (one per GPU, or per CPU core)."),
    engine: str | None = ENGINE,
) -> None:
    """Stage `round@N`: propose, execute, filter, score, select, train, evaluate, feedback."""
    from ouroboros.launch import as_worker, launched, relaunch
    from ouroboros.registered import check_registered_names
    from ouroboros.stages.round import run_round

    p = with_engine(load_params(params), engine)
    check_registered_names(p, str(params))  # a misspelt filter or policy stops the round before any work
    if not any(r.id == n and r.prev == prev for r in p.rounds):
        raise CliInputError(f"round {n} with prev {prev} is not in {params} `rounds`")
    if processes > 1 and not launched():
        relaunch(processes, ["round", str(n), "--prev", str(prev), "--params", str(params), "--root", str(root),
                             "--engine", p.curation.engine], what=f"round {n}")
        return
    ws = workspace(root, p)
    payload = as_worker(lambda: run_round(n, prev, p, ws)) if launched() else run_round(n, prev, p, ws)
    if payload is not None:  # rank 0's
        _summary(f"round {n}", payload)


@user_errors
def report(params: Path = PARAMS, root: Path = ROOT) -> None:
    """Stage `report`: per-round summary, eval per task per round, data map."""
    from ouroboros.stages.report import report as run

    p = load_params(params)
    for name, row in run(p, workspace(root, p)).items():
        _summary(name, row)
