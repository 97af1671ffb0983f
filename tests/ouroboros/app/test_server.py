"""The app's pages over the tiny pipeline lake, through Starlette's test client: bad input,
read-only routes, the shown command and snippet, caching, and an s3:// lake."""

import html
import io
import re
import shlex
from collections import deque

import polars as pl
import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from typer.testing import CliRunner

from ouroboros.app.geometry import named_categories
from ouroboros.app.server import create_app
from ouroboros.cli import app as cli
from ouroboros.lakes import open_lake
from tests.ouroboros.app.conftest import HOSTILE_ID

runner = CliRunner()
CRAWL_PAGES = 40

pytestmark = pytest.mark.pipeline  # the lake comes from the tiny pipeline (tests/ouroboros/conftest.py)


@pytest.fixture(scope="module")
def client(demo_lake):
    return TestClient(create_app(open_lake(demo_lake), demo_lake))


def error_line(response) -> str:
    return html.unescape(re.search(r'id="error">([^<]*)<', response.text).group(1))


def row_ids(response) -> list[str]:
    return re.findall(r'data-qa-id="(\w+)"', response.text)


def row_keys(response) -> list[tuple[str, str]]:
    """(qa_id, round) of each listed row: one question may be asked in several rounds."""
    return re.findall(r'data-qa-id="(\w+)" data-round="(\d+)"', response.text)


@pytest.mark.parametrize(("params", "cli_args"), [
    ("task=nope", ["--task", "nope"]),
    ("max_confidence=2", ["--max-conf", "2"]),
    ("round=9", ["--round", "9"]),
    ("band=tepid", ["--band", "tepid"]),
])
def test_a_bad_filter_value_shows_the_clis_one_line_with_the_valid_values(client, demo_lake, params, cli_args):
    page = client.get(f"/rows?{params}")
    assert page.status_code == 400 and "Traceback" not in page.text
    result = runner.invoke(cli, ["slice", "--lake", demo_lake, *cli_args])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {error_line(page)}"
    if params == "round=9":
        assert error_line(page).endswith("valid: 0, 1, 2")


def test_an_unknown_row_scene_or_frame_is_a_404_page(client):
    for url in ("/row/nope", "/scene/nope", "/frame/nope.png"):
        response = client.get(url)
        assert response.status_code == 404 and "nope" in error_line(response) and "Traceback" not in response.text


def test_every_route_is_get_only_and_a_crawl_leaves_every_table_version_as_it_was(client, demo_lake):
    app = client.app
    for route in app.routes:
        assert isinstance(route, Mount) or (isinstance(route, Route) and route.methods <= {"GET", "HEAD"}), route
    assert client.post("/rows").status_code == 405 and client.delete(f"/row/{HOSTILE_ID}").status_code == 405
    lake = open_lake(demo_lake)
    before = {t: [v.version for v in lake.versions(t)] for t in lake.tables()}
    seen, todo = set(), deque(["/rows", "/rounds", "/diff?a=1&b=2", "/rows?sort=spread"])
    while todo and len(seen) < CRAWL_PAGES:
        url = html.unescape(todo.popleft())
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if response.headers["content-type"].startswith("text/html"):
            todo.extend(u for u in re.findall(r'href="(/[^"]*)"', response.text) if not u.startswith("/static"))
    assert {u.split("?")[0].split("/")[1] for u in seen} >= {"rows", "row", "scene", "rounds", "diff", "frame"}
    assert {t: [v.version for v in lake.versions(t)] for t in lake.tables()} == before


