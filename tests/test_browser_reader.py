"""The reader of a source in real headless Chromium: reached from the source's page, passages in text order with
their facts and claims coloured by status, links to the entities, no horizontal scroll at 390 px, nothing refused by
the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer
from tests.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _page(browser: Browser, width: int) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return page, problems


@pytest.mark.parametrize("width", [1280, 390])
def test_reader_from_the_source_page(browser: Browser, live_server: LiveServer, width: int) -> None:
    page, problems = _page(browser, width)
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
    page.context.close()
