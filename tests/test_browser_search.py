"""The header autocomplete in real headless Chromium (Debian's package, driven by Playwright), at a desktop width and
at a phone's: a typo still finds, the options say what each result is, and the open list stays inside the viewport."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser_support import page_at, require_chromium
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(params=sorted(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    width, height = WIDTHS[request.param]
    with page_at(browser, width, height) as opened:
        yield opened


def _inside_viewport(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    width = page.evaluate("document.documentElement.clientWidth")
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)


@pytest.mark.parametrize("start", ["/", "/id/viktor-belenko", "/timeline"])
def test_a_typo_in_the_header_box_finds_belenko_and_the_list_stays_in_view(page: Page, live_server: LiveServer,
                                                                            start: str) -> None:
    page.goto(live_server.url + start)
    box = page.locator("header input.search-input")
    box.click()
    box.press_sequentially("belenco", delay=30)
    option = page.locator("#site-search-list [role=option] a", has_text="Viktor Belenko").first
    expect(option).to_be_visible()
    expect(option.locator(".search-option-type")).to_have_text("person")
    expect(option.locator(".search-option-description")).to_contain_text("Soviet Senior Lieutenant")
    _inside_viewport(page, "#site-search-list")
    for i in range(page.locator("#site-search-list [role=option]").count()):
        _inside_viewport(page, f"#site-search-list-opt-{i}")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    option.click()
    page.wait_for_url("**/id/viktor-belenko")


def test_spellings_of_mig_25_reach_it_by_keyboard(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    box = page.locator("header input.search-input")
    box.click()
    box.press_sequentially("mig 25", delay=30)
    first = page.locator("#site-search-list [role=option]").first
    expect(first).to_contain_text("MiG-25")
    _inside_viewport(page, "#site-search-list")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/id/mig-25")


def test_the_404_page_offers_what_the_path_might_mean(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/id/chuguevka-air-base")
    link = page.locator(".not-found-suggestions a", has_text="Chuguyevka air base")
    expect(link).to_be_visible()
    _inside_viewport(page, ".not-found-suggestions")
    link.click()
    page.wait_for_url("**/id/chuguyevka-air-base")
