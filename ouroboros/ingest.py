"""Scenes and frames into a lake by hand, outside the pipeline (`ouro scenes import|generate`,
`ouro frames render|ingest-video`). Every write is an insert of new ids: repeating one adds
nothing. The pipeline's own scenes stage is ouroboros/stages/build_scenes.py."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from curation.scenes.frames import render_rows
from curation.scenes.metadata import Scene, load_vsibench_meta
from curation.scenes.procedural import generate_scene
from curation.scenes.video import ingest_video
from ouroboros.errors import CliInputError
from plumbing.progress import track
from store.lake import Lake


@dataclass(frozen=True)
class Added:
    """What a call wrote: the items it produced, how many of them were new to the lake, and
    what they are (scenes, for the frames' scenes)."""

    produced: int
    added: int
    scenes: list[Scene]


def import_scenes(lake: Lake, paths: Sequence[Path]) -> Added:
    scenes = [s for path in track(paths, "reading metadata") for s in load_vsibench_meta(path)]
    return Added(len(scenes), lake.insert_new("scenes", [s.to_row() for s in scenes]), scenes)


def generate_rooms(lake: Lake, n: int, seed: int) -> Added:
    """Procedural rooms with seeds seed .. seed + n - 1."""
    scenes = [generate_scene(seed + i) for i in track(range(n), "generating rooms")]
    return Added(len(scenes), lake.insert_new("scenes", [s.to_row() for s in scenes]), scenes)


def select_scenes(lake: Lake, wanted: Sequence[str] | None) -> list[Scene]:
    """Scenes of the lake whose name or scene_id is in `wanted` (all when None), in lake order."""
    if not lake.has("scenes") or lake.count("scenes") == 0:
        raise CliInputError(f"lake {lake.path} has no scenes (add some with `ouro scenes import` or `generate`)")
    scenes = [Scene.from_row(row) for row in lake.read("scenes").to_dicts()]
    if not wanted:
        return scenes
    known = {s.name for s in scenes} | {s.scene_id for s in scenes}
    missing = [w for w in wanted if w not in known]
    if missing:
        raise CliInputError(f"no scene named or with id {missing[0]!r} in lake {lake.path}")
    return [s for s in scenes if s.name in wanted or s.scene_id in wanted]


def render_frames(lake: Lake, wanted: Sequence[str] | None, n_frames: int, size: int, seed: int) -> Added:
    """Camera walks through the chosen scenes, rendered."""
    chosen = select_scenes(lake, wanted)
    rows = [row for scene in track(chosen, "rendering")
            for row in render_rows(scene, n_frames=n_frames, size=size, seed=seed)]
    return Added(len(rows), lake.insert_new("frames", rows), chosen)


def ingest_video_frames(lake: Lake, path: Path, scene: str, n_frames: int) -> Added:
    """A real video's frames, sampled the VSI-Bench way, for the lake scene named (or with id) `scene`."""
    target = select_scenes(lake, [scene])[0]
    rows = ingest_video(path, target.scene_id, n_frames)
    return Added(len(rows), lake.insert_new("frames", rows), [target])
