"""Stage `embed`: vectors of every frame (the base solver's vision tower) and eval question (MiniLM).

    ouro embed [--all-questions] [--engine ray]        (dvc.yaml stage `embed`)

With curation.engine `ray` the frames are embedded by an actor pool of vision towers (one
GPU each where the cluster has GPUs: ouroboros.on_ray.embed); the driver writes the table.

Model floats depend on the CPU's kernels (AVX-512 and AVX2 add in different orders), so
they stay out of the data stages: they go to the lake's `embeddings` table, one
partition per encoder, and to runs/embeddings/<kind>.json, fingerprints of their own.
`--all-questions` also embeds every round's questions (by hand, after `dvc repro`). A
partition large enough gets an ANN index (store.vectors.build_index).
"""

from functools import partial

import polars as pl

from ouroboros.engine import start_engine
from ouroboros.fingerprints import partition_fingerprints
from ouroboros.jsonio import write_json
from ouroboros.lakes import workspace_lake
from ouroboros.params import Params, solver_frames
from ouroboros.stages.vision import pretrained_solver
from ouroboros.workspace import Workspace
from store import Lake
from store.vectors import build_index, partition_name, write_vectors
from training.encoders import frame_encoder_name, text_encoder
from training.solver import load_solver


def embed_frames(lake: Lake, params: Params, solver_spec: str) -> str:
    """Every frame's vision-tower vector under `solver_spec` (the pretrained tiny solver, or
    the checkpoint), here or on Ray's actor pool (params curation.engine); returns the encoder name."""
    load = partial(load_solver, solver_spec, seed=params.seed, **solver_frames(params))
    if params.curation.engine == "ray" and lake.count("frames"):
        from ouroboros.on_ray.embed import embed_frames_on_ray

        encoder, frame_ids, vectors = embed_frames_on_ray(lake, load)
    else:
        solver = load()
        frames = lake.scan("frames").select("frame_id", "image").sort("frame_id").collect()
        encoder, frame_ids = frame_encoder_name(solver), frames["frame_id"].to_list()
        vectors = solver.embed_images(frames["image"].to_list())
    write_vectors(lake, "frame", encoder, frame_ids, vectors, mode="overwrite")  # one commit, by the driver
    return encoder

def embed_questions(lake: Lake, rows: pl.DataFrame) -> str:
    """Vectors of the distinct qa_ids of `rows` (columns qa_id, question); returns the encoder name."""
    encoder = text_encoder()
    rows = rows.select("qa_id", "question").unique("qa_id").sort("qa_id")
    if rows.height:
        write_vectors(lake, "question", encoder.name, rows["qa_id"].to_list(), encoder(rows["question"].to_list()))
    return encoder.name


def embed(params: Params, ws: Workspace, *, all_questions: bool = False) -> dict:
    lake = workspace_lake(ws)
    start_engine(params.curation)  # a RAY_ADDRESS where nothing answers stops here, before the tower loads
    encoders = {"frame": embed_frames(lake, params, pretrained_solver(params, ws))}
    sources = lake.partitions("qa") if all_questions else [t for t in ("qa__eval",) if lake.has(t)]
    questions = pl.concat([lake.scan(t).select("qa_id", "question").collect() for t in sources]) if sources else None
    if questions is not None and questions.height:
        encoders["question"] = embed_questions(lake, questions)
    counts = {}
    for kind, encoder in encoders.items():
        physical = f"embeddings__{partition_name(kind, encoder)}"
        build_index(lake, kind, encoder)
        tables = partition_fingerprints(lake, {"embeddings": physical})
        write_json(ws.embeddings_dir / f"{kind}.json", {"encoder": encoder, "tables": tables})
        counts[f"{kind} vectors"] = tables[physical]["rows"]
    return counts
