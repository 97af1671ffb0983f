"""VSI-Bench against our programs, outside the pipeline: the label audit, and the benchmark's
derivable questions written into a lake as its eval partition (`ouro vsibench ...`).

The pipeline's own benchmark eval set (params `eval.source: vsibench`) is ouroboros/stages/evalset.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from curation.executor import Executor
from curation.scenes.frames import render_rows
from curation.scenes.metadata import Scene, load_meta_files
from curation.scenes.video import ingest_video
from curation.vsibench.annotations import load_annotations, load_pruned_ids
from curation.vsibench.audit import audit
from curation.vsibench.evalset import evalset_rows
from ouroboros.errors import CliInputError
from ouroboros.lakes import open_lake

# The benchmark's programs run once each on real scenes of up to ~100 boxes, where the
# sampled box distance is the slowest call; 5 s leaves room on a loaded machine.
BENCHMARK_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Audit:
    """The audit's rows (curation.vsibench.audit.AUDIT_SCHEMA) and, given them, the Debiased pruned ids."""

    rows: pl.DataFrame
    pruned: frozenset[int] | None


@dataclass(frozen=True)
class BenchmarkEvalset:
    """What `write_benchmark_evalset` wrote: the eval rows, and what it could not use."""

    rows: pl.DataFrame
    n_annotations: int
    scenes: list[str]
    video_scenes: set[str]
    missing_scenes: list[str]
    pruned: frozenset[int] | None


def audit_benchmark(
    annotations: Path, meta: Sequence[Path], *, distance_mode: str, reading: str, pruned: Path | None,
    workers: int, timeout_s: float = BENCHMARK_TIMEOUT_S,
) -> Audit:
    rows = load_annotations(annotations)
    removed = load_pruned_ids(pruned) if pruned is not None else None
    scenes = load_meta_files(meta)
    with Executor(workers=workers, timeout_s=timeout_s) as executor:
        audited = audit(rows, scenes, executor, distance_mode=distance_mode, reading=reading)
    return Audit(audited, removed)


def _frames(chosen: list[Scene], videos: Path | None, n_frames: int, size: int):
    """Frame rows, frame ids per scene name, and the scenes whose frames are a real video's."""
    rows, by_scene, video_scenes = [], {}, set()
    for scene in chosen:
        video = videos / f"{scene.name}.mp4" if videos is not None else None
        if video is not None and video.is_file():
            produced = ingest_video(video, scene.scene_id, n_frames)
            video_scenes.add(scene.name)
        else:
            produced = render_rows(scene, n_frames=n_frames, size=size)
        rows += produced
        by_scene[scene.name] = [r["frame_id"] for r in sorted(produced, key=lambda r: r["index"])]
    return rows, by_scene, video_scenes


def write_benchmark_evalset(
    annotations: Path, meta: Sequence[Path], lake: str, *, videos: Path | None, n_frames: int, size: int,
    distance_mode: str, reading: str, pruned: Path | None, workers: int, timeout_s: float = BENCHMARK_TIMEOUT_S,
) -> BenchmarkEvalset:
    """Write the benchmark's scenes, their frames (real video where `videos` has one, rendered
    otherwise) and its derivable questions (the lake's `qa` eval partition, replaced)."""
    if videos is not None and not videos.is_dir():
        raise CliInputError(f"--videos {videos}: no such folder")
    store = open_lake(lake)
    rows = load_annotations(annotations)
    removed = load_pruned_ids(pruned) if pruned is not None else None
    scenes = load_meta_files(meta)
    wanted = sorted(set(rows["scene_name"]))
    chosen = [scenes[n] for n in wanted if n in scenes]
    store.write("scenes", [s.to_row() for s in chosen], mode="insert_new")
    frame_rows, frames_by_scene, video_scenes = _frames(chosen, videos, n_frames, size)
    if frame_rows:
        store.write("frames", frame_rows, mode="insert_new")
    with Executor(workers=workers, timeout_s=timeout_s) as executor:
        qa = evalset_rows(
            rows, scenes, frames_by_scene, executor, video_scenes=video_scenes, distance_mode=distance_mode,
            reading=reading, pruned_ids=removed,
        )
    store.write("qa", qa, mode="overwrite", partition="eval")
    return BenchmarkEvalset(qa, len(rows), [s.name for s in chosen], video_scenes,
                            [n for n in wanted if n not in scenes], removed)
