"""Stage `embed` on Ray: the actor pool's vectors are the local engine's; its frames are read at the pinned version."""

import numpy as np
import polars as pl
import pytest

from ouroboros.lakes import workspace_lake
from ouroboros.on_ray.embed import frames_dataset
from ouroboros.params import with_engine
from ouroboros.stages.embed import embed_frames
from store.vectors import partition_name
from tests.ouroboros.test_embed import tiny_scenes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    params, ws = tiny_scenes(tmp_path_factory.mktemp("embed_on_ray"))
    return params, workspace_lake(ws)

def vectors(lake, encoder) -> pl.DataFrame:
    return lake.read(f"embeddings__{partition_name('frame', encoder)}").sort("item_id")


def test_ray_embeds_every_frame_as_the_local_engine_does(tiny, local_ray):
    params, lake = tiny
    local = vectors(lake, embed_frames(lake, params, "tiny"))
    on_ray_encoder = embed_frames(lake, with_engine(params, "ray"), "tiny")
    on_ray = vectors(lake, on_ray_encoder)
    assert on_ray_encoder == local["encoder"][0]  # the actors built the driver's tower (its weights' digest)
    assert on_ray["item_id"].to_list() == local["item_id"].to_list() == sorted(lake.read("frames")["frame_id"])
    # equal to float rounding: a batch of other frames sums in another order
    np.testing.assert_allclose(np.stack(on_ray["vector"].to_numpy()), np.stack(local["vector"].to_numpy()),
                               rtol=1e-5, atol=1e-6)


def test_workers_read_frames_at_the_version_the_driver_pinned(tiny, local_ray):
    _, lake = tiny
    dataset = frames_dataset(lake)  # lazy: the workers read when the plan runs
    before = lake.read("frames")
    lake.write("frames", before.head(1).with_columns(pl.lit("written-meanwhile").alias("frame_id")))
    try:
        assert sorted(dataset.to_pandas()["frame_id"]) == sorted(before["frame_id"])
    finally:
        lake.write("frames", before, mode="overwrite")
