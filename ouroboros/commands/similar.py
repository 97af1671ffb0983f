"""`ouro similar`: the nearest frames or questions in the lake's `embeddings` table.

    ouro similar FRAME_ID            frames that look alike (vision-tower vectors)
    ouro similar --question TEXT     stored questions nearest a new text (MiniLM vectors)
    ouro similar --qa QA_ID          stored questions nearest a stored one
"""

from pathlib import Path

import typer

from ouroboros.console import Format, Grid, console, short_task, user_errors, write_rows
from ouroboros.errors import CliInputError
from ouroboros.similar import nearest
from store import Lake

KINDS = {"item_id": "id", "distance": "num", "scene_id": "key", "index": "num", "task": "key", "question": "text"}


@user_errors
def similar(
    frame_id: str | None = typer.Argument(None, help="A frame_id whose look-alikes to list."),
    question: str | None = typer.Option(None, "--question", help="A question text to find stored neighbours of."),
    qa: str | None = typer.Option(None, "--qa", help="A stored question's qa_id."),
    k: int = typer.Option(10, "-k", help="How many neighbours."),
    encoder: str | None = typer.Option(None, "--encoder", help="Encoder name (default: the only one in the lake)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f",
                               help="table (ids cut short), or every column as csv, json, jsonl or parquet."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (default stdout; parquet needs one)."),
    lake: Path = typer.Option(Path("lake"), "--lake", help="LanceDB lake directory."),
) -> None:
    """The k nearest frames or questions, with cosine distances (0 = same direction)."""
    if not lake.exists():
        raise CliInputError(f"no lake at {lake}")
    if fmt is Format.table and out is not None:
        raise CliInputError("--out FILE needs --format csv, json, jsonl or parquet")
    found = nearest(Lake(lake), frame_id=frame_id, question=question, qa=qa, k=k, encoder=encoder)
    if fmt is not Format.table:
        write_rows(found.rows, fmt, out)
        return
    table = Grid(f"{found.rows.height} nearest {found.kind}(s), {found.encoder}",
                 [(c, KINDS[c]) for c in found.rows.columns])
    for row in found.rows.iter_rows(named=True):
        table.add_row(*[short_task(v) if c == "task" else f"{v:.4f}" if c == "distance" else v
                        for c, v in row.items()])
    console.print(table)
