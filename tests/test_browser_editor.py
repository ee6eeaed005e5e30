"""The SPARQL editor on /sparql in real headless Chromium: CodeMirror with highlighting, prefix completion, results
like the server's table, readable errors with their position marked, saved queries opened with their parameters,
and the page without JavaScript (a textarea and a form)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser_support import page_at, require_chromium
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

ID = "https://histkg.example.org/id/"
HK = "https://histkg.example.org/ontology#"
# Content-Security-Policy violations, recorded in the page (the event is retargeted to the shadow host).
RECORD_CSP = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
              "e => window.__csp.push(e.violatedDirective + ' ' + (e.sample || '')), true);")


@contextmanager
def editor_page(browser: Browser, width: int = 1280, javascript: bool = True) -> Iterator[Page]:
    """A page that records Content-Security-Policy violations (see `csp_violations`)."""
    with page_at(browser, width, javascript=javascript) as opened:
        opened.add_init_script(RECORD_CSP)
        yield opened


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    with editor_page(browser) as opened:
        yield opened


def open_editor(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".sparql-editor .cm-editor")).to_be_visible()


def set_query(page: Page, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.insert_text(text)  # as an input method would: one insertion, no key-by-key auto-closing
    assert page.locator("textarea[name=query]").input_value() == text, "the hidden textarea follows the editor"


def editor_text(page: Page) -> str:
    return page.locator("textarea[name=query]").input_value()


def table(page: Page) -> list[list[tuple[str, str | None, str | None]]]:
    """The result table's rows: each cell's text, its link and its title (hover text)."""
    return page.locator("section.sparql-result table.results tbody tr").evaluate_all(
        """rows => rows.map(r => Array.from(r.cells).map(td => {
             const a = td.querySelector('a');
             const named = td.querySelector('[title]');
             return [td.textContent.trim(), a ? a.getAttribute('href') : null,
                     td.getAttribute('title') || (named ? named.getAttribute('title') : null)];
           }))""")


def csp_violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp"))


def test_editor_loads_with_highlighting(page: Page, live_server: LiveServer) -> None:
    open_editor(page, live_server.url + "/sparql")
    expect(page.locator("textarea[name=query]")).to_be_hidden()  # kept in the form, following the editor
    assert "PREFIX id: <https://histkg.example.org/id/>" in editor_text(page)
    expect(page.locator(".cm-content .cm-line").first).to_contain_text("PREFIX hk:")
    # Tokens are styled: the keyword, the IRI and the variable each get a highlighting class and their own colour.
    styles = page.locator(".cm-content .cm-line span").evaluate_all(
        "spans => spans.map(s => [s.textContent, s.className, getComputedStyle(s).color])")
    colour = {text: color for text, cls, color in styles if cls}
    plain = page.locator(".cm-content").evaluate("e => getComputedStyle(e).color")
    assert colour["PREFIX"] != plain and colour["SELECT"] == colour["PREFIX"]
    assert colour["?entity"] not in (plain, colour["PREFIX"])
    assert colour["<https://histkg.example.org/id/>"] not in (plain, colour["PREFIX"])
    assert page.locator(".cm-gutters .cm-lineNumbers").is_visible()
    assert csp_violations(page) == [], "CodeMirror's styles load under the CSP (no inline styles)"


def test_typing_prefix_offers_the_service_prefixes(page: Page, live_server: LiveServer) -> None:
    open_editor(page, live_server.url + "/sparql")
    set_query(page, "")
    page.locator(".cm-content").press_sequentially("PREFIX ", delay=20)
    options = page.locator(".cm-tooltip-autocomplete li")
    expect(options.first).to_be_visible()
    labels = options.all_inner_texts()
    assert any(label.startswith("hk:") and HK in label for label in labels)
    assert any(label.startswith("schema:") for label in labels)
    page.keyboard.type("fo", delay=20)
    expect(options).to_have_count(1)
    page.wait_for_timeout(150)  # CodeMirror takes Enter as "accept" only 75 ms after the list shows
    page.keyboard.press("Enter")
    assert editor_text(page) == "PREFIX foaf: <http://xmlns.com/foaf/0.1/>"


def test_a_prefixed_name_completes_and_declares_its_prefix(page: Page, live_server: LiveServer) -> None:
    open_editor(page, live_server.url + "/sparql")
    set_query(page, "SELECT ?s WHERE {\n  ?s a ")
    page.locator(".cm-content").press("Control+End")
    page.keyboard.type("sk", delay=20)
    option = page.locator(".cm-tooltip-autocomplete li", has_text="skos:")
    expect(option).to_be_visible()
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    page.keyboard.type("Concept }", delay=10)
    text = editor_text(page)
    assert text.startswith("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT ?s WHERE {")
    assert "?s a skos:Concept }" in text


def test_results_show_short_names_linked_like_the_server_table(page: Page, live_server: LiveServer) -> None:
    query = (f"SELECT ?unit ?label ?n WHERE {{ <{ID}viktor-belenko> <{HK}memberOf> ?unit . "
             "?unit <http://www.w3.org/2000/01/rdf-schema#label> ?label BIND(STRLEN(?label) AS ?n) } ORDER BY ?unit")
    open_editor(page, live_server.url + "/sparql?query=" + quote(query))
    server = table(page)  # the server rendered the result with the page
    assert server and server[0][0][0].startswith("id:")
    page.locator(".cm-content").click()
    page.locator(".cm-content").press("Control+Enter")  # the script runs it again and renders the JSON itself
    expect(page.locator("section.sparql-result[data-rendered=script] tbody tr").first).to_be_visible()
    assert table(page) == server
    link = page.locator("table.results a[href='/id/530-iap']").first
    expect(link).to_have_text("id:530-iap")
    titles = page.locator("table.results td.literal").evaluate_all("tds => tds.map(td => td.title)")
    assert "@en" in titles and "xsd:integer" in titles
    assert page.locator("table.results .note").count() == 0, "datatype and language on hover, not inline"
    link.click()
    page.wait_for_url("**/id/530-iap")
    assert csp_violations(page) == []


def test_ctrl_enter_runs_and_keeps_the_query_in_the_url(page: Page, live_server: LiveServer) -> None:
    open_editor(page, live_server.url + "/sparql")
    set_query(page, f"SELECT ?s WHERE {{ ?s <{HK}pilot> <{ID}viktor-belenko> }} ORDER BY ?s")
    page.locator(".cm-content").press("Control+Enter")
    expect(page.locator("table.results a[href='/id/belenko-defection']")).to_have_text("id:belenko-defection")
    assert "query=SELECT" in page.url
    assert editor_text(page).count("\n") == 0, "Ctrl+Enter runs; it does not insert a line"
    assert page.locator("section.sparql-result .downloads a").count() == 4


def test_a_syntax_error_is_readable_and_marked(page: Page, live_server: LiveServer) -> None:
    open_editor(page, live_server.url + "/sparql")
    set_query(page, "SELECT *\nWHERE {\n  ?s ?p\n}")
    page.locator(".cm-content").press("Control+Enter")
    message = page.locator("section.sparql-result .sparql-error[role=alert]")
    expect(message).to_be_visible()
    text = message.inner_text()
    assert re.match(r"Syntax error at line 4, column \d+: expected ", text), text
    assert not re.search(r"error at \d+:\d+", text) and "[_]" not in text
    mark = page.locator(".cm-lintRange-error")
    expect(mark).to_have_count(1)
    assert mark.inner_text() == "}"
    assert page.locator(".cm-line").nth(3).locator(".cm-lintRange-error").count() == 1, "on line 4"
    expect(page.locator(".cm-gutter-lint .cm-lint-marker-error")).to_have_count(1)
    page.locator(".cm-content").press("End")
    page.keyboard.type(" ")  # editing clears the mark: its position belonged to the text that ran
    expect(mark).to_have_count(0)


def test_an_undeclared_known_prefix_is_named_and_declared_on_request(page: Page, live_server: LiveServer) -> None:
    open_editor(page, live_server.url + "/sparql")
    set_query(page, "SELECT ?o WHERE { id:viktor-belenko hk:memberOf ?o }")
    page.locator(".cm-content").press("Control+Enter")
    message = page.locator(".sparql-error")
    expect(message).to_contain_text("Syntax error at line 1, column")
    expect(message).to_contain_text("is not declared")
    page.locator(".cm-lintRange-error").hover()
    fix = page.locator(".cm-tooltip-lint button", has_text=re.compile(r"Declare (id|hk):"))
    expect(fix).to_be_visible()
    fix.click()
    assert re.match(r"PREFIX (id|hk): <https://histkg\.example\.org/", editor_text(page))


def _saved_page_rows(page: Page) -> list[list[str | None]]:
    return page.locator("table.results tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(td => { const a = td.querySelector('a');"
        " return a ? a.getAttribute('href') : td.textContent.trim(); }))")


def test_a_saved_query_opens_in_the_editor_with_its_parameter(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/queries/aircraft-fate?aircraft=id%3Azuyev-mig-29")
    saved_rows = _saved_page_rows(page)
    assert saved_rows and all(row[0] == "/id/zuyev-mig-29" for row in saved_rows)
    page.locator("details.sparql-text summary").click()
    page.locator("a.open-in-editor").click()
    page.wait_for_url("**/sparql?query=**")
    expect(page.locator(".sparql-editor .cm-editor")).to_be_visible()
    assert f"VALUES ?aircraft {{ <{ID}zuyev-mig-29> }}" in editor_text(page)
    expect(page.locator(".cm-content")).to_contain_text("VALUES ?aircraft")

    def events() -> list[str | None]:
        return [row[1][1] for row in table(page)]  # the event column's links, in the query's order

    expected = [row[1] for row in saved_rows]
    assert events() == expected, "the server-rendered editor page gives the saved query's rows"
    page.locator(".cm-content").press("Control+Enter")
    expect(page.locator("section.sparql-result[data-rendered=script] tbody tr").first).to_be_visible()
    assert events() == expected, "and so does running it from the editor"
    assert len(expected) < len(_all_aircraft_events(page, live_server))


def _all_aircraft_events(page: Page, live_server: LiveServer) -> list[list[str | None]]:
    page.goto(live_server.url + "/queries/aircraft-fate?aircraft=id%3Abelenko-mig-25")
    return _saved_page_rows(page)


def test_without_javascript_the_form_runs_the_query(browser: Browser, live_server: LiveServer) -> None:
    with editor_page(browser, javascript=False) as page:
        page.goto(live_server.url + "/sparql")
        area = page.locator("textarea[name=query]")
        expect(area).to_be_visible()
        assert page.locator(".cm-editor").count() == 0
        area.fill(f"SELECT ?unit WHERE {{ <{ID}viktor-belenko> <{HK}memberOf> ?unit }}")
        page.locator("form.sparql-query button[type=submit]").click()
        link = page.locator("table.results a[href='/id/530-iap']")
        expect(link).to_have_text("id:530-iap")


def test_a_query_in_error_comes_back_with_its_error(browser: Browser, live_server: LiveServer) -> None:
    """A syntax error on the page the server renders: 400, the query kept in the form, the error readable; with
    JavaScript the editor marks its position too."""
    bad = "SELECT ?s\nWHERE { ?s ?p }"
    url = live_server.url + "/sparql?query=" + quote(bad)
    for javascript in (False, True):
        with editor_page(browser, javascript=javascript) as page:
            response = page.goto(url)
            assert response is not None and response.status == 400
            message = page.locator("section.sparql-result .sparql-error[role=alert]")
            expect(message).to_have_text(re.compile(r"^Syntax error at line 2, column \d+: expected one of .*LATERAL"))
            assert editor_text(page) == bad
            if javascript:
                expect(page.locator(".cm-lintRange-error")).to_have_text("}")
            else:
                expect(page.locator("textarea[name=query]")).to_be_visible()
            assert csp_violations(page) == []
    page_for_prefix = live_server.url + "/sparql?query=" + quote("SELECT * WHERE { ?s nope:p ?o }")
    with editor_page(browser, javascript=False) as page:
        page.goto(page_for_prefix)
        expect(page.locator(".sparql-error")).to_contain_text("a prefix used here is not declared")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_editor_fits_the_screen(browser: Browser, live_server: LiveServer, width: int, tmp_path: Path) -> None:
    with editor_page(browser, width=width) as page:
        long_query = (f"SELECT ?event ?label WHERE {{ ?event <{HK}aircraftInvolved> <{ID}belenko-mig-25> ; "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label")
        open_editor(page, live_server.url + "/sparql")
        set_query(page, long_query)
        page.locator(".cm-content").press("Control+Enter")
        expect(page.locator("table.results tbody tr").first).to_be_visible()
        box = page.locator(".sparql-editor .cm-editor").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "no horizontal scroll"
        page.screenshot(path=str(tmp_path / f"editor-{width}.png"), full_page=True)
        assert csp_violations(page) == []
