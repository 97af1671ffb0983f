"""GET /diff?a=A&b=B: what `ouro diff A B` prints, as a page: questions added, removed and
changed (each a link to its row), and how the difficulty mix and the training selection
shifted. A and B are `ouro diff`'s specs and go through its own parsing and checks."""

from contextlib import ExitStack

from starlette.requests import Request
from starlette.responses import Response

from ouroboros.commands.diff import open_side
from store.diff import DECISION_COLUMNS, compare_rounds
from store.errors import UserFacingError

SHOWN = 200  # rows listed per kind of change; the counts above them are complete


def page(request: Request) -> Response:
    state = request.app.state
    a, b = request.query_params.get("a", "").strip(), request.query_params.get("b", "").strip()
    context = {"a": a, "b": b, "found": None, "shown": SHOWN}
    status = 200
    if a and b:
        try:
            with ExitStack() as stack:  # a revision's temp copy must outlive every read
                found = compare_rounds(open_side(stack, "A", a, state.uri), open_side(stack, "B", b, state.uri))
        except UserFacingError as exc:
            context["error"], status = str(exc), 400
        else:
            changed = [
                {"qa_id": r["qa_id"],
                 "what": [(c, r[c + "_old"], r[c]) for c in DECISION_COLUMNS if r[c] != r[c + "_old"]]}
                for r in found.rows.changed.head(SHOWN).iter_rows(named=True)
            ]
            context["found"] = {
                "summary": found.rows.summary(),
                "added": found.rows.added.head(SHOWN).select("qa_id", "round", "task", "question").to_dicts(),
                "removed": found.rows.removed.head(SHOWN).select("qa_id", "round", "task", "question").to_dicts(),
                "changed": changed, "mix": found.mix.to_dicts(), "trained": found.trained.to_dicts(),
            }
    return state.templates.TemplateResponse(request, "diff.html", context, status_code=status)
