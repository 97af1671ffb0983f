"""Execute and filter a round's proposals on Ray: Ray Data over shards of whole scenes.

The driver proposes: the proposer draws every slot from one seeded stream over all scenes
(the budget's split between tasks, bins and scenes is one decision), so proposing by shard
would give other rows. The proposals are then cut into shards of `curation.scenes_per_task`
whole scenes, one Arrow block each, and `map_batches` hands each block to an actor of a
pool. An actor holds a warm sandbox pool (curation.executor.Executor, `filters.workers`
processes, as many CPUs reserved) for its whole life and runs curation.curate's
`execute_and_filter`, the function the local engine runs, on its shard. The filters before
scoring decide within a scene, so the rows are the local engine's; the driver puts them
back in proposal order. A killed actor is restarted and its shard retried (Ray Data's
default for actor pools), and a shard's rows come back once, from the try that finished.
"""

from collections.abc import Mapping, Sequence

import polars as pl
import pyarrow as pa

from curation.curate import execute_and_filter
from curation.executor import Executor
from curation.scenes.metadata import Scene
from ouroboros.curation_models import chat_client, question_encoder
from ouroboros.params import FiltersParams, Params, ProposerParams

POSITION = "_position"  # a proposal's place in the proposer's output, to restore the local order


def arrow(rows: pl.DataFrame) -> pa.Table:
    """Plain Arrow types (string, list) that every reader of a Ray block knows."""
    return rows.to_arrow(compat_level=pl.CompatLevel.oldest())


class CurateShard:
    """A Ray Data actor: a warm sandbox pool, and the scenes' context fetched once from the object store."""

    def __init__(self, context, filters: FiltersParams, proposer: ProposerParams, seed: int):
        import ray

        self.scenes, self.infos, self.images = ray.get(context)
        self.filters, self.seed = filters, seed
        self.chat = chat_client(proposer)
        self.embed_questions = question_encoder(filters.before_scoring)
        self.executor = Executor(workers=filters.workers, timeout_s=filters.timeout_s).__enter__()

    def __call__(self, shard: pa.Table) -> pa.Table:
        rows = execute_and_filter(pl.from_arrow(shard), self.scenes, self.executor, recipe=self.filters.before_scoring,
                                  seed=self.seed, frame_info=self.infos, chat=self.chat, images=self.images,
                                  embed_questions=self.embed_questions)
        return arrow(rows)

    def __del__(self):
        self.executor.close()


def shards(proposals: pl.DataFrame, scenes: Sequence[Scene], scenes_per_task: int) -> list[pa.Table]:
    """`proposals` (with POSITION) cut into blocks of `scenes_per_task` whole scenes, in scene_id order."""
    ordered = sorted(s.scene_id for s in scenes)
    shard_of = {sid: i // scenes_per_task for i, sid in enumerate(ordered)}
    keyed = proposals.with_columns(pl.col("scene_id").replace_strict(shard_of, return_dtype=pl.Int64).alias("_shard"))
    return [arrow(part.drop("_shard")) for _, part in keyed.group_by("_shard", maintain_order=True)]


def execute_and_filter_on_ray(
    proposals: pl.DataFrame, scenes: Sequence[Scene], infos: Mapping[str, dict], params: Params, *,
    images: Mapping[str, list[bytes]] | None = None, actor: type = CurateShard,
) -> pl.DataFrame:
    """The rows ouroboros.steps.execute_and_filter gives locally, computed by an actor pool
    (`actor`: CurateShard, or a subclass a test makes fail)."""
    import ray

    from ouroboros.on_ray.cluster import connect

    connect()
    f = params.filters
    blocks = shards(proposals.with_row_index(POSITION), scenes, params.curation.scenes_per_task)
    context = ray.put(({s.scene_id: s for s in scenes}, dict(infos), dict(images or {})))
    pool = max(1, min(len(blocks), int(ray.cluster_resources().get("CPU", 1)) // f.workers))
    done = ray.data.from_arrow(blocks).map_batches(
        actor, batch_size=None, batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=pool),
        num_cpus=f.workers, fn_constructor_args=(context, f, params.proposer, params.seed))
    rows = pl.from_arrow(pa.concat_tables(ray.get(done.to_arrow_refs())))
    return rows.sort(POSITION).drop(POSITION)