def test_the_shown_command_and_snippet_give_the_pages_rows(client, demo_lake):
    page = client.get("/rows?round=1&reason=kept&sort=confidence")
    shown = row_ids(page)
    assert shown
    command = shlex.split(html.unescape(re.search(r'id="command">([^<]*)<', page.text).group(1)))
    assert command[:2] == ["ouro", "slice"]
    result = runner.invoke(cli, [*command[1:], "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(io.StringIO(result.output))["qa_id"].head(50).to_list() == shown
    namespace = {}
    exec(html.unescape(re.search(r'id="snippet">([^<]*)<', page.text).group(1)), namespace)  # noqa: S102
    assert namespace["rows"]["qa_id"].head(50).to_list() == shown


def test_filters_narrow_and_pages_follow_the_url(client):
    everything = client.get("/rows")
    total = int(re.search(r"(\d+) row\(s\)", everything.text).group(1))
    assert len(row_ids(everything)) == min(total, 50)
    hard = client.get("/rows?round=1&band=hard")
    assert int(re.search(r"(\d+) row\(s\)", hard.text).group(1)) < total
    second = client.get("/rows?page=2")
    assert row_keys(second) and not set(row_keys(second)) & set(row_keys(everything))
    assert client.get("/rows?page=0").status_code == 400
    form = client.get("/rows?round=1&task=&band=hard&page=1", follow_redirects=False)  # what the form sends
    assert form.status_code == 303 and form.headers["location"] == "/rows?round=1&band=hard"


def test_frames_are_served_from_an_lru_with_immutable_caching(client):
    frame_id = re.search(r'/frame/(\w+)\.png\?thumb=1', client.get("/rows").text).group(1)
    cache = client.app.state.frames.png
    first = client.get(f"/frame/{frame_id}.png?thumb=1")
    hits = cache.cache_info().hits
    again = client.get(f"/frame/{frame_id}.png?thumb=1")
    assert first.content == again.content and first.content.startswith(b"\x89PNG")
    assert cache.cache_info().hits == hits + 1
    assert "immutable" in first.headers["cache-control"]
    assert client.get(f"/frame/{frame_id}.png?thumb=1", headers={"If-None-Match": first.headers["etag"]}
                      ).status_code == 304


def test_row_page_shows_program_history_and_neighbours(client, demo_lake):
    lake = open_lake(demo_lake)
    embedded = lake.scan("embeddings").select("item_id").head(1).collect().item()
    page = client.get(f"/row/{embedded}")
    assert page.status_code == 200 and "compute_answer" in page.text
    assert page.text.count("<a href=\"/row/") >= 5  # five neighbours, each a link (plus its history)
    unembedded = client.get(f"/row/{HOSTILE_ID}")
    assert re.search(rf'id="neighbours">[^<]*{HOSTILE_ID}[^<]*embeddings__question', unembedded.text)


def test_a_row_page_outlines_the_objects_its_question_names_in_the_frames_that_see_them(client, demo_lake):
    lake = open_lake(demo_lake)
    seen = {f: {v["category"] for v in visible if v["fraction"] > 0}
            for f, visible in lake.scan("frames").select("frame_id", "visible_objects").collect().iter_rows()}
    rows = lake.scan("qa").select("qa_id", "round", "question", "frame_ids").collect().iter_rows()
    qa_id, round_, named = next(  # the first question that names something its frames see
        (qa_id, round_, named) for qa_id, round_, question, frame_ids in rows
        if (named := named_categories(question, sorted(set().union(*(seen.get(f, set()) for f in frame_ids))))))
    frames = client.get(f"/row/{qa_id}?round={round_}").text.split('id="frames"')[1].split('class="plan"')[0]
    labels = re.findall(r'<g class="named"><rect[^>]*><title>([^<]*)</title>', frames)
    assert labels and {label.rsplit(" ", 1)[0] for label in labels} == named


def test_scene_and_rounds_pages_link_to_rows(client):
    rounds = client.get("/rounds")
    points = re.findall(r'<a href="/row/(\w+)"><circle', rounds.text)
    assert points and client.get(f"/row/{points[0]}").status_code == 200
    scene = re.search(r'/scene/(\w+)', client.get(f"/row/{HOSTILE_ID}").text).group(1)
    page = client.get(f"/scene/{scene}")
    assert page.status_code == 200 and HOSTILE_ID in page.text and 'id="plan"' in page.text
