"""Browsing pages on the real app with the real dataset, checked by structure (BeautifulSoup)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient

from service.config import Settings
from service.provenance import statements
from service.store.graph import KnowledgeGraph
from service.web import create_app

HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
BELENKO = "/id/viktor-belenko"


def soup(client: FlaskClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.data, "html.parser")


def group(page: BeautifulSoup, predicate: str, section: str = "#facts") -> Tag:
    found = page.select_one(f'{section} tr.fact-group[data-predicate="{predicate}"]')
    assert found is not None, f"no {predicate} group in {section}"
    return found


HK = "https://histkg.example.org/ontology#"


@pytest.fixture(scope="module")
def belenko(app: object) -> BeautifulSoup:
    client = app.test_client()  # type: ignore[attr-defined]
    return soup(client, BELENKO)


def test_belenko_label_types_description(belenko: BeautifulSoup) -> None:
    assert belenko.select_one("h1.entity-label").get_text(strip=True) == "Viktor Belenko"
    asserted = [li.a.get_text() for li in belenko.select("ul.types li.asserted")]
    inferred = [li.a.get_text() for li in belenko.select("ul.types li.inferred")]
    assert "person" in asserted
    assert "agent" in inferred  # hk:Person subClassOf hk:Agent
    assert "530 IAP" in belenko.select_one("p.description").get_text()


def test_belenko_unit_with_source_and_quote(belenko: BeautifulSoup) -> None:
    member = group(belenko, HK + "memberOf")
    asserted = member.select_one("li.fact.asserted")
    assert asserted.a.get_text() == "530 IAP" and asserted.a["href"] == "/id/530-iap"
    ref = asserted.select_one("sup.ref a")["href"]
    note = belenko.select_one(ref)
    assert note is not None and "530 IAP" in note.select_one("blockquote.quote").get_text()
    assert note.select_one("a.source")["href"] == "/id/article-leone-2023"
    relayed = [a["href"] for a in belenko.select("#sources a.relays")]  # e.g. his motives, from Dabrowski's book
    assert relayed and set(relayed) == {"/id/book-defending-rodinu-2"}


def test_belenko_aircraft_and_defection(belenko: BeautifulSoup) -> None:
    flew = group(belenko, HK + "flew")
    assert "/id/belenko-mig-25" in [a["href"] for a in flew.select("a.value")]
    events = belenko.select("#events tr.event a.event-link")
    assert "/id/belenko-defection" in [a["href"] for a in events]
    # Issue 11: the event's hk:pilot link is the inverse of his hk:pilotOf, shown once, as his role in the event
    # (it was repeated under "Linked from").
    defection = belenko.select_one('#events tr.event:has(a.event-link[href="/id/belenko-defection"])')
    assert HK + "pilotOf" in [li["data-predicate"] for li in defection.select("li.role")]
    assert not belenko.select(f'#incoming tr.incoming-group[data-predicate="{HK}pilot"]')


def test_inferred_fact_is_marked_and_explained(belenko: BeautifulSoup) -> None:
    member = group(belenko, HK + "memberOf")
    pvo = next(li for li in member.select("li.fact.inferred") if li.a.get_text() == "PVO")
    assert pvo.select_one(".badge.inferred")
    why = pvo.select_one("details.why")
    assert why.select_one("code.rule").get_text() == "prp-spo2"  # the chain memberOf o subOrganisationOf
    premises = why.select("li.premise")
    assert len(premises) >= 2
    assert any("530 IAP" in p.get_text() for p in premises)


def test_contested_claims_are_claims_not_facts(belenko: BeautifulSoup) -> None:
    claims = belenko.select("#claims article.claim")
    text = " ".join(c.get_text(" ", strip=True) for c in claims)
    assert "made a navigational error" in text
    assert "being drugged" in text
    recruited = next(c for c in claims if "US intelligence" in c.get_text())
    assert "status-disputed" in recruited["class"]
    assert "little evidence" in recruited.select_one(".assessment").get_text()
    assert {a["href"] for a in recruited.select(".claimants a")} == {"/id/soviet-government", "/id/russians"}
    facts = belenko.select_one("#facts").get_text()
    assert "navigational error" not in facts and "drugged" not in facts and "US intelligence" not in facts


def test_downloads_and_events_in_date_order(belenko: BeautifulSoup) -> None:
    hrefs = [a["href"] for a in belenko.select("#data a.download")]
    assert {f"{BELENKO}.ttl", f"{BELENKO}.jsonld", f"{BELENKO}.nt"} <= set(hrefs)
    dates = [tr["data-date"] for tr in belenko.select("#events tr.event")]
    assert dates == sorted(dates) and len(dates) > 5


def test_asserted_only_view_has_no_inferred_facts(client: FlaskClient) -> None:
    page = soup(client, BELENKO + "?infer=false")
    assert not page.select("#facts li.fact.inferred") and not page.select("ul.types li.inferred")
    assert page.select("#facts li.fact.asserted")


def test_statement_page(client: FlaskClient) -> None:
    page = soup(client, "/statement/claim-recruited-by-us-intelligence")
    assert page.select_one("h1.entity-label")


def test_home(client: FlaskClient) -> None:
    page = soup(client, "/")
    hrefs = {a["href"] for a in page.select("a[href]")}
    assert {"/sparql", "/timeline", "/export", "/ontology", "/id/viktor-belenko", "/id/dario-leone",
            "/id/book-defending-rodinu-2"} <= hrefs
    assert page.select_one('form[action="/search"] input[name=q]')
    assert any(h.startswith("/queries/") for h in hrefs)


def test_every_page_has_a_search_box(client: FlaskClient) -> None:
    for url in ("/", BELENKO, "/ontology", "/timeline", "/queries", "/export"):
        assert soup(client, url).select_one('header form[action="/search"] input.search-input[name=q]'), url


def test_ontology_page(client: FlaskClient) -> None:
    page = soup(client, "/ontology")
    person = page.select_one("section.class#Person")
    assert "agent" in person.get_text() and person.select_one(".alignment a")
    member_of = page.select_one("section.property#memberOf")
    assert "has member" in member_of.get_text() and "∘" in member_of.get_text()
    assert "transitive" in page.select_one("section.property#locatedIn h3").get_text()
    assert page.select_one('a.download[href="/ontology.ttl"]')
    members = soup(client, "/class/Agent")
    assert "Viktor Belenko" in [li.a.get_text() for li in members.select("ul.members li.inferred")]


def test_timeline_in_date_order(client: FlaskClient) -> None:
    rows = soup(client, "/timeline").select("table.timeline tr.event")
    dates = [r["data-date"] for r in rows]
    assert len(rows) > 20 and dates == sorted(dates)
    labels = [r.select_one("a.event-link").get_text() for r in rows]
    assert labels.index("Belenko's rapid descent to low altitude") < labels.index(
        "Belenko's landing at Hakodate airport")
    assert labels[-1].startswith("Aleksandr Zuyev")


@pytest.mark.stores("memory")
def test_timeline_pages_follow_each_other(kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paged (a large archive's timeline is too long for one page): the pages, read in turn, are the whole timeline
    in order; a page past the end is 404, a page that is not a number 400."""
    from service.web.pages import browse

    whole = [a["href"] for a in soup(create_app(kg.with_settings()).test_client(), "/timeline").select(
        "table.timeline tr.event a.event-link")]
    monkeypatch.setattr(browse, "EVENTS_PER_PAGE", 10)
    client = create_app(kg.with_settings()).test_client()
    seen, url = [], "/timeline"
    while url:
        page = soup(client, url)
        seen += [a["href"] for a in page.select("table.timeline tr.event a.event-link")]
        following = page.select_one('nav.pager a[rel="next"]')
        url = following["href"] if following else ""
    assert seen == whole and len(whole) > 20
    last = -(-len(whole) // 10)
    assert soup(client, f"/timeline?page={last}").select_one('nav.pager a[rel="prev"]')
    soup(client, f"/timeline?page={last + 1}", status=404)
    soup(client, "/timeline?page=two", status=400)


@pytest.mark.stores("memory")
def test_class_members_are_paged(kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.web.pages import ontology

    whole = [a["href"] for a in soup(create_app(kg.with_settings()).test_client(), "/class/Agent").select(
        "ul.members li a")]
    monkeypatch.setattr(ontology, "MEMBERS_PER_PAGE", 4)
    client = create_app(kg.with_settings()).test_client()
    first, second = soup(client, "/class/Agent"), soup(client, "/class/Agent?page=2")
    assert [a["href"] for a in first.select("ul.members li a")] == whole[:4]
    assert [a["href"] for a in second.select("ul.members li a")] == whole[4:8]
    assert first.select_one('nav.pager a[rel="next"]')["href"] == "/class/Agent?page=2"
    assert f"({len(whole)})" in first.select_one("h2").get_text()
    soup(client, "/class/Agent?page=0", status=400)  # not a page number (from 1); past the last page is a 404


def test_queries_pages(client: FlaskClient) -> None:
    listing = soup(client, "/queries")
    links = [a["href"] for a in listing.select("a.saved-query")]
    assert "/queries/contested-claims" in links
    page = soup(client, "/queries/person-profile?person=id:viktor-belenko")
    assert page.select_one('form.query-params input[name="person"]')
    assert "SELECT" in page.select_one("details.sparql-text pre").get_text()
    cells = page.select("table.results td a[href]")
    assert any(a["href"] == BELENKO for a in cells)
    formats = {a.get_text() for a in page.select("a.result-format")}
    assert {"JSON", "CSV", "TSV", "XML"} <= formats
    csv = client.get("/queries/person-profile.csv?person=id:viktor-belenko")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert client.get("/queries/person-profile.json").mimetype == "application/sparql-results+json"


def test_export_page_and_download(client: FlaskClient) -> None:
    page = soup(client, "/export")
    assert len(page.select("a.export-link")) == 15
    response = client.get("/export?graph=inferred&format=nquads")
    assert response.status_code == 200 and response.mimetype == "application/n-quads"
    assert response.headers["Content-Disposition"] == 'attachment; filename="belenko-inferred.nq"'
    assert client.get("/export?graph=nope&format=turtle").status_code == 400


def test_search_json_and_page(client: FlaskClient) -> None:
    hits = client.get("/search?q=BÉLENKO").get_json()
    assert {k: hits[0][k] for k in ("iri", "label", "type", "url")} == {  # the original fields, and more since
        "iri": "https://histkg.example.org/id/viktor-belenko", "label": "Viktor Belenko", "type": "person",
        "url": BELENKO}
    assert any(h["url"] == "/id/mig-25" for h in client.get("/search?q=foxbat").get_json())  # skos:altLabel
    assert any(h["url"] == "/id/primorsky-krai" for h in client.get("/search?q=primorskiy").get_json())
    page = soup(client, "/search?q=hakodate")
    assert "/id/hakodate" in [a["href"] for a in page.select("ol.search-results a")]


def test_unknown_iri_is_a_404_offering_search(client: FlaskClient) -> None:
    page = soup(client, "/id/no-such-thing", status=404)
    # Nothing is called anything like it: no suggestions, and the search box is not pre-filled with a dead end.
    assert not page.select(".not-found-suggestions li")
    assert page.select_one('form.not-found-search input[name=q]')["value"] == ""
    page = soup(client, "/id/belenco", status=404)  # a typo: the page suggests what it might have meant
    assert page.select_one(".not-found-suggestions li a")["href"] == BELENKO
    assert page.select_one('form.not-found-search input[name=q]')["value"] == "belenco"
    response = client.get("/id/no-such-thing", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_etag_and_304(client: FlaskClient) -> None:
    for url in (BELENKO, "/", "/timeline", "/export?graph=all&format=turtle", "/queries/contested-claims.json"):
        first = client.get(url, headers=HTML)
        assert first.status_code == 200 and first.headers["ETag"], url
        assert "max-age=300" in first.headers["Cache-Control"]
        again = client.get(url, headers={**HTML, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and not again.data, url
    html = client.get(BELENKO, headers=HTML).headers["ETag"]
    turtle = client.get(BELENKO, headers={"Accept": "text/turtle"}).headers["ETag"]
    assert html != turtle


EVIL = """
@prefix hk: <https://histkg.example.org/ontology#> .
@prefix id: <https://histkg.example.org/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
id:evil a hk:Person ;
    rdfs:label "<script>alert(1)</script>"@en ;
    rdfs:comment "x\\" onmouseover=\\"alert(1)"@en ;
    hk:befriended <javascript:alert(1)> .
"""


def test_labels_escaped_and_unsafe_iris_never_linked(tmp_path: Path, settings: Settings) -> None:
    data = tmp_path / "evil.ttl"
    data.write_text(EVIL, encoding="utf-8")
    kg = KnowledgeGraph.load(settings.with_(data_files=(data,), cache_dir=None))
    client = create_app(kg).test_client()
    for url in ("/id/evil", "/search?q=script", "/"):
        response = client.get(url, headers=HTML)
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
        page = BeautifulSoup(body, "html.parser")
        assert not [a for a in page.select("a[href]") if a["href"].lower().startswith("javascript")], url
        assert all(s.get("src", "").startswith("/static/") for s in page.select("script")), url
    page = BeautifulSoup(client.get("/id/evil", headers=HTML).data, "html.parser")
    unlinked = page.select_one(f'#facts tr[data-predicate="{HK}befriended"] span.unlinked')
    assert unlinked is not None and unlinked["title"] == "javascript:alert(1)"


@pytest.mark.stores("memory")
def test_a_large_archive_looks_statements_up_as_pages_need_them(kg: KnowledgeGraph,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Above a size the statements are not indexed whole (a 5M-triple archive's first page took minutes): the
    pages must come out the same either way."""
    paths = ["/id/viktor-belenko", "/id/hakodate-airport", "/id/japan", "/id/viktor-belenko.ttl", "/timeline"]
    whole = [create_app(kg.with_settings()).test_client().get(path).data for path in paths]
    monkeypatch.setattr(statements, "WHOLE_INDEX_LIMIT", 0)
    large = kg.with_settings()
    assert isinstance(statements.index(large), statements.LazyStatementIndex)
    client = create_app(large).test_client()
    for path, expected in zip(paths, whole, strict=True):
        assert client.get(path).data == expected, path


@pytest.mark.stores("memory")
def test_incoming_links_pager_keeps_the_reasoning_switch(kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.features.entities import page as entities

    monkeypatch.setattr(entities, "INCOMING_PAGE_SIZE", 1)
    client = create_app(kg.with_settings()).test_client()
    # Japan, not Belenko: since issue 11 the links to Belenko come from his events, shown in its events section.
    first = soup(client, "/id/japan?infer=false")
    following = first.select_one('#incoming nav.pager a[rel="next"]')
    assert following["href"] == "/id/japan?page=2&infer=false#incoming"
    second = soup(client, following["href"].split("#")[0])
    assert second.select_one('#incoming nav.pager a[rel="prev"]')["href"] == \
        "/id/japan?page=1&infer=false#incoming"
