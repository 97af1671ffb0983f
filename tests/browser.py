"""A real browser for tests: Debian's chromium driven headless by Playwright, and a live
server to point it at.

Playwright's own browser download is not available here, so it launches the system
chromium (`.ci/run` installs it). Without chromium or Playwright the browser tests skip
and say why; they never pass without a browser.
"""

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = "chromium"
# No sandbox (containers run as root); no GPU, no network side-traffic, no first-run UI.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = 20


@pytest.fixture(scope="session")
def browser():
    """A headless chromium (playwright.sync_api.Browser) for the session."""
    executable = shutil.which(CHROMIUM)
    if executable is None:
        pytest.skip(f"no {CHROMIUM} on PATH (apt-get install chromium; .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh page (own context: no cookies or cache shared between tests)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 and a free port in a thread; yields its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
