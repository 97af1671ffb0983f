"""`ouro similar`: the nearest frames or questions in the lake's `embeddings` table.

    ouro similar FRAME_ID            frames that look alike (vision-tower vectors)
    ouro similar --question TEXT     stored questions nearest a new text (MiniLM vectors)
    ouro similar --qa QA_ID          stored questions nearest a stored one
"""

from pathlib import Path

import numpy as np
import polars as pl
import typer
from rich.table import Table

from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError
from store import Lake

QUESTION_WIDTH = 44  # the table stays within 80 columns; -f csv has the whole text


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


@user_errors
def similar(
    frame_id: str | None = typer.Argument(None, help="A frame_id whose look-alikes to list."),
    question: str | None = typer.Option(None, "--question", help="A question text to find stored neighbours of."),
    qa: str | None = typer.Option(None, "--qa", help="A stored question's qa_id."),
    k: int = typer.Option(10, "-k", help="How many neighbours."),
    encoder: str | None = typer.Option(None, "--encoder", help="Encoder name (default: the only one in the lake)."),
    csv: bool = typer.Option(False, "--csv", help="Write CSV to stdout instead of a table."),
    lake: Path = typer.Option(Path("lake"), "--lake", help="LanceDB lake directory."),
) -> None:
    """The k nearest frames or questions, with cosine distances (0 = same direction)."""
    if not lake.exists():
        raise CliInputError(f"no lake at {lake}")
    if k < 1:
        raise CliInputError(f"-k must be at least 1, got {k}")
    store = Lake(lake)
    kind, name, vector, own = query_vector(store, frame_id, question, qa, encoder)
    found = store.similar(vector, kind=kind, encoder=name, k=k + (own is not None))
    found = with_context(store, kind, found.filter(pl.col("item_id") != (own or "")).head(k))
    if csv:
        typer.echo(found.write_csv(), nl=False)
        return
    table = Table(title=f"{found.height} nearest {kind}(s), {name}")
    for column in found.columns:
        table.add_column(column, no_wrap=True, overflow="ellipsis",
                         max_width=QUESTION_WIDTH if column == "question" else 16)
    for row in found.iter_rows():
        table.add_row(*["" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)
