"""The nearest frames or questions in the lake's `embeddings` table, with what they are."""

from dataclasses import dataclass

import numpy as np
import polars as pl

from ouroboros.errors import CliInputError
from store import Lake


@dataclass(frozen=True)
class Neighbours:
    kind: str  # frame or question
    encoder: str
    rows: pl.DataFrame  # item_id, distance (cosine, 0 = same direction), then scene_id, index or task, question


def pick_encoder(lake: Lake, kind: str, encoder: str | None) -> str:
    """The named encoder, or the only one the lake has vectors of `kind` from."""
    from store.vectors import encoders

    known = encoders(lake, kind)
    if encoder is not None:
        return encoder
    if len(known) != 1:
        raise CliInputError(f"lake {lake.path} has {kind} vectors from {known or 'no encoder'}; "
                            + ("run `ouro embed` first" if not known else "choose one with --encoder"))
    return known[0]


def query_vector(lake: Lake, frame_id: str | None, question: str | None, qa: str | None,
                 encoder: str | None) -> tuple[str, str, np.ndarray, str | None]:
    """(kind, encoder, query vector, the query's own item_id to leave out of the answer)."""
    from store.vectors import vector_of

    if sum(x is not None for x in (frame_id, question, qa)) != 1:
        raise CliInputError("give exactly one of FRAME_ID, --question TEXT or --qa QA_ID")
    if question is not None:
        from training.encoders import text_encoder

        model = text_encoder()
        if encoder is not None and encoder != model.name:
            raise CliInputError(f"--question is encoded by {model.name}; --encoder {encoder} cannot embed text")
        return "question", model.name, model([question])[0], None
    kind, item = ("frame", frame_id) if frame_id is not None else ("question", qa)
    name = pick_encoder(lake, kind, encoder)
    return kind, name, vector_of(lake, kind, name, item), item


def with_context(lake: Lake, kind: str, found: pl.DataFrame) -> pl.DataFrame:
    """Neighbours with what they are: a frame's scene and index, a question's scene, task and text."""
    ids = found["item_id"].implode()
    if kind == "frame":
        info = lake.scan("frames").filter(pl.col("frame_id").is_in(ids)).select(
            pl.col("frame_id").alias("item_id"), "scene_id", "index")
    else:
        info = lake.scan("qa").filter(pl.col("qa_id").is_in(ids)).select(
            pl.col("qa_id").alias("item_id"), "scene_id", "task", "question").unique("item_id")
    return found.join(info.collect(), on="item_id", how="left", maintain_order="left")


def nearest(lake: Lake, *, frame_id: str | None = None, question: str | None = None, qa: str | None = None,
            k: int = 10, encoder: str | None = None) -> Neighbours:
    """The `k` items nearest one frame, one new question text or one stored question (which is left out)."""
    from store.vectors import search

    if k < 1:
        raise CliInputError(f"-k must be at least 1, got {k}")
    kind, name, vector, own = query_vector(lake, frame_id, question, qa, encoder)
    found = search(lake, vector, kind=kind, encoder=name, k=k + (own is not None))
    return Neighbours(kind, name, with_context(lake, kind, found.filter(pl.col("item_id") != (own or "")).head(k)))
