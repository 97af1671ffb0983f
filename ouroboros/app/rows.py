"""GET /rows: a page of qa rows matching the filters in the URL, with their frames and
their confidence over rounds.

The slice is never loaded whole: the filters go into the Lance scans (SliceQuery ->
store.views.difficulty_slice), only the keys of the matching rows are collected to count
and order them, and full rows (question, program, ...) are read for one page of ids.
"""

from functools import lru_cache

import polars as pl
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from curation.bands import BANDS
from ouroboros.app import drawing, queries
from ouroboros.errors import CliInputError
from ouroboros.slicing import SORTS, SliceQuery
from store.views import per_round_confidence

SHOWN = ["qa_id", "round", "split", "scene_id", "task", "difficulty_bin", "question", "options", "answer",
         "frame_ids", "drop_reason", "selected", "prediction", "confidence", "band"]


def page_rows(lake, uri: str, query: SliceQuery, page: int) -> tuple[int, pl.DataFrame, dict[str, list[float]]]:
    """(rows matching, the page's rows in order, {qa_id: confidence per scored round})."""
    matching = query.rows(lake, uri)
    keys = matching.select("round", "qa_id").collect()
    wanted = keys.slice((page - 1) * queries.PAGE_ROWS, queries.PAGE_ROWS)
    ids = wanted["qa_id"].implode()
    rows = wanted.join(matching.filter(pl.col("qa_id").is_in(ids)).select(SHOWN).collect(),
                       on=["round", "qa_id"], how="left", maintain_order="left")
    scores = lake.scan("scores").filter(pl.col("qa_id").is_in(ids)).collect()
    history = per_round_confidence(scores).group_by("qa_id").agg(pl.col("confidence").sort_by("round"))
    return keys.height, rows, dict(history.iter_rows())


def choices(lake) -> dict[str, list]:
    """The values the filter form offers, read again only when a qa partition has a new version
    (four distinct-value scans: half a second at 1M rows, every page otherwise)."""
    return _choices(lake, tuple((t, lake.version(t)) for t in lake.partitions("qa")))


@lru_cache(maxsize=8)
def _choices(lake, versions: tuple[tuple[str, int], ...]) -> dict[str, list]:
    qa = lake.scan("qa")
    found = pl.collect_all([qa.select(pl.col(c).drop_nulls().unique().sort()) for c in
                            ("round", "task", "split", "drop_reason")])
    values = {c: frame.to_series().to_list() for c, frame in zip(("round", "task", "split", "reason"), found,
                                                                  strict=True)}
    values["reason"].append("kept")
    return values | {"band": list(BANDS), "sort": list(SORTS)}


def page(request: Request) -> Response:
    state = request.app.state
    context = {"error": None, "query": SliceQuery(), "page": 1, "total": 0, "rows": [], "sparks": {}}
    status = 200
    try:
        query, number = queries.parse(request.query_params)
        if any(not v.strip() for v in request.query_params.values()):
            # the filter form sends every field; the shared URL names only those set
            return RedirectResponse(queries.url(query, number), status_code=303)
        context |= {"query": query, "page": number}
        total, rows, history = page_rows(state.lake, state.uri, query, number)
        context |= {"total": total, "rows": rows.to_dicts(),
                    "sparks": {qa_id: drawing.sparkline(values) for qa_id, values in history.items()}}
    except CliInputError as exc:
        context["error"], status = str(exc), 400
    query = context["query"]
    pages = max(1, -(-context["total"] // queries.PAGE_ROWS))
    context |= {
        "choices": choices(state.lake), "pages": pages,
        "command": query.command(state.uri), "snippet": query.snippet(state.uri),
        "prev_url": queries.url(query, context["page"] - 1) if context["page"] > 1 else None,
        "next_url": queries.url(query, context["page"] + 1) if context["page"] < pages else None,
        "params": queries.to_params(query), "spark_size": (drawing.SPARK_W, drawing.SPARK_H),
    }
    return state.templates.TemplateResponse(request, "rows.html", context, status_code=status)
