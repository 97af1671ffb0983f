"""Render frames on Ray: one task per scene (numpy and PIL only, so any CPU worker will do).

Each task draws its scene with the function the local engine calls
(ouroboros.stages.build_scenes.render_scene) and returns its FRAMES rows as an Arrow block
checked against the lake's schema; the driver gathers them, in scene order, for its one
commit of the `frames` table.
"""

from collections.abc import Sequence

import polars as pl
import pyarrow as pa

from curation.scenes.metadata import Scene
from ouroboros.params import FramesParams


def _render_block(batch: dict, frames: FramesParams, seed: int) -> pa.Table:
    from ouroboros.stages.build_scenes import render_scene
    from store.conform import conform
    from store.schema import FRAMES

    rows = [row for scene in batch["scene"] for row in render_scene(scene, frames, seed)]
    return conform("frames", rows, FRAMES)


def render_on_ray(scenes: Sequence[Scene], frames: FramesParams, seed: int) -> pl.DataFrame:
    """FRAMES rows of every scene, in scene order (the local engine's order)."""
    import ray

    from ouroboros.on_ray.cluster import connect

    connect()
    # One block per scene, and the blocks come back in the order they went in: preserve_order
    # keeps the driver's commit (and so the table's row order) the local engine's.
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    blocks = ray.data.from_items([{"scene": s} for s in scenes], override_num_blocks=len(scenes))
    rendered = blocks.map_batches(_render_block, batch_size=None, batch_format="numpy",
                                  fn_kwargs={"frames": frames, "seed": seed})
    return pl.from_arrow(pa.concat_tables(ray.get(rendered.to_arrow_refs())))
