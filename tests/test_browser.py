"""Real headless Chromium (Debian's package, driven by Playwright; no browser download) against the live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import page_at, require_chromium
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    with page_at(browser, 1280, 720) as opened:  # Playwright's default viewport
        yield opened


def test_search_autocomplete_reaches_an_entity_page(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    box = page.locator("header input.search-input")
    box.click()
    box.press_sequentially("belenk", delay=30)
    option = page.locator("#site-search-list [role=option] a", has_text="Viktor Belenko").first
    expect(option).to_be_visible()
    option.click()
    page.wait_for_url("**/id/viktor-belenko")
    expect(page.locator("h1.entity-label")).to_have_text("Viktor Belenko")
    expect(page.locator("#claims article.claim").first).to_be_visible()


def test_search_keyboard_and_no_js_fallback(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/timeline")
    box = page.locator("header input.search-input")
    box.click()
    box.press_sequentially("foxbat", delay=30)
    expect(page.locator("#site-search-list [role=option]").first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/id/mig-25")
    page.goto(live_server.url + "/search?q=hakodate")  # what the form gives without JavaScript
    expect(page.locator("ol.search-results a[href='/id/hakodate-airport']")).to_be_visible()


def test_saved_query_runs_and_its_links_work(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/queries")
    page.locator("a.saved-query[href='/queries/organisation-members']").click()
    page.locator("form.query-params input[name=organisation]").fill("id:530-iap")
    page.locator("form.query-params button[type=submit]").click()
    page.wait_for_url("**organisation=id%3A530-iap**")
    link = page.locator("table.results a[href='/id/viktor-belenko']").first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/id/viktor-belenko")
    expect(page.locator("h1.entity-label")).to_have_text("Viktor Belenko")


def test_query_editor_runs_a_query_and_shows_a_table(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/sparql", wait_until="domcontentloaded")
    editor = page.locator(".sparql-editor .cm-content")  # the CodeMirror editor (tests/test_browser_editor.py)
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(
        "PREFIX hk: <https://histkg.example.org/ontology#>\n"
        "SELECT ?unit WHERE { <https://histkg.example.org/id/viktor-belenko> hk:memberOf ?unit }")
    page.locator("form.sparql-query button[type=submit]").click()
    expect(page.locator("table.results a[href='/id/530-iap']")).to_be_visible()


def test_editor_script_enhances_the_form(page: Page, live_server: LiveServer) -> None:
    """static/editor.js (which the /sparql page includes): Ctrl+Enter runs, JSON results in a table, URL kept."""
    page.goto(live_server.url + "/sparql", wait_until="domcontentloaded")
    assert page.locator("script[src$='editor.js']").count() == 1, "the /sparql page includes the editor script"
    expect(page.locator("form.sparql-query select")).to_be_visible()  # examples from the saved queries
    assert "PREFIX id: <https://histkg.example.org/id/>" in page.locator("textarea[name=query]").input_value()
    area = page.locator(".sparql-editor .cm-content")
    area.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text("SELECT ?s WHERE { ?s <https://histkg.example.org/ontology#pilot> "
                              "<https://histkg.example.org/id/viktor-belenko> } ORDER BY ?s")
    area.press("Control+Enter")
    expect(page.locator("table.results a[href='/id/belenko-defection']")).to_be_visible()
    assert "query=SELECT" in page.url
    assert page.locator("section.sparql-result .downloads a").count() == 4


def test_timeline_renders_in_date_order(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/timeline")
    rows = page.locator("table.timeline tr.event")
    expect(rows.first).to_be_visible()
    dates = rows.evaluate_all("rows => rows.map(r => r.dataset.date)")
    assert len(dates) > 20 and dates == sorted(dates)
    labels = page.locator("table.timeline a.event-link").all_inner_texts()
    assert labels.index("Belenko's rapid descent to low altitude") < labels.index(
        "Belenko's landing at Hakodate airport")


def test_entity_page_screenshot(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.goto(live_server.url + "/id/viktor-belenko")
    why = page.locator("#facts li.fact.inferred details.why summary").first
    why.click()
    expect(page.locator("#facts details.why[open] code.rule").first).to_be_visible()
    path = Path(os.environ.get("HISTKG_SCREENSHOT_DIR", tmp_path)) / "belenko.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
