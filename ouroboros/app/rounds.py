"""GET /rounds: per round, the rows each filter reason dropped and each band held, the
training budget per task, eval per task (the numbers `ouro report` writes for `dvc plots`),
and the data map, each point a link to its row."""

import json

from starlette.requests import Request
from starlette.responses import Response

from curation.bands import BANDS
from ouroboros.app import drawing
from ouroboros.stages.report import budget_table, data_map


def round_rows(lake) -> list[dict]:
    """The `rounds` table with its JSON columns read: counts, band totals, eval per task."""
    rounds = lake.scan("rounds").select("round", "prev", "counts", "bands", "metrics").collect().sort("round")
    out = []
    for r in rounds.iter_rows(named=True):
        bands = json.loads(r["bands"])
        metrics = json.loads(r["metrics"])
        out.append({"round": r["round"], "prev": r["prev"], "counts": json.loads(r["counts"]),
                    "bands": {b: sum(t.get(b, 0) for t in bands.values()) for b in BANDS},
                    "eval": metrics.get("eval", {}), "blind": metrics.get("eval_blind", {}).get("overall")})
    return out


def page(request: Request) -> Response:
    state = request.app.state
    rounds = round_rows(state.lake)
    reasons = sorted({k for r in rounds for k in r["counts"]})
    tasks = sorted({k for r in rounds for k in r["eval"] if k != "overall"})
    budget = budget_table(state.lake.scan("qa").select("round", "split", "task", "selected").collect())
    scores = state.lake.scan("scores").select("qa_id", "blind", "confidence", "correct").collect()
    points, mapped = drawing.map_points(data_map(scores))
    context = {
        "rounds": rounds, "reasons": reasons, "tasks": tasks, "bands": BANDS,
        "budget": budget.to_dicts(), "budget_tasks": [c for c in budget.columns if c != "round"],
        "points": points, "mapped": mapped,
        "map": {"w": drawing.MAP_W, "h": drawing.MAP_H, "pad": drawing.MAP_PAD},
        "round_ids": [r["round"] for r in rounds],
    }
    return state.templates.TemplateResponse(request, "rounds.html", context)


