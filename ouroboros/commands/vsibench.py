"""`ouro vsibench ...`: audit VSI-Bench's labels against its metadata; build an eval set from its questions."""

import json
from pathlib import Path

import polars as pl
import typer

from curation.tasks.base import DISTANCE_FUNCTIONS, READINGS
from curation.vsibench.audit import debiased_summary, disagreements, summary, summary_json
from curation.vsibench.evalset import debiased_qa_ids
from ouroboros.benchmark import BENCHMARK_TIMEOUT_S, audit_benchmark, write_benchmark_evalset
from ouroboros.commands.options import LAKE_OPTION
from ouroboros.console import Grid, console, err_console, user_errors
from ouroboros.errors import CliInputError

app = typer.Typer(help="VSI-Bench: audit its labels, build an eval set from its questions.", no_args_is_help=True)

ANNOTATIONS = typer.Argument(..., help="The benchmark's annotations (.jsonl or .parquet).")
META = typer.Option(..., "--meta", help="VSI-Bench meta_info JSON of the scenes (repeatable).")
DISTANCE_MODE = typer.Option("vsibench", "--distance-mode", help="Box distance: vsibench (sampled) or exact.")
WORKERS = typer.Option(2, "--workers", min=1, help="Sandbox worker processes.")
PRUNED = typer.Option(None, "--pruned", help="VSI-Bench-Debiased pruned ids (one a line): also report the kept subset.")
TIMEOUT = typer.Option(BENCHMARK_TIMEOUT_S, "--timeout-s", min=0.1, help="Time limit of one program (seconds).")


def reading_option(default: str):
    return typer.Option(default, "--reading", help="How 'the X' is read: unique (exactly one box, as generated "
                                                   "questions) or benchmark (duplicate boxes read as VSI-Bench did).")


def _check_mode(mode: str, reading: str) -> None:
    if mode not in DISTANCE_FUNCTIONS:
        raise CliInputError(f"--distance-mode must be one of {sorted(DISTANCE_FUNCTIONS)}, got {mode!r}")
    if reading not in READINGS:
        raise CliInputError(f"--reading must be one of {list(READINGS)}, got {reading!r}")


def _table(per_task: pl.DataFrame, title: str = "VSI-Bench label audit") -> Grid:
    # unparseable / error columns only when some row has them: fewer columns keep one table at 80.
    columns = ["task", "attempted", "agree", "disagree", "not_derivable"]
    columns += [s for s in ("unparseable", "error") if per_task[s].sum() > 0]
    table = Grid(title, [(name.replace("_", " "), "key" if name == "task" else "num") for name in columns])
    for row in per_task.iter_rows(named=True):
        table.add_row(*[row[c] for c in columns])
    totals = per_task.select(columns[1:]).sum().row(0) if len(per_task) else [0] * (len(columns) - 1)
    table.add_row("total", *totals, style="bold")
    return table


def _write_disagreements(frame: pl.DataFrame, out: Path) -> None:
    if out.suffix == ".jsonl":
        frame.write_ndjson(out)
    elif out.suffix == ".csv":
        frame.write_csv(out)
    else:
        raise CliInputError(f"--out {out}: expected a .jsonl or .csv file name")


@app.command("audit")
@user_errors
def audit_cmd(
    annotations: Path = ANNOTATIONS,
    meta: list[Path] = META,
    as_json: bool = typer.Option(False, "--json", help="Print the per-task counts as JSON on stdout."),
    out: Path | None = typer.Option(None, "--out", help="Write the disagreements here (.jsonl or .csv)."),
    distance_mode: str = DISTANCE_MODE,
    reading: str = reading_option("unique"),
    pruned: Path | None = PRUNED,
    workers: int = WORKERS,
    timeout_s: float = TIMEOUT,
) -> None:
    """Re-derive every label the metadata can give with our task programs and compare with the official one."""
    _check_mode(distance_mode, reading)
    if out is not None and out.suffix not in (".jsonl", ".csv"):
        raise CliInputError(f"--out {out}: expected a .jsonl or .csv file name")
    result = audit_benchmark(annotations, meta, distance_mode=distance_mode, reading=reading, pruned=pruned,
                             workers=workers, timeout_s=timeout_s)
    audited, removed = result.rows, result.pruned
    missed = disagreements(audited)
    if out is not None:
        _write_disagreements(missed, out)
    if as_json:
        report = summary_json(audited)
        if removed is not None:
            report["debiased"] = summary_json(audited.filter(~pl.col("id").is_in(list(removed))))["per_task"]
        typer.echo(json.dumps(report, indent=1))
        return
    console.print(_table(summary(audited)))
    if removed is not None:
        console.print(_table(debiased_summary(audited, removed), "VSI-Bench-Debiased subset"))
    for reason, n in summary_json(audited)["not_derivable"].items():
        console.print(f"not derivable: {n} x {reason}", highlight=False)
    for status in ("unparseable", "error"):
        for row in audited.filter(pl.col("status") == status).iter_rows(named=True):
            console.print(f"{status}: id {row['id']} ({row['task']}): {row['reason']}", highlight=False)
    written = f"; written to {out}" if out is not None else ""
    console.print(f"{len(missed)} disagreement(s){written}", highlight=False)


@app.command("evalset")
@user_errors
def evalset_cmd(
    annotations: Path = ANNOTATIONS,
    meta: list[Path] = META,
    lake: str = LAKE_OPTION,
    videos: Path | None = typer.Option(None, "--videos", help="Folder of <scene_name>.mp4 real videos."),
    n_frames: int = typer.Option(16, "--n-frames", min=1, help="Frames per scene."),
    size: int = typer.Option(224, "--size", min=8, help="Square rendered frame size in pixels."),
    distance_mode: str = DISTANCE_MODE,
    reading: str = reading_option("benchmark"),
    pruned: Path | None = PRUNED,
    workers: int = WORKERS,
    timeout_s: float = TIMEOUT,
) -> None:
    """Write the benchmark's derivable questions as the lake's eval partition of qa (replacing it)."""
    _check_mode(distance_mode, reading)
    written = write_benchmark_evalset(
        annotations, meta, lake, videos=videos, n_frames=n_frames, size=size, distance_mode=distance_mode,
        reading=reading, pruned=pruned, workers=workers, timeout_s=timeout_s,
    )
    qa, removed, missing, video_scenes = written.rows, written.pruned, written.missing_scenes, written.video_scenes
    if missing:
        err_console.print(f"{len(missing)} scene(s) not in the meta files, their questions skipped, e.g. {missing[0]}")
    kept = qa.group_by("task").len().sort("task")
    console.print(
        f"eval set: {len(qa)} of {written.n_annotations} question(s) on {len(written.scenes)} scene(s) "
        f"({len(video_scenes)} with real video) written to {lake} (qa, partition eval)",
        highlight=False,
    )
    debiased = qa.filter(pl.col("qa_id").is_in(list(debiased_qa_ids(qa) or ())))
    for task, n in kept.iter_rows():
        in_debiased = debiased.filter(pl.col("task") == task).height
        also = f" ({in_debiased} in VSI-Bench-Debiased)" if removed is not None else ""
        console.print(f"  {task}: {n}{also}", highlight=False)
    console.print(
        "  skipped: route_planning always (hand-written walks); obj_appearance_order without a real video; "
        f"questions whose scene or category is missing or whose program answers ambiguous ({reading} reading)",
        highlight=False,
    )

