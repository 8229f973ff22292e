"""The report in a real browser: headless Chromium (Debian's, driven by Playwright through `executable_path`; never
`playwright install`) opens a generated report.html from disk and finds no console error, no failed request and
every image (charts and the map) rendered with a non-zero size; a screenshot is kept as a test artefact in
test-artifacts/. Skipped, saying why, when Chromium or Playwright is missing, unless ROUTESIM_REQUIRE_BROWSER=1
(set by .ci/run), which makes that a failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.report_helpers import report_run

CHROMIUM = os.environ.get("ROUTESIM_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"


def _missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and shutil.which(CHROMIUM) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set ROUTESIM_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("ROUTESIM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ROUTESIM_REQUIRE_BROWSER=1 but {reason}")
    print(f"skipping the browser test: {reason}")
    pytest.skip(reason)


def test_report_renders_in_chromium(browser_ready: None, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder = report_run(tmp_path / "run")
    report = folder / "report.html"
    errors: list[str] = []
    failed: list[str] = []
    requests: list[str] = []
    with sync_playwright() as play:
        context = play.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                          args=FLAGS, headless=True)
        try:
            page = context.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri(), wait_until="load")
            images = page.eval_on_selector_all("img", """els => els.map(e => ({alt: e.alt, complete: e.complete,
                natural: e.naturalWidth, width: e.getBoundingClientRect().width,
                height: e.getBoundingClientRect().height}))""")
            title = page.title()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report_run.png"), full_page=True)
        finally:
            context.close()
    assert errors == [] and failed == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []  # nothing fetched
    assert title.startswith("routesim run:")
    alts = [image["alt"] for image in images]
    assert any(alt.startswith("People on each leg") for alt in alts)  # the map
    assert len(images) >= 5
    for image in images:
        assert image["complete"] and image["natural"] > 0, image["alt"]
        assert image["width"] > 100 and image["height"] > 100, image["alt"]
    assert (ARTIFACTS / "report_run.png").stat().st_size > 10_000
