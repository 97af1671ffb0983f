"""GET /row/{qa_id}: one question with its frames (the objects it names outlined), its
program highlighted, the executed answer, the filters' scores, its history over rounds
and its nearest neighbours where the lake has question vectors."""

import polars as pl
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from curation.bands import band
from ouroboros.app import geometry
from ouroboros.similar import nearest
from store.errors import UserFacingError

NEIGHBOURS = 5
FRAME_COLUMNS = ["frame_id", "index", "source", "width", "height", "pose", "intrinsics", "visible_objects"]


def program_html(source: str) -> str:
    """The program as highlighted HTML; pygments escapes the source it wraps."""
    return highlight(source, PythonLexer(), HtmlFormatter(noclasses=True, nowrap=False, style="friendly"))


def history(lake, qa_id: str) -> pl.DataFrame:
    """Every round's row of this question with its sighted and blind scores, by round."""
    qa = lake.scan("qa").filter(pl.col("qa_id") == qa_id).collect()
    scores = lake.scan("scores").filter(pl.col("qa_id") == qa_id).collect()
    sighted = scores.filter(~pl.col("blind")).select("round", "solver", "confidence", "correct", "prediction", "mra")
    blind = scores.filter(pl.col("blind")).select("round", pl.col("confidence").alias("blind_confidence"))
    return (qa.join(sighted, on="round", how="left").join(blind, on="round", how="left")
            .with_columns(band().alias("band")).sort("round"))


def neighbours(lake, qa_id: str) -> tuple[list[dict], str | None]:
    """(nearest questions, None) or ([], why there are none)."""
    try:
        found = nearest(lake, qa=qa_id, k=NEIGHBOURS)
    except UserFacingError as exc:
        return [], str(exc)
    return found.rows.to_dicts(), None


def page(request: Request) -> Response:
    state, qa_id = request.app.state, request.path_params["qa_id"]
    rounds = history(state.lake, qa_id)
    if rounds.is_empty():
        raise HTTPException(404, f"no qa row with id {qa_id!r} in lake {state.uri}")
    wanted = request.query_params.get("round", "")
    chosen = rounds.filter(pl.col("round") == int(wanted)) if wanted.isdigit() else rounds.tail(1)
    row = (chosen if chosen.height else rounds.tail(1)).row(0, named=True)
    scene = state.lake.scan("scenes").filter(pl.col("scene_id") == row["scene_id"]).collect()
    scene_row = scene.row(0, named=True) if scene.height else None
    named = geometry.named_categories(row["question"], sorted({o["category"] for o in scene_row["objects"]})) \
        if scene_row else set()
    frames = (state.lake.scan("frames").filter(pl.col("frame_id").is_in(row["frame_ids"])).select(FRAME_COLUMNS)
              .collect().sort("index").to_dicts())
    for frame in frames:
        frame["outlines"] = geometry.outlines(scene_row, frame, named) if scene_row else []
    near, why_none = neighbours(state.lake, qa_id)
    context = {
        "row": row, "rounds": rounds.to_dicts(), "frames": frames,
        "named": sorted(named), "program": program_html(row["program"]), "near": near, "why_no_near": why_none,
        "plan": geometry.plan(scene_row, named) if scene_row else None,
    }
    return state.templates.TemplateResponse(request, "row.html", context)
