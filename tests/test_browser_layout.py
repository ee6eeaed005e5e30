"""Every main page type in real headless Chromium at 1280 px and 390 px: no horizontal scroll, and no serious or
critical accessibility violation found by axe-core (vendored in tests/vendor/axe-core, test material only).

Set HISTKG_SCREENSHOT_DIR to keep a full-page screenshot of each page at each width.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import page_at, require_chromium
from tests.conftest import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.stores("memory")]  # layout does not depend on the store

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = (1280, 390)
PAGES = {
    "home": "/",
    "entity": "/id/viktor-belenko",
    "statement": "/statement/claim-drugged",
    "timeline": "/timeline",
    "sparql": "/sparql?query=" + "SELECT%20%3Fs%20%3Fp%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%2020",
    "queries": "/queries",
    "query": "/queries/aircraft-fate?aircraft=id%3Abelenko-mig-25",
    "ontology": "/ontology",
    "class": "/class/Person",
    "search": "/search?q=belenko&format=html",
    "export": "/export",
    "not-found": "/id/no-such-thing",
    "void": "/.well-known/void",
    "place": "/id/hakodate-airport",
    "map": "/map",
    "network": "/network?focus=https%3A%2F%2Fhistkg.example.org%2Fid%2Fviktor-belenko",
    "reader": "/source/article-leone-2023",
}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """One page per width for the whole module (a fresh context per page would cost more than the checks)."""
    with page_at(browser, request.param) as opened:
        yield opened


def _axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations, run through the DevTools protocol (the page's CSP forbids injected script tags)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                     + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                                 for n in v["nodes"][:5]) for v in violations)


@pytest.mark.parametrize("kind", list(PAGES))
def test_page_fits_the_viewport_and_passes_axe(page: Page, live_server: LiveServer, kind: str) -> None:
    response = page.goto(live_server.url + PAGES[kind])
    assert response is not None and response.status == (404 if kind == "not-found" else 200)
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""w => Array.from(document.querySelectorAll('body *')).filter(e => {
        const r = e.getBoundingClientRect(); return r.right > w + 1 && getComputedStyle(e).position !== 'fixed';
      }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                         width)
    assert scroll <= width, f"{kind} at {width} px is {scroll} px wide: {wide}"
    directory = os.environ.get("HISTKG_SCREENSHOT_DIR")
    if directory:
        page.screenshot(path=str(Path(directory) / f"{kind}-{width}.png"), full_page=True)
    violations = _axe(page)
    assert not violations, f"{kind} at {width} px:\n{_describe(violations)}"


@pytest.mark.parametrize("where", ["/", "/queries/person-events"])
def test_autocomplete_stays_inside_the_viewport(page: Page, live_server: LiveServer, where: str) -> None:
    page.goto(live_server.url + where)
    width = page.viewport_size["width"] if page.viewport_size else 0
    boxes = page.locator("input.search-input")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        if not box.is_visible():
            continue
        box.fill("")
        box.press_sequentially("be", delay=20)
        listbox = page.locator("#" + str(box.get_attribute("aria-controls")))
        expect(listbox.locator("[role=option]").first).to_be_visible()
        shape = listbox.bounding_box()
        assert shape is not None
        assert shape["x"] >= 0 and shape["x"] + shape["width"] <= width, f"{where} #{index} at {width}: {shape}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box.press("Escape")


def test_result_columns_sort_by_number_and_text(page: Page, live_server: LiveServer) -> None:
    """static/sort.js on a saved query's server-rendered table: numeric-aware, both directions, aria-sort set."""
    page.goto(live_server.url + "/queries/statement-status-counts")
    table = page.locator("table.results")
    column = table.locator("thead th").nth(2)
    button = column.locator("button.sort")
    expect(button).to_have_text("statements")

    def counts() -> list[int]:
        return [int(text) for text in table.locator("tbody tr td:nth-child(3)").all_inner_texts()]

    assert len(counts()) > 2
    button.click()
    expect(column).to_have_attribute("aria-sort", "ascending")
    assert counts() == sorted(counts())
    button.click()
    expect(column).to_have_attribute("aria-sort", "descending")
    assert counts() == sorted(counts(), reverse=True)
    labels = table.locator("thead th").nth(1)
    labels.locator("button.sort").click()
    expect(labels).to_have_attribute("aria-sort", "ascending")
    assert column.get_attribute("aria-sort") is None
    texts = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert texts == sorted(texts, key=str.casefold)


def test_a_parameter_is_chosen_by_label_and_the_query_runs(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/queries/aircraft-fate")
    box = page.locator("form.query-params input[name=aircraft]")
    box.fill("")
    box.press_sequentially("zuyev's mig", delay=20)
    option = page.locator("#param-aircraft-list [role=option]", has_text="Zuyev's MiG-29").first
    expect(option).to_be_visible()
    option.click()
    expect(box).to_have_value("Zuyev's MiG-29")
    assert "/queries/aircraft-fate" in page.url, "choosing fills the field; it does not leave the form"
    page.locator("form.query-params button[type=submit]").click()
    page.wait_for_url("**aircraft=Zuyev**")
    expect(page.locator("table.results a[href='/id/zuyev-mig-29']").first).to_be_visible()
