"""`ouro vsibench ...`: audit VSI-Bench's labels against its metadata; build an eval set from its questions."""

import json
from pathlib import Path

import polars as pl
import typer
from rich import box
from rich.table import Table

from curation.executor import Executor
from curation.frames import render_rows
from curation.scenes import Scene, load_vsibench_meta
from curation.tasks.base import DISTANCE_FUNCTIONS, READINGS
from curation.video import ingest_video
from curation.vsibench import (
    audit,
    debiased_qa_ids,
    debiased_summary,
    disagreements,
    evalset_rows,
    load_annotations,
    load_pruned_ids,
    summary,
    summary_json,
)
from ouroboros.console import console, err_console, user_errors
from ouroboros.errors import CliInputError
from ouroboros.lakes import LAKE_OPTION, open_lake

app = typer.Typer(help="VSI-Bench: audit its labels, build an eval set from its questions.", no_args_is_help=True)

ANNOTATIONS = typer.Argument(..., help="The benchmark's annotations (.jsonl or .parquet).")
META = typer.Option(..., "--meta", help="VSI-Bench meta_info JSON of the scenes (repeatable).")
DISTANCE_MODE = typer.Option("vsibench", "--distance-mode", help="Box distance: vsibench (sampled) or exact.")
WORKERS = typer.Option(2, "--workers", min=1, help="Sandbox worker processes.")
PRUNED = typer.Option(None, "--pruned", help="VSI-Bench-Debiased pruned ids (one a line): also report the kept subset.")


def reading_option(default: str):
    return typer.Option(default, "--reading", help="How 'the X' is read: unique (exactly one box, as generated "
                                                   "questions) or benchmark (duplicate boxes read as VSI-Bench did).")


def load_scenes(paths: list[Path]) -> dict[str, Scene]:
    """Scenes of every meta file by name; a name in two files must be the same scene."""
    scenes: dict[str, Scene] = {}
    for path in paths:
        for scene in load_vsibench_meta(path):
            if scene.name in scenes and scenes[scene.name].scene_id != scene.scene_id:
                raise CliInputError(f"scene {scene.name!r} differs between meta files (second: {path})")
            scenes[scene.name] = scene
    return scenes


def _check_mode(mode: str, reading: str) -> None:
    if mode not in DISTANCE_FUNCTIONS:
        raise CliInputError(f"--distance-mode must be one of {sorted(DISTANCE_FUNCTIONS)}, got {mode!r}")
    if reading not in READINGS:
        raise CliInputError(f"--reading must be one of {list(READINGS)}, got {reading!r}")


def _table(per_task: pl.DataFrame, title: str = "VSI-Bench label audit") -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1))
    # unparseable / error columns only when some row has them: the table must fit 80 columns.
    columns = ["task", "attempted", "agree", "disagree", "not_derivable"]
    columns += [s for s in ("unparseable", "error") if per_task[s].sum() > 0]
    for name in columns:
        table.add_column(name.replace("_", " "), justify="left" if name == "task" else "right", no_wrap=True)
    for row in per_task.iter_rows(named=True):
        table.add_row(*[str(row[c]) for c in columns])
    totals = per_task.select(columns[1:]).sum().row(0) if len(per_task) else [0] * (len(columns) - 1)
    table.add_row("total", *[str(v) for v in totals], style="bold")
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
) -> None:
    """Re-derive every label the metadata can give with our task programs and compare with the official one."""
    _check_mode(distance_mode, reading)
    if out is not None and out.suffix not in (".jsonl", ".csv"):
        raise CliInputError(f"--out {out}: expected a .jsonl or .csv file name")
    rows = load_annotations(annotations)
    removed = load_pruned_ids(pruned) if pruned is not None else None
    scenes = load_scenes(meta)
    with Executor(workers=workers, timeout_s=5.0) as executor:
        audited = audit(rows, scenes, executor, distance_mode=distance_mode, reading=reading)
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
) -> None:
    """Write the benchmark's derivable questions as the lake's eval partition of qa (replacing it)."""
    _check_mode(distance_mode, reading)
    if videos is not None and not videos.is_dir():
        raise CliInputError(f"--videos {videos}: no such folder")
    store = open_lake(lake)
    rows = load_annotations(annotations)
    removed = load_pruned_ids(pruned) if pruned is not None else None
    scenes = load_scenes(meta)
    wanted = sorted(set(rows["scene_name"]))
    missing = [n for n in wanted if n not in scenes]
    if missing:
        err_console.print(f"{len(missing)} scene(s) not in the meta files, their questions skipped, e.g. {missing[0]}")
    chosen = [scenes[n] for n in wanted if n in scenes]
    store.write("scenes", [s.to_row() for s in chosen], mode="insert_new")
    frame_rows, frames_by_scene, video_scenes = [], {}, set()
    for scene in chosen:
        video = videos / f"{scene.name}.mp4" if videos is not None else None
        if video is not None and video.is_file():
            produced = ingest_video(video, scene.scene_id, n_frames)
            video_scenes.add(scene.name)
        else:
            produced = render_rows(scene, n_frames=n_frames, size=size)
        frame_rows += produced
        frames_by_scene[scene.name] = [r["frame_id"] for r in sorted(produced, key=lambda r: r["index"])]
    if frame_rows:
        store.write("frames", frame_rows, mode="insert_new")
    with Executor(workers=workers, timeout_s=5.0) as executor:
        qa = evalset_rows(
            rows, scenes, frames_by_scene, executor, video_scenes=video_scenes, distance_mode=distance_mode,
            reading=reading, pruned_ids=removed,
        )
    store.write("qa", qa, mode="overwrite", partition="eval")
    kept = qa.group_by("task").len().sort("task")
    console.print(
        f"eval set: {len(qa)} of {len(rows)} question(s) on {len(chosen)} scene(s) "
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

