"""The reader of a source in real headless Chromium: reached from the source's page, passages in text order with
their facts and claims coloured by status, links to the entities, no horizontal scroll at 390 px, nothing refused by
the Content-Security-Policy."""

from __future__ import annotations

import pytest

from tests.browser_support import page_at, require_chromium
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

require_chromium()

from playwright.sync_api import Browser  # noqa: E402


@pytest.mark.parametrize("width", [1280, 390])
def test_reader_from_the_source_page(browser: Browser, live_server: LiveServer, width: int) -> None:
    with page_at(browser, width, height=844) as page:
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/id/article-leone-2023")
        page.click(".reader-link a")
        page.wait_for_url("**/source/article-leone-2023")
        passages = page.locator("li.passage")
        assert passages.count() >= 80
        offsets = [int(o) for o in page.eval_on_selector_all("li.passage", "els => els.map(e => e.dataset.offset)")]
        assert offsets == sorted(offsets)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # colours by status, as the stylesheet says (not inline): a fact green, a disputed claim red
        colours = page.evaluate("""() => Object.fromEntries(['asserted', 'disputed', 'claim', 'hedged'].map(s => [s,
            getComputedStyle(document.querySelector('li.support.status-' + s)).borderLeftColor]))""")
        assert len(set(colours.values())) == 4, colours
        assert colours["asserted"] == "rgb(46, 125, 50)" and colours["disputed"] == "rgb(198, 40, 40)"
        # a passage's entity link leads to the entity
        link = page.locator('li.passage a[href="/id/rank-senior-lieutenant"]').first
        link.click()
        page.wait_for_url("**/id/rank-senior-lieutenant")
        assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
