"""Entity IRIs dereference: (Accept or suffix) -> media type, every RDF body re-parsed, JSON-LD checked with pyld."""

from __future__ import annotations

import json

import pytest
import rdflib
from flask.testing import FlaskClient
from pyld import jsonld
from rdflib.compare import isomorphic

BELENKO_IRI = "https://histkg.example.org/id/viktor-belenko"
ENTITY_URLS = ["/id/viktor-belenko", "/id/530-iap", "/statement/claim-drugged"]
RDFLIB = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
          "application/rdf+xml": "xml"}

ACCEPT_TABLE = [
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("application/n-triples;q=0.9, text/turtle;q=0.1", "application/n-triples"),
    ("*/*", "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("text/plain", "application/n-triples"),
]
SUFFIX_TABLE = [(".ttl", "text/turtle"), (".jsonld", "application/ld+json"), (".nt", "application/n-triples"),
                (".rdf", "application/rdf+xml")]


def parse(body: bytes, media_type: str) -> rdflib.Graph:
    """Re-parse a body. JSON-LD goes through pyld (an independent processor) to N-Quads; the rest through rdflib."""
    graph = rdflib.Graph()
    if media_type == "application/ld+json":
        nquads = jsonld.to_rdf(jsonld.expand(json.loads(body)), {"format": "application/n-quads"})
        graph.parse(data=nquads, format="nt")
    else:
        graph.parse(data=body, format=RDFLIB[media_type])
    return graph


@pytest.mark.parametrize(("accept", "expected"), ACCEPT_TABLE)
@pytest.mark.parametrize("url", ENTITY_URLS)
def test_accept(client: FlaskClient, url: str, accept: str, expected: str) -> None:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == expected
    assert "Accept" in response.headers["Vary"]
    if expected in RDFLIB:
        graph = parse(response.data, expected)
        subject = rdflib.URIRef("https://histkg.example.org" + url)
        assert (subject, None, None) in graph


@pytest.mark.parametrize(("suffix", "expected"), SUFFIX_TABLE)
@pytest.mark.parametrize("url", ENTITY_URLS)
def test_suffix_wins_over_accept(client: FlaskClient, url: str, suffix: str, expected: str) -> None:
    response = client.get(url + suffix, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == expected
    graph = parse(response.data, expected)
    assert (rdflib.URIRef("https://histkg.example.org" + url), None, None) in graph


def test_rdf_holds_triples_statements_and_incoming_labels(client: FlaskClient) -> None:
    graph = parse(client.get("/id/viktor-belenko.ttl").data, "text/turtle")
    hk = rdflib.Namespace("https://histkg.example.org/ontology#")
    me = rdflib.URIRef(BELENKO_IRI)
    unit = rdflib.URIRef("https://histkg.example.org/id/530-iap")
    assert (me, hk.memberOf, unit) in graph
    assert (unit, rdflib.RDFS.label, rdflib.Literal("530 IAP", lang="en")) in graph
    statements = set(graph.subjects(rdflib.RDF.subject, me))
    assert rdflib.URIRef("https://histkg.example.org/statement/claim-drugged") in statements
    assert any((s, hk.quote, None) in graph for s in statements)
    defection = rdflib.URIRef("https://histkg.example.org/id/belenko-defection")
    assert (defection, hk.pilot, me) in graph  # incoming link
    assert (defection, rdflib.RDFS.label, None) in graph  # with its label


def test_jsonld_expands_with_pyld_to_the_same_graph_as_turtle(client: FlaskClient) -> None:
    turtle = parse(client.get("/id/viktor-belenko.ttl").data, "text/turtle")
    document = json.loads(client.get("/id/viktor-belenko", headers={"Accept": "application/ld+json"}).data)
    context = document.get("@context")
    assert isinstance(context, dict), "a local, inline context (never a remote one)"
    expanded = jsonld.expand(document)
    assert expanded
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    from_pyld = rdflib.Graph()
    from_pyld.parse(data=nquads, format="nt")
    assert isomorphic(from_pyld, turtle)


def test_infer_false_drops_inferred_triples(client: FlaskClient) -> None:
    hk = rdflib.Namespace("https://histkg.example.org/ontology#")
    me = rdflib.URIRef(BELENKO_IRI)
    full = parse(client.get("/id/viktor-belenko.nt").data, "application/n-triples")
    asserted = parse(client.get("/id/viktor-belenko.nt?infer=false").data, "application/n-triples")
    assert (me, hk.flew, None) in full and (me, hk.flew, None) not in asserted
    assert (me, rdflib.RDF.type, hk.Agent) in full and (me, rdflib.RDF.type, hk.Agent) not in asserted
    assert (me, hk.memberOf, rdflib.URIRef("https://histkg.example.org/id/530-iap")) in asserted
    assert len(asserted) < len(full)


@pytest.mark.parametrize("accept", ["image/png", "application/sparql-results+json", "text/csv"])
def test_406_when_nothing_fits(client: FlaskClient, accept: str) -> None:
    response = client.get("/id/viktor-belenko", headers={"Accept": accept})
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"]
    assert "text/turtle" in response.get_json()["error"]["message"]


def test_unknown_suffix_and_unknown_entity_are_404(client: FlaskClient) -> None:
    assert client.get("/id/viktor-belenko.png").status_code == 404
    assert client.get("/id/nobody.ttl").status_code == 404


@pytest.mark.parametrize(("accept", "expected"), [("text/turtle", "text/turtle"), ("text/html", "text/html"),
                                                   ("application/ld+json", "application/ld+json")])
def test_ontology_document_negotiates(client: FlaskClient, accept: str, expected: str) -> None:
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == expected
    if expected != "text/html":
        graph = parse(response.data, expected)
        assert (rdflib.URIRef("https://histkg.example.org/ontology#Person"), rdflib.RDF.type, rdflib.OWL.Class) in graph
    turtle = client.get("/ontology.ttl")
    assert turtle.mimetype == "text/turtle" and len(parse(turtle.data, "text/turtle")) > 500
