"""GET /scene/{scene_id}: a scene's frames, the room from above with its labelled boxes, and
every question asked about it by round and band (the per-scene difficulty history the
proposer reads)."""

import polars as pl
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from curation.bands import BANDS
from ouroboros.app import geometry
from ouroboros.slicing import SliceQuery

QUESTION_COLUMNS = ["qa_id", "round", "split", "task", "question", "answer", "confidence", "band", "drop_reason",
                    "selected"]


def page(request: Request) -> Response:
    state, scene_id = request.app.state, request.path_params["scene_id"]
    scene = state.lake.scan("scenes").filter(pl.col("scene_id") == scene_id).collect()
    if scene.is_empty():
        raise HTTPException(404, f"no scene with id {scene_id!r} in lake {state.uri}")
    scene_row = scene.row(0, named=True)
    frames = (state.lake.scan("frames").filter(pl.col("scene_id") == scene_id)
              .select("frame_id", "index", "source", "width", "height").collect().sort("index").to_dicts())
    asked = state.lake.scan("qa").filter(pl.col("scene_id") == scene_id).select(pl.len()).collect().item()
    questions = (SliceQuery(scene=scene_id).rows(state.lake, state.uri).select(QUESTION_COLUMNS).collect()
                 if asked else pl.DataFrame(schema={c: pl.String for c in QUESTION_COLUMNS}))
    by_round = [
        {"round": r, "counts": {b: group.filter(pl.col("band") == b).height for b in BANDS},
         "unscored": group.filter(pl.col("band").is_null()).height,
         "bands": [(b, group.filter(pl.col("band").eq_missing(b)).to_dicts()) for b in (*BANDS, None)]}
        for (r,), group in questions.group_by("round", maintain_order=True)
    ]
    context = {"scene": scene_row, "frames": frames, "by_round": by_round,
               "plan": geometry.plan(scene_row), "bands": BANDS}
    return state.templates.TemplateResponse(request, "scene.html", context)
