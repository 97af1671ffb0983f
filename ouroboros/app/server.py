"""The Starlette application: routes, templates and error pages over one opened lake.

Pages are rendered on the server from Jinja2 templates with autoescaping on, so every
model-written text (questions, options, programs, predictions) reaches the browser as
text, never as markup. Handlers are plain functions: Starlette runs them in its thread
pool, so a slow Lance scan never blocks the event loop.
"""

from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ouroboros.app import diff, images, rounds, row, rows, scene
from ouroboros.console import short_task

HERE = Path(__file__).parent


def templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["short_task"] = short_task
    env.filters["num"] = lambda v, digits=3: "–" if v is None else f"{v:.{digits}f}"
    # every page names the lake it shows in its header
    return Jinja2Templates(env=env, context_processors=[lambda request: {"uri": request.app.state.uri}])


def http_error(request: Request, exc: HTTPException) -> Response:
    """Any HTTP error as a page of its own (status kept), never a traceback."""
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": exc.status_code, "message": exc.detail}, status_code=exc.status_code)


def create_app(lake, uri: str) -> Starlette:
    """The app over `lake` (a store.Lake, opened by the caller); `uri` is how pages and
    the commands they show name it."""
    routes = [
        Route("/", lambda request: RedirectResponse("/rows"), methods=["GET"]),
        Route("/rows", rows.page, methods=["GET"]),
        Route("/row/{qa_id}", row.page, methods=["GET"]),
        Route("/scene/{scene_id}", scene.page, methods=["GET"]),
        Route("/rounds", rounds.page, methods=["GET"]),
        Route("/diff", diff.page, methods=["GET"]),
        Route("/frame/{frame_id}.png", images.frame, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.lake, app.state.uri, app.state.templates = lake, uri, templates()
    app.state.frames = images.FrameCache(lake)
    return app
