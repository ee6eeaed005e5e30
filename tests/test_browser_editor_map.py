"""Issue 12 in the SPARQL editor, in real Chromium: a SELECT that binds WKT points offers "Show on map"; the map
(the server's drawing from /map/points) opens in place with a named, linked mark for Hakodate airport where Web
Mercator puts its coordinates; the server-rendered page offers the same, as a link without JavaScript; no CSP
violation, no sideways scroll at 390 px."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from service.features.geo import basemap
from tests.conftest import LiveServer
from tests.test_browser_editor import csp_violations, editor_page, open_editor, page, set_query  # noqa: F401

pytestmark = pytest.mark.browser

QUERY = "PREFIX geo: <http://www.opengis.net/ont/geosparql#> SELECT ?place ?wkt WHERE { ?place geo:asWKT ?wkt }"
AIRPORT = (140.82194, 41.77)  # the gazetteer's POINT(140.82194 41.77)


def check_airport(page: Page, scope: Locator) -> None:  # noqa: F811
    """Hakodate airport's mark in the map inside `scope`: named, linked, where Web Mercator puts its coordinates in
    the view around the map's points, and drawn there on the screen."""
    svg = scope.locator("svg.map-svg")
    expect(svg).to_be_visible()
    marks = svg.locator("a.map-place")
    assert marks.count() == 5
    mark = svg.locator("a.map-place[data-iri$='/id/hakodate-airport']")
    assert mark.get_attribute("href") == "/id/hakodate-airport"
    assert mark.locator("text").text_content() == "Hakodate airport"
    assert mark.locator("title").text_content().startswith("Hakodate airport")
    circle = mark.locator("circle")
    cx, cy = float(circle.get_attribute("cx") or "nan"), float(circle.get_attribute("cy") or "nan")
    view_w = float((svg.get_attribute("viewBox") or "").split()[2])
    points = marks.evaluate_all("ms => ms.map(m => [+m.dataset.lon, +m.dataset.lat])")
    view = basemap.Viewport.around([(lon, lat) for lon, lat in points], width=int(view_w))
    assert view.project(*AIRPORT) == (cx, cy)
    box, svg_box = circle.bounding_box(), svg.bounding_box()
    assert box and svg_box
    scale = svg_box["width"] / view_w
    assert abs(box["x"] + box["width"] / 2 - (svg_box["x"] + cx * scale)) < 2
    assert abs(box["y"] + box["height"] / 2 - (svg_box["y"] + cy * scale)) < 2


@pytest.mark.parametrize("width", (1280, 390))
def test_editor_shows_wkt_results_on_a_map(browser: Browser, live_server: LiveServer, width: int) -> None:
    with editor_page(browser, width=width) as tab:
        open_editor(tab, live_server.url + "/sparql")
        set_query(tab, QUERY)
        tab.locator(".cm-content").press("Control+Enter")
        result = tab.locator("section.sparql-result[data-rendered=script]")
        expect(result.locator("tbody tr")).to_have_count(5)
        control = result.locator(".map-points")
        expect(control).to_contain_text("5 WKT points")
        button = control.locator("button")
        expect(button).to_have_text("Show on map")
        button.click()
        check_airport(tab, control)
        expect(button).to_have_text("Hide map")
        assert button.get_attribute("aria-expanded") == "true"
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        # The map's own page, by the control's link, draws the same.
        href = control.locator("a", has_text="its own page").get_attribute("href") or ""
        button.click()
        expect(control.locator("svg.map-svg")).to_have_count(0)
        assert csp_violations(tab) == []
        tab.goto(live_server.url + href)
        check_airport(tab, tab.locator("main"))


def test_a_result_without_points_offers_no_map(page: Page, live_server: LiveServer) -> None:  # noqa: F811
    open_editor(page, live_server.url + "/sparql")
    set_query(page, 'SELECT ?w WHERE { BIND("POINT(1 2)" AS ?w) }')  # a string, not a geo:wktLiteral
    page.locator(".cm-content").press("Control+Enter")
    expect(page.locator("section.sparql-result[data-rendered=script] tbody tr")).to_have_count(1)
    assert page.locator(".map-points").count() == 0


def test_the_server_page_offers_the_map_with_and_without_javascript(browser: Browser,
                                                                     live_server: LiveServer) -> None:
    url = live_server.url + "/sparql?query=" + quote(QUERY)
    with editor_page(browser) as tab:  # with the script: the server's form opens the map in place
        open_editor(tab, url)
        form = tab.locator("form.map-points")
        form.get_by_role("button", name="Show on map").click()
        check_airport(tab, form)
        assert "/sparql" in tab.url and csp_violations(tab) == []
    with editor_page(browser, javascript=False) as tab:  # without: the form is a link to the map's page
        tab.goto(url)
        tab.locator("form.map-points").get_by_role("button", name="Show on map").click()
        tab.wait_for_url("**/map/points?*")
        check_airport(tab, tab.locator("main"))
