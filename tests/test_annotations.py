"""Statements as W3C Web Annotations (issue 13): the selectors' data checked against the article.

Every statement of data/belenko.ttl stores what a TextQuoteSelector needs: hk:quote (exact), hk:quoteOffset (where
it starts), hk:quotePrefix / hk:quoteSuffix (the words right before / after it). Each is checked against the
vendored article: exact occurs at the offset, the prefix ends where it starts, the suffix begins where it ends.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import rdflib
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from pyld import jsonld
from rdflib import RDF, XSD, Namespace, URIRef

from tests.conftest import ARTICLE, ROOT

HK = Namespace("https://histkg.example.org/ontology#")
DATA = ROOT / "data" / "belenko.ttl"


def test_every_selector_matches_the_article() -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    data = rdflib.Graph().parse(DATA, format="turtle")
    statements = set(data.subjects(RDF.type, HK.Statement))
    assert len(statements) >= 300
    for st in statements:
        exact = str(data.value(st, HK.quote))
        offset = data.value(st, HK.quoteOffset).toPython()  # type: ignore[union-attr]
        prefix, suffix = data.value(st, HK.quotePrefix), data.value(st, HK.quoteSuffix)
        assert article[offset:offset + len(exact)] == exact, st
        assert prefix is not None or offset == 0, f"{st}: no prefix, yet the quote does not open the text"
        assert suffix is not None or offset + len(exact) == len(article), f"{st}: no suffix"
        for value in (prefix, suffix):
            assert value is not None and value.datatype in (None, XSD.string) and str(value).strip(), st
        assert article[offset - len(prefix):offset] == str(prefix), st  # type: ignore[arg-type]
        assert article[offset + len(exact):offset + len(exact) + len(suffix)] == str(suffix), st  # type: ignore[arg-type]
        # a few words: enough to tell repeated quotes apart, no more
        assert 1 <= len(str(prefix).split()) <= 12 and 1 <= len(str(suffix).split()) <= 12, st
        # exact + its context is unique in the article, so an annotation anchors in exactly one place
        assert article.count(str(prefix) + exact + str(suffix)) == 1, st


# --- served: each statement as a Web Annotation, the collection per source, checked with pyld ----------------------

ANNO = "http://www.w3.org/ns/anno.jsonld"
ANNO_ACCEPT = f'application/ld+json; profile="{ANNO}"'
OA = "http://www.w3.org/ns/oa#"
CONTEXT_COPY = ROOT / "service" / "features" / "contexts" / "anno.jsonld"


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the model's context from the vendored copy; anything else is refused."""
    if url != ANNO:
        raise AssertionError(f"pyld asked for {url}: annotations must need no other document")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads(CONTEXT_COPY.read_text(encoding="utf-8"))}


def expand(document: dict[str, Any]) -> list[dict[str, Any]]:
    return jsonld.expand(document, {"documentLoader": _loader})  # type: ignore[no-any-return]


def quads(document: dict[str, Any]) -> rdflib.Graph:
    nquads = jsonld.to_rdf(document, {"documentLoader": _loader, "format": "application/n-quads"})
    return rdflib.Graph().parse(data=nquads, format="nt")


def test_a_statement_by_conneg_and_by_suffix(client: FlaskClient) -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    by_accept = client.get("/statement/viktor-belenko-rank", headers={"Accept": ANNO_ACCEPT})
    assert by_accept.status_code == 200 and by_accept.headers["Content-Type"] == ANNO_ACCEPT
    assert "Accept" in by_accept.headers["Vary"]
    assert by_accept.headers["Access-Control-Allow-Origin"] == "*"  # the shared CORS policy (service.web.cors)
    by_suffix = client.get("/statement/viktor-belenko-rank.anno.jsonld")
    assert by_suffix.get_json() == by_accept.get_json()
    # other Accept headers keep the statement's other representations
    assert client.get("/statement/viktor-belenko-rank", headers={"Accept": "text/html"}).mimetype == "text/html"
    plain = client.get("/statement/viktor-belenko-rank", headers={"Accept": "application/ld+json"})
    assert plain.mimetype == "application/ld+json" and "TextQuoteSelector" not in plain.get_data(as_text=True)
    doc = by_accept.get_json()
    assert doc["@context"][0] == ANNO and doc["type"] == "Annotation"
    assert doc["id"] == "https://histkg.example.org/statement/viktor-belenko-rank"
    (target,) = doc["target"]
    selector = target["selector"]
    assert target["source"] == "https://histkg.example.org/id/article-leone-2023"  # no URL in the data: its IRI
    offset = article.index(selector["prefix"] + selector["exact"] + selector["suffix"]) + len(selector["prefix"])
    assert article[offset:offset + len(selector["exact"])] == selector["exact"]
    text, data = doc["body"]
    assert text["type"] == "TextualBody" and "Senior Lieutenant" in text["value"]
    assert data["rdf:subject"] == {"id": "https://histkg.example.org/id/viktor-belenko"}
    assert data["rdf:object"] == {"id": "https://histkg.example.org/id/rank-senior-lieutenant"}
    assert data["hk:status"] == {"id": str(HK.Asserted)}
    # an independent JSON-LD processor reads it as the model says
    g = quads(doc)
    st = URIRef(doc["id"])
    assert (st, RDF.type, URIRef(OA + "Annotation")) in g
    (tgt,) = g.objects(st, URIRef(OA + "hasTarget"))
    (sel,) = g.objects(tgt, URIRef(OA + "hasSelector"))
    assert (sel, RDF.type, URIRef(OA + "TextQuoteSelector")) in g
    assert str(g.value(sel, URIRef(OA + "exact"))) == selector["exact"]
    assert str(g.value(sel, URIRef(OA + "prefix"))) == selector["prefix"]
    bodies = set(g.objects(st, URIRef(OA + "hasBody")))
    assert any((b, RDF.subject, URIRef("https://histkg.example.org/id/viktor-belenko")) in g for b in bodies)
    assert client.get("/statement/no-such-statement.anno.jsonld").status_code == 404


