"""Regenerate docs/app-rows.png and docs/app-row.png: `ouro app`'s rows page and one row's page,
shot in headless chromium (the browser the tests drive, tests/browser.py).

    python docs/make_app_screenshots.py --lake lake [--out docs]

The row shown is the first kept row of round 2 whose question names an object its frames
outline (else the first kept row).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ouroboros.app.server import create_app  # noqa: E402
from ouroboros.lakes import open_lake  # noqa: E402
from tests.browser import ARGS, serving  # noqa: E402

WIDTH, HEIGHT = 1400, 900  # px of the browser window


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--lake", default="lake")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with serving(create_app(open_lake(args.lake, must_exist=True), args.lake)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(f"{url}/rows?round=2&split=train")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=args.out / "app-rows.png")
        page.goto(f"{url}/rows?round=2&split=train&reason=kept")  # scored rows: their page has a history
        links = page.locator("td.question a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        for link in links:
            page.goto(url + link)
            if page.locator(".frame svg .named").count():
                break
        else:
            page.goto(url + links[0])
        page.wait_for_load_state("networkidle")
        page.screenshot(path=args.out / "app-row.png", full_page=True)
        browser.close()
    print(f"wrote {args.out / 'app-rows.png'} and {args.out / 'app-row.png'}")


if __name__ == "__main__":
    main()
