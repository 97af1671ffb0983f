"""Embed frames on Ray: the vision tower as an actor pool, one GPU an actor where Ray has GPUs.

Each actor loads the tower once (the stage hands over the loader: training.solver.load_solver
with the stage's spec, seed and sizes bound) and runs `Solver.embed_images`, the method the
local engine runs, over its batches of frames. The frames reach the workers through Ray
Data's `read_lance` at the version the driver pinned when the stage started, so a writer
that commits to `frames` meanwhile changes nothing the workers see. The driver gathers
(frame_id, vector) in frame_id order and writes the table in one commit, as locally.

The vectors equal the local engine's to float rounding, not bit for bit: a kernel sums in
another order when a batch holds other frames (or runs on a GPU), which is why embeddings
have content fingerprints of their own (ouroboros.stages.embed).
"""

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from ouroboros.errors import EngineError
from store import Lake

BATCH = 32  # frames per call: Solver.embed_images' own batch, so a GPU sees the batches it would locally
COLUMNS = ["frame_id", "image"]


class EmbedFrames:
    """A Ray Data actor: the vision tower, loaded once; a batch of frames -> their vectors."""

    def __init__(self, load: Callable):
        from training.encoders import frame_encoder_name

        self.solver = load()
        self.encoder = frame_encoder_name(self.solver)

    def __call__(self, batch: pa.Table) -> pa.Table:
        vectors = self.solver.embed_images(batch["image"].to_pylist(), batch_size=BATCH)  # [rows, hidden]
        return pa.table({"frame_id": batch["frame_id"], "encoder": [self.encoder] * batch.num_rows,
                         "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1])})


def frames_dataset(lake: Lake, table: str = "frames"):
    """`table`'s frame_id and image as a Ray dataset: read by the workers through `read_lance`
    at the version the driver sees now, or from the driver's read for a `memory://` lake."""
    import ray

    source = lake.source(table)
    if source is None:
        return ray.data.from_arrow(lake.scan(table).select(COLUMNS).collect().to_arrow())
    return ray.data.read_lance(source.uri, version=source.version, columns=COLUMNS,
                               storage_options=source.storage_options or None)


def embed_frames_on_ray(lake: Lake, load: Callable) -> tuple[str, list[str], np.ndarray]:
    """(encoder name, frame ids sorted, vectors float32 [frames, hidden]) of every frame in `lake`,
    computed by an actor pool of `load()`ed towers: one GPU each where the cluster has GPUs,
    else one CPU each."""
    import ray

    from ouroboros.on_ray.cluster import connect

    connect()
    gpus = int(ray.cluster_resources().get("GPU", 0))
    pool = gpus or max(1, int(ray.cluster_resources().get("CPU", 1)) // 2)  # half the CPUs: a tower is large
    done = frames_dataset(lake).map_batches(
        EmbedFrames, batch_size=BATCH, batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(min_size=1, max_size=pool),
        num_gpus=1 if gpus else 0, num_cpus=0 if gpus else 1, fn_constructor_args=(load,))
    rows = pa.concat_tables(ray.get(done.to_arrow_refs())).sort_by("frame_id")
    names = set(rows["encoder"].to_pylist())
    if len(names) != 1:
        raise EngineError(f"embed on Ray: the actors' vision towers differ ({sorted(names)}); "
                          "each must load the same weights")
    vectors = rows["vector"].combine_chunks().flatten().to_numpy().reshape(rows.num_rows, -1)
    return names.pop(), rows["frame_id"].to_pylist(), vectors
