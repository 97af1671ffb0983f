"""`dvc plots show` writes a page that draws with the network off (plots/offline.html).

The page is opened in headless Chromium behind a proxy that refuses every connection
but loopback's; a chart drew when vega left a sized `<canvas class="marks">` in the DOM.
The control is the same page with DVC's own CDN scripts, which draws nothing offline.
"""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from dvc_render.vega import VegaRenderer

from ouroboros.commands.demo import dvc_env
from tests.conftest import ROOT

TEMPLATE = ROOT / "plots" / "offline.html"
# Every way Chromium could reach the network is off or pointed at a closed local port.
OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--proxy-server=127.0.0.1:9",
           "--proxy-bypass-list=<-loopback>"]
DRAWN = re.compile(r'<canvas width="[1-9]\d*" height="[1-9]\d*" class="marks"')
SCRIPTS = re.compile(r"<script>.*?</script>\s*", re.S)


def test_dvc_config_names_the_offline_template():
    config = configparser.ConfigParser()
    config.read(ROOT / ".dvc" / "config")
    # DVC resolves a relative html_template against .dvc/
    assert (ROOT / ".dvc" / config["plots"]["html_template"]).resolve() == TEMPLATE


def test_template_loads_nothing_from_the_network():
    page = TEMPLATE.read_text()
    assert "{plot_divs}" in page
    assert not re.search(r"<script[^>]*\bsrc=", page), "a <script src> would need the network or a file beside it"
    for library in ("vega", "vega-lite", "vega-embed"):
        assert f"<!-- {library} " in page and (ROOT / "plots" / "licenses" / f"{library}.txt").is_file()


def drawn_charts(page: Path, profile: Path) -> int:
    dom = subprocess.run(
        ["chromium", *OFFLINE, f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    return len(DRAWN.findall(dom))


@pytest.mark.slow
def test_plots_page_draws_offline(tmp_path):
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    # the repository's own plots over its committed report CSVs, as `ouro demo` shows them
    subprocess.run(["dvc", "plots", "show", "-o", str(tmp_path / "out")], cwd=ROOT, env=dvc_env(), check=True,
                   capture_output=True)
    page = tmp_path / "out" / "index.html"
    assert drawn_charts(page, tmp_path / "profile") >= 2

    cdn = tmp_path / "cdn.html"
    cdn.write_text(SCRIPTS.sub("", page.read_text()).replace("<head>", "<head>" + VegaRenderer.SCRIPTS, 1))
    assert drawn_charts(cdn, tmp_path / "profile-cdn") == 0  # the proxy really keeps the CDN out
