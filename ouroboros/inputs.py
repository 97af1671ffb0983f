"""Reading a stage's inputs from the lake: scenes, their split, frames and frame_info.

Pure functions of lake tables; nothing here writes.
"""

from collections.abc import Collection, Iterable, Sequence

import polars as pl

from curation.bands import BandParams
from curation.history import QA_COLUMNS, SceneHistory, scene_history
from curation.scenes.metadata import Scene
from curation.scenes.video import sample_indices
from curation.scenes.visibility import frame_info
from ouroboros.errors import StageInputError
from store import Lake

FRAME_COLUMNS = ["frame_id", "scene_id", "index", "image", "visible_objects"]


def is_held_out(scene_id: str, eval_fraction: float) -> bool:
    """A scene's split, from its id alone: the same scenes are held out in every run."""
    return int(scene_id[:8], 16) / 0x1_0000_0000 < eval_fraction


def load_scenes(lake: Lake) -> list[Scene]:
    rows = lake.read("scenes")
    if rows.is_empty():
        raise StageInputError(f"lake {lake.path} has no scenes (run `ouro scenes build` / `dvc repro scenes`)")
    return sorted((Scene.from_row(r) for r in rows.iter_rows(named=True)), key=lambda s: s.scene_id)


def split_scenes(
    scenes: Sequence[Scene], eval_fraction: float, held_out_names: Collection[str] | None = None
) -> tuple[list[Scene], list[Scene]]:
    """(train scenes, held-out eval scenes). With `held_out_names` (the benchmark's own
    scenes, when the eval set comes from VSI-Bench) exactly those scenes are held out."""
    if held_out_names is None:
        held_ids = {s.scene_id for s in scenes if is_held_out(s.scene_id, eval_fraction)}
    else:
        held_ids = {s.scene_id for s in scenes if s.name in held_out_names}
    train = [s for s in scenes if s.scene_id not in held_ids]
    held = [s for s in scenes if s.scene_id in held_ids]
    if not train or not held:
        raise StageInputError(f"{len(scenes)} scene(s) split into {len(train)} train / {len(held)} eval; need both")
    return train, held


def load_frames(lake: Lake, scene_ids: Iterable[str]) -> pl.DataFrame:
    """Frames of the given scenes (FRAME_COLUMNS), in video order per scene."""
    wanted = sorted(set(scene_ids))
    frames = (
        lake.scan("frames").filter(pl.col("scene_id").is_in(wanted)).select(FRAME_COLUMNS)
        .sort("scene_id", "index").collect()
    )
    missing = set(wanted) - set(frames["scene_id"].unique().to_list())
    if missing:
        raise StageInputError(f"{len(missing)} scene(s) have no frames in lake {lake.path}, e.g. {sorted(missing)[0]}")
    return frames


def frame_infos(frames: pl.DataFrame, scenes: Sequence[Scene]) -> dict[str, dict]:
    """scene_id -> the frame_info QA programs read (first appearance, visible fractions)."""
    by_scene = {s.scene_id: s for s in scenes}
    infos = {}
    for (scene_id,), part in frames.sort("index").group_by("scene_id", maintain_order=True):
        if scene_id in by_scene:
            infos[scene_id] = frame_info(part["visible_objects"].to_list(), by_scene[scene_id].categories)
    return infos


def with_frame_ids(rows: pl.DataFrame, frames: pl.DataFrame) -> pl.DataFrame:
    """`rows` with `frame_ids` = every frame of the row's scene, in video order."""
    per_scene = frames.sort("index").group_by("scene_id", maintain_order=True).agg(pl.col("frame_id").alias("_ids"))
    joined = rows.join(per_scene, on="scene_id", how="left", maintain_order="left")
    return joined.with_columns(pl.col("_ids").fill_null([]).alias("frame_ids")).drop("_ids")


def proposer_images(frames: pl.DataFrame, n_frames: int) -> dict[str, list[bytes]]:
    """scene_id -> PNG bytes of `n_frames` of its frames, sampled over the video as VSI-Bench samples."""
    if n_frames == 0:
        return {}
    return {
        scene_id: [part["image"][i] for i in sample_indices(part.height, n_frames)]
        for (scene_id,), part in frames.sort("index").group_by("scene_id", maintain_order=True)
    }


def load_history(lake: Lake, before_round: int, bands: BandParams = BandParams()) -> SceneHistory:
    """Each training scene's difficulty history (curation.history) from the rounds before `before_round`."""
    qa = lake.scan("qa").filter((pl.col("round") < before_round) & (pl.col("split") == "train"))
    scores = lake.scan("scores").filter(pl.col("round") < before_round)
    return scene_history(qa.select(QA_COLUMNS).collect(), scores.collect(), bands)