def test_claims_carry_status_claimant_and_assessment(client: FlaskClient) -> None:
    data = rdflib.Graph().parse(DATA, format="turtle")
    claims = [st for st in data.subjects(HK.status, HK.Disputed)]
    assert claims
    name = str(claims[0]).rsplit("/", 1)[-1]
    doc = client.get(f"/statement/{name}", headers={"Accept": ANNO_ACCEPT}).get_json()
    body = doc["body"][1]
    assert body["hk:status"] == {"id": str(HK.Disputed)} and body["hk:claimant"] and body["hk:assessment"]
    g = quads(doc)
    assert (None, HK.status, HK.Disputed) in g


def test_every_annotation_of_the_article_matches_it(client: FlaskClient) -> None:
    """The collection, paged: every statement once, in the order of the text, each selector matching the article."""
    article = ARTICLE.read_text(encoding="utf-8")
    collection = client.get("/source/article-leone-2023/annotations").get_json()
    assert collection["type"] == "AnnotationCollection" and collection["total"] >= 300
    assert expand(collection)[0]["@type"] == ["http://www.w3.org/ns/activitystreams#OrderedCollection"]
    url, items, pages = collection["first"], [], 0
    while url:
        page = client.get(url.removeprefix("https://histkg.example.org")).get_json()
        assert page["type"] == "AnnotationPage" and page["partOf"]["id"] == collection["id"]
        assert page["startIndex"] == len(items)
        expand(page)
        items += page["items"]
        pages += 1
        url = page.get("next")
    assert pages > 1 and collection["last"].endswith(f"page={pages}")
    assert len(items) == collection["total"] == len({a["id"] for a in items})
    offsets = []
    for annotation in items:
        selector = annotation["target"][0]["selector"]
        exact, prefix, suffix = selector["exact"], selector.get("prefix", ""), selector.get("suffix", "")
        assert article.count(prefix + exact + suffix) == 1, annotation["id"]
        offsets.append(article.index(prefix + exact + suffix) + len(prefix))
    assert offsets == sorted(offsets)
    assert client.get("/source/article-leone-2023/annotations?page=0").status_code == 400
    assert client.get("/source/article-leone-2023/annotations?page=99").status_code == 400
    assert client.get("/source/no-such-source/annotations").status_code == 404


def test_the_context_is_served_from_the_copy(client: FlaskClient) -> None:
    r = client.get("/ns/anno.jsonld")
    assert r.status_code == 200 and r.get_json() == json.loads(CONTEXT_COPY.read_text(encoding="utf-8"))


def test_a_source_with_a_url_is_targeted_by_it(client: FlaskClient) -> None:
    collection = client.get("/source/gazetteer-dewiki-flughafen-hakodate/annotations")
    if collection.status_code == 404:
        pytest.skip("no gazetteer loaded")
    first = client.get(collection.get_json()["first"].removeprefix("https://histkg.example.org")).get_json()
    assert all(a["target"][0]["source"].startswith("https://") and "histkg.example.org" not in a["target"][0]["source"]
               for a in first["items"])


# --- the reader --------------------------------------------------------------------------------------------------

def test_the_reader_lists_passages_in_order_with_their_facts(client: FlaskClient) -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    entity = BeautifulSoup(client.get("/id/article-leone-2023", headers={"Accept": "text/html"}).get_data(
        as_text=True), "html.parser")
    link = entity.select_one(".reader-link a")
    assert link is not None and link["href"] == "/source/article-leone-2023"
    r = client.get(str(link["href"]))
    assert r.status_code == 200 and r.mimetype == "text/html"
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    passages = soup.select("li.passage")
    assert len(passages) >= 80
    offsets = [int(str(p["data-offset"])) for p in passages]
    assert offsets == sorted(offsets)
    shown = "".join(p.select_one("blockquote").get_text() for p in passages)  # type: ignore[union-attr]
    assert len(shown) < len(article)  # the quoted passages, not the whole text
    for p in passages:
        quote = p.select_one("blockquote").get_text()  # type: ignore[union-attr]
        assert article.index(quote) == int(str(p["data-offset"]))
        assert p.select("li.support")
    statuses = {cls for li in soup.select("li.support") for cls in li["class"] if cls.startswith("status-")}
    assert {"status-asserted", "status-claim", "status-disputed", "status-hedged"} <= statuses
    rank = next(p for p in passages if "Senior Lieutenant Viktor Belenko, serving with" in p.get_text())
    assert rank.select_one('a[href="/id/rank-senior-lieutenant"]') is not None
    assert not soup.find("script", src=False) and not soup.find(style=True)  # CSP: no inline script or style
    assert client.get("/source/no-such-source").status_code == 404
    assert BeautifulSoup(client.get("/id/viktor-belenko", headers={"Accept": "text/html"}).get_data(as_text=True),
                         "html.parser").select_one(".reader-link") is None
