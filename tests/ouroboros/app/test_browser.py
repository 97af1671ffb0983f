"""The app in a real browser (headless chromium, tests/browser.py) over the tiny pipeline lake:
pages load, filters narrow, thumbnails decode, and model-written text never runs."""

import pytest

from ouroboros.app.server import create_app
from ouroboros.lakes import open_lake
from store.diff import compare_rounds
from tests.browser import serving
from tests.ouroboros.app.conftest import HOSTILE, HOSTILE_ID

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]


@pytest.fixture(scope="module")
def base_url(demo_lake):
    with serving(create_app(open_lake(demo_lake), demo_lake)) as url:
        yield url


def count(page) -> int:
    return int(page.inner_text("#count").split()[0])


def test_rows_page_loads_and_a_filter_narrows_it(page, base_url):
    page.goto(f"{base_url}/rows")
    everything = count(page)
    assert everything > 0 and page.locator("tr.row").count() == min(everything, 50)
    task = page.locator("select[name=task] option").nth(1).get_attribute("value")
    page.select_option("select[name=task]", task)
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert f"task={task}" in page.url
    assert 0 < count(page) < everything
    assert f"--task {task}" in page.text_content("#command")


def test_a_thumbnail_is_a_decoded_image(page, base_url):
    page.goto(f"{base_url}/rows")
    thumb = page.locator("img.thumb").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.evaluate("img => img.naturalWidth") > 0


def test_a_row_page_shows_its_program(page, base_url):
    page.goto(f"{base_url}/rows")
    page.locator("td.question a").first.click()
    page.wait_for_selector("#program")
    assert "def compute_answer" in page.inner_text("#program")
    assert page.locator("#history tr").count() >= 2  # a header and at least its own round


def test_the_diff_page_lists_the_rows_a_round_added(page, base_url, demo_lake):
    lake = open_lake(demo_lake)
    added = compare_rounds(lake.scan("qa__r1"), lake.scan("qa__r2")).rows.added
    page.goto(f"{base_url}/diff?a=1&b=2")
    listed = page.locator("#added a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert added.height and {h.split("/row/")[1].split("?")[0] for h in listed} == set(added["qa_id"].head(200))


def test_model_written_text_shows_literally_and_never_runs(page, base_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in (f"/row/{HOSTILE_ID}", "/rows?contains=%3Cscript%3E", "/diff?a=1&b=2"):
        page.goto(base_url + url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, url
        assert HOSTILE in page.inner_text("main"), url
    assert page.locator("main script").count() == 0 and page.locator("main img[src=x]").count() == 0
    page.goto(f"{base_url}/row/{HOSTILE_ID}")
    assert HOSTILE in page.inner_text("#question") and HOSTILE in page.inner_text("#program")
    assert dialogs == []
