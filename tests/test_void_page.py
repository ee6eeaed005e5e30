"""/.well-known/void: a readable page for a browser (Accept: text/html), RDF by Accept or format= as before."""

from __future__ import annotations

import json

import rdflib
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from pyld import jsonld

from service.store.graph import KnowledgeGraph

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
URL = "/.well-known/void"


def void_page(client: FlaskClient, url: str = URL) -> BeautifulSoup:
    response = client.get(url, headers=BROWSER)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    return BeautifulSoup(response.data, "html.parser")


def test_a_browser_gets_a_page_describing_the_dataset(client: FlaskClient, kg: KnowledgeGraph) -> None:
    page = void_page(client)
    assert page.select_one("h1").get_text(strip=True) == "histkg knowledge graph"
    counts = {dt.get_text(strip=True): dd.get_text(strip=True)
              for dt, dd in zip(page.select(".void-summary dt"), page.select(".void-summary dd"), strict=True)}
    turtle = rdflib.Graph().parse(data=client.get(URL, headers={"Accept": "text/turtle"}).data, format="turtle")
    dataset = next(turtle.subjects(rdflib.RDF.type, VOID.Dataset))
    assert int(counts["triples"].replace(",", "")) == int(turtle.value(dataset, VOID.triples))
    assert counts["URI space"] == kg.settings.base
    rows = {tr.select_one("code").get_text(): int(tr.select("td")[2].get_text()) for tr in
            page.select(".void-graphs tbody tr")}
    assert rows == {name: kg.graph_size(name) for name in kg.graph_names()}
    namespaces = [code.get_text() for code in page.select(".void-vocabularies td code")]
    assert {"https://histkg.example.org/ontology#", "http://www.w3.org/2000/01/rdf-schema#"} <= set(namespaces)
    classes = [a["href"] for a in page.select(".void-classes td a")]
    assert classes[0].startswith("/ontology#"), "the dataset's own classes come first"
    assert "/ontology#Person" in classes


def test_the_page_links_to_every_rdf_form_and_dump(client: FlaskClient) -> None:
    page = void_page(client)
    forms = {a.get_text(): a["href"] for a in page.select("a.void-rdf")}
    assert {"Turtle", "JSON-LD", "N-Triples"} <= set(forms)
    turtle = client.get(forms["Turtle"], headers=BROWSER)  # the link wins over the browser's Accept
    assert turtle.mimetype == "text/turtle"
    assert (None, rdflib.RDF.type, VOID.Dataset) in rdflib.Graph().parse(data=turtle.data, format="turtle")
    document = client.get(forms["JSON-LD"], headers=BROWSER)
    assert document.mimetype == "application/ld+json"
    nquads = jsonld.to_rdf(jsonld.expand(json.loads(document.data)), {"format": "application/n-quads"})
    assert (None, rdflib.RDF.type, VOID.Dataset) in rdflib.Graph().parse(data=nquads, format="nt")
    dumps = [a["href"] for a in page.select("a.void-dump")]
    assert dumps and all("/export?graph=" in href for href in dumps)


def test_rdf_by_accept_is_unchanged(client: FlaskClient) -> None:
    for accept, media_type in ((None, "text/turtle"), ("*/*", "text/turtle"), ("text/turtle", "text/turtle"),
                               ("application/ld+json", "application/ld+json"),
                               ("application/rdf+xml", "application/rdf+xml")):
        response = client.get(URL, headers={"Accept": accept} if accept else {})
        assert response.status_code == 200 and response.mimetype == media_type, accept
        assert "Accept" in response.headers["Vary"]
    assert client.get(URL, headers={"Accept": "image/png"}).status_code == 406


def test_asserted_only_leaves_the_inferred_graph_out(client: FlaskClient, kg: KnowledgeGraph) -> None:
    page = void_page(client, URL + "?infer=false")
    graphs = [code.get_text() for code in page.select(".void-graphs tbody code")]
    assert kg.graphs.inferred not in graphs and kg.graphs.facts in graphs
    assert "asserted graphs only" in page.select_one("p.lead").get_text()
