"""/sparql content negotiation, protocol errors, the HTML page, the Service Description, VoID and CORS.

Every body is re-parsed by an independent reader: pyoxigraph for SPARQL results and RDF, pyld for JSON-LD,
BeautifulSoup for HTML, rdflib + SPARQL for the Service Description and VoID (checked by query, not by strings).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from pyld import jsonld
from werkzeug.test import TestResponse

from service.store.graph import KnowledgeGraph
from service.web import create_app

ID = "https://histkg.example.org/id/"
HK = "https://histkg.example.org/ontology#"
PREFIXES = f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX id: <{ID}>\nPREFIX hk: <{HK}>\n"
QUERIES = {
    "SELECT": PREFIXES + "SELECT ?label WHERE { id:viktor-belenko rdfs:label ?label }",
    "ASK": PREFIXES + "ASK { id:viktor-belenko hk:memberOf id:530-iap }",
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?s rdfs:label ?l } WHERE { VALUES ?s { id:viktor-belenko id:530-iap } "
                            "?s rdfs:label ?l }",
    "DESCRIBE": PREFIXES + "DESCRIBE id:530-iap",
}
JSON_R, XML_R = "application/sparql-results+json", "application/sparql-results+xml"
CSV, TSV, HTML = "text/csv", "text/tab-separated-values", "text/html"
TURTLE, JSONLD, NT, NQ, RDFXML, TRIG = ("text/turtle", "application/ld+json", "application/n-triples",
                                        "application/n-quads", "application/rdf+xml", "application/trig")
# pyoxigraph reads three result formats; CSV (lossy: no term types) is read with the csv module into dicts.
RESULT_FORMATS = {JSON_R: ox.QueryResultsFormat.JSON, XML_R: ox.QueryResultsFormat.XML,
                  TSV: ox.QueryResultsFormat.TSV}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# (Accept, query form) -> (status, media type)
TABLE: list[tuple[str | None, str, int, str]] = [
    (None, "SELECT", 200, JSON_R),
    ("*/*", "SELECT", 200, JSON_R),
    (JSON_R, "SELECT", 200, JSON_R),
    (XML_R, "SELECT", 200, XML_R),
    (CSV, "SELECT", 200, CSV),
    (TSV, "SELECT", 200, TSV),
    ("application/json", "SELECT", 200, JSON_R),
    (f"{CSV};q=0.5, {XML_R};q=0.9", "SELECT", 200, XML_R),
    (f"{JSON_R};q=0.1, {TSV}", "SELECT", 200, TSV),
    (f"{TURTLE}, {CSV};q=0.2", "SELECT", 200, CSV),
    (TURTLE, "SELECT", 406, "application/json"),
    (BROWSER, "SELECT", 200, HTML),
    (None, "ASK", 200, JSON_R),
    (XML_R, "ASK", 200, XML_R),
    (CSV, "ASK", 200, CSV),
    (TSV, "ASK", 200, TSV),
    (RDFXML, "ASK", 406, "application/json"),
    (None, "CONSTRUCT", 200, TURTLE),
    ("*/*", "CONSTRUCT", 200, TURTLE),
    (TURTLE, "CONSTRUCT", 200, TURTLE),
    (JSONLD, "CONSTRUCT", 200, JSONLD),
    (NT, "CONSTRUCT", 200, NT),
    (NQ, "CONSTRUCT", 200, NQ),
    (RDFXML, "CONSTRUCT", 200, RDFXML),
    (TRIG, "CONSTRUCT", 200, TRIG),
    (f"{RDFXML};q=0.3, {JSONLD};q=0.7", "CONSTRUCT", 200, JSONLD),
    (JSON_R, "CONSTRUCT", 406, "application/json"),
    (BROWSER, "CONSTRUCT", 200, HTML),
    (None, "DESCRIBE", 200, TURTLE),
    (JSONLD, "DESCRIBE", 200, JSONLD),
    (NT, "DESCRIBE", 200, NT),
    (RDFXML, "DESCRIBE", 200, RDFXML),
    ("image/png", "DESCRIBE", 406, "application/json"),
]


def get(client: FlaskClient, accept: str | None = None, **params: str) -> TestResponse:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql?" + urlencode(params), headers=headers)


def media_type(response: TestResponse) -> str:
    return (response.mimetype or "").lower()


def rdf_triples(body: bytes, media: str) -> set[ox.Triple]:
    """Triples from any RDF format; JSON-LD goes through pyld (expanded, then to N-Quads), not our own code."""
    if media == JSONLD:
        nquads = jsonld.to_rdf(jsonld.expand(json.loads(body)), {"format": "application/n-quads"})
        return {q.triple for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)}
    rdf_format = ox.RdfFormat.from_media_type(media)
    assert rdf_format is not None
    return {q.triple for q in ox.parse(body, format=rdf_format)}


def reparse(response: TestResponse) -> Any:
    """The body, parsed by an independent reader according to its Content-Type."""
    media = media_type(response)
    if media == CSV:
        return list(csv.DictReader(io.StringIO(response.data.decode("utf-8"), newline="")))
    if media in RESULT_FORMATS:
        return ox.parse_query_results(response.data, format=RESULT_FORMATS[media])
    if media == HTML:
        return BeautifulSoup(response.data, "html.parser")
    if media == "application/json":
        return json.loads(response.data)
    return rdf_triples(response.data, media)


@pytest.mark.parametrize(("accept", "form", "status", "expected"), TABLE,
                         ids=[f"{form}-{accept}" for accept, form, _, _ in TABLE])
def test_negotiation(client: FlaskClient, accept: str | None, form: str, status: int, expected: str) -> None:
    response = get(client, accept, query=QUERIES[form])
    assert response.status_code == status, response.data
    assert media_type(response) == expected
    assert "Accept" in response.headers.get("Vary", "")
    parsed = reparse(response)
    if status == 406:
        message = parsed["error"]["message"]
        offered = [JSON_R, XML_R, CSV, TSV] if form in ("SELECT", "ASK") else [TURTLE, JSONLD, NT, RDFXML, TRIG, NQ]
        assert all(m in message for m in offered), message
    elif expected == HTML:
        assert parsed.select("form textarea[name=query]")
        assert parsed.select("table.results tbody tr")
    elif form == "SELECT":
        if expected == CSV:
            assert parsed == [{"label": "Viktor Belenko"}]
        else:
            assert [s["label"] for s in parsed] == [ox.Literal("Viktor Belenko", language="en")]
    elif form == "ASK":
        if expected in (JSON_R, XML_R):
            assert bool(parsed) is True
        elif expected == CSV:  # CSV/TSV have no boolean form: the bare word under one column
            assert [list(row.values()) for row in parsed] == [["true"]]
        else:
            assert response.data.decode().splitlines()[1] == "true"
    elif form == "CONSTRUCT":
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        assert ox.Triple(ox.NamedNode(ID + "viktor-belenko"), label,
                         ox.Literal("Viktor Belenko", language="en")) in parsed
        assert len(parsed) == 2
    else:
        assert any(t.subject == ox.NamedNode(ID + "530-iap") for t in parsed)


def test_every_format_says_the_same(client: FlaskClient) -> None:
    """The same SELECT in the four result formats: the same solutions (CSV drops language tags, by the spec)."""
    query = PREFIXES + "SELECT ?p ?o WHERE { id:530-iap ?p ?o } ORDER BY ?p ?o"
    answers = {}
    for accept in (JSON_R, XML_R, TSV):
        solutions = reparse(get(client, accept, query=query))
        answers[accept] = [tuple(s[v] for v in ("p", "o")) for s in solutions]
    assert answers[JSON_R] == answers[XML_R] == answers[TSV]
    csv_rows = reparse(get(client, CSV, query=query))
    assert [(row["p"], row["o"]) for row in csv_rows] == [(p.value, o.value) for p, o in answers[JSON_R]]
    assert len(answers[JSON_R]) > 3


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    assert media_type(get(client, JSON_R, query=QUERIES["SELECT"], format="xml")) == XML_R
    assert media_type(get(client, JSON_R, query=QUERIES["SELECT"], output="csv")) == CSV
    assert media_type(get(client, JSON_R, query=QUERIES["SELECT"], format=TSV)) == TSV
    assert media_type(get(client, TURTLE, query=QUERIES["CONSTRUCT"], format="jsonld")) == JSONLD
    response = get(client, JSON_R, query=QUERIES["SELECT"], format="turtle")
    assert response.status_code == 406
    assert JSON_R in response.get_json()["error"]["message"]
    posted = get_post(client, {"query": QUERIES["ASK"], "format": "xml"})
    assert media_type(posted) == XML_R and bool(reparse(posted)) is True


def get_post(client: FlaskClient, form: dict[str, str]) -> TestResponse:
    return client.post("/sparql", data=urlencode(form), content_type="application/x-www-form-urlencoded")


def test_tsv_follows_the_sparql_11_tsv_spec(client: FlaskClient) -> None:
    query = ('SELECT ?text ?iri ?n ?plain ?unbound WHERE { BIND(STRLANG("tab\\there\\nnew \\"line\\"", "en") AS ?text) '
             'BIND(<http://example.org/a> AS ?iri) BIND(42 AS ?n) BIND("x" AS ?plain) }')
    response = get(client, TSV, query=query)
    assert response.status_code == 200
    lines = response.data.decode("utf-8").split("\n")
    assert lines[0] == "?text\t?iri\t?n\t?plain\t?unbound"
    assert lines[1].split("\t") == ['"tab\\there\\nnew \\"line\\""@en', "<http://example.org/a>",
                                    '"42"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"', ""]
    assert lines[2:] == [""]  # one row, ended by a newline
    (solution,) = list(reparse(response))
    assert solution["text"] == ox.Literal('tab\there\nnew "line"', language="en")
    assert solution["n"] == ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert solution["unbound"] is None


# --- protocol errors ----------------------------------------------------------------------------------------------
def test_syntax_error_names_line_and_column(client: FlaskClient) -> None:
    response = get(client, None, query="SELECT * WHERE {\n  ?s ?p \n}")
    assert response.status_code == 400
    assert "error at 3:" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(("method", "url", "kwargs", "status"), [
    ("get", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, 400),
    ("get", "/sparql?query=ASK%20%FF%7B%7D", {}, 400),
    ("get", "/sparql?query=", {}, 400),
    ("get", "/sparql?query=ASK%7B%7D&infer=maybe", {}, 400),
    ("get", "/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", {}, 400),
    ("post", "/sparql", {"data": b"ASK {}", "content_type": "application/sparql-query; charset=UTF-16"}, 400),
    ("post", "/sparql", {"data": b"ASK { \xff }", "content_type": "application/sparql-query"}, 400),
    ("post", "/sparql", {"data": b"query=ASK%7B%7D", "content_type": "text/plain"}, 415),
    ("post", "/sparql", {"data": b"query=ASK%7B%7D"}, 415),
    ("post", "/sparql", {"data": b"query=%FF", "content_type": "application/x-www-form-urlencoded"}, 400),
    ("post", "/sparql", {"data": b"infer=true", "content_type": "application/x-www-form-urlencoded"}, 400),
    ("post", "/sparql?query=ASK%7B%7D", {"data": b"ASK {}", "content_type": "application/sparql-query"}, 400),
    ("put", "/sparql?query=ASK%7B%7D", {}, 405),
    ("delete", "/sparql", {}, 405),
])
def test_bad_requests(client: FlaskClient, method: str, url: str, kwargs: dict[str, Any], status: int) -> None:
    response = getattr(client, method)(url, headers={"Accept": "application/json"}, **kwargs)
    assert response.status_code == status, response.data
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]


def test_missing_query_with_a_results_accept_is_400(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": JSON_R})
    assert response.status_code == 400
    assert "no query" in response.get_json()["error"]["message"]


def test_unknown_protocol_graph_is_empty_and_named(client: FlaskClient) -> None:
    unknown = "http://example.org/not-held"
    response = get(client, None, query="ASK { ?s ?p ?o }", **{"default-graph-uri": unknown})
    assert response.status_code == 200 and bool(reparse(response)) is False
    assert response.headers["X-Histkg-Unknown-Graphs"] == f"<{unknown}>"
    facts = "https://histkg.example.org/graph/facts"
    held = get(client, None, query="ASK { ?s ?p ?o }", **{"default-graph-uri": facts})
    assert bool(reparse(held)) is True and "X-Histkg-Unknown-Graphs" not in held.headers


def test_result_cap_is_announced(kg: KnowledgeGraph) -> None:
    capped = kg.with_settings(result_limit=5)
    client = create_app(capped).test_client()
    response = get(client, JSON_R, query="SELECT * WHERE { ?s ?p ?o }")
    assert response.headers["X-Histkg-Truncated"] == "5"
    document = response.get_json()
    assert len(document["results"]["bindings"]) == 5 and document["histkg"] == {"truncated": True, "limit": 5}
    construct = get(client, NT, query="CONSTRUCT WHERE { ?s ?p ?o }")
    assert construct.headers["X-Histkg-Truncated"] == "5" and len(reparse(construct)) == 5
    small = get(client, JSON_R, query="SELECT * WHERE { ?s ?p ?o } LIMIT 5")
    assert "X-Histkg-Truncated" not in small.headers


def test_infer_switch(client: FlaskClient) -> None:
    query = PREFIXES + "ASK { id:hakodate hk:locatedIn id:japan }"
    assert bool(reparse(get(client, None, query=query))) is True
    assert bool(reparse(get(client, None, query=query, infer="false"))) is False
    assert bool(reparse(get(client, None, query=query, infer="true"))) is True


# --- the HTML page ------------------------------------------------------------------------------------------------
def test_browser_without_query_gets_the_query_page(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200 and media_type(response) == HTML
    page = BeautifulSoup(response.data, "html.parser")
    form = page.select_one("form.sparql-query")
    assert form is not None and form.select_one("textarea[name=query]") is not None
    checkbox = form.select_one("input[type=checkbox][name=infer]")
    assert checkbox is not None and checkbox.has_attr("checked")
    assert form.select_one("button[type=submit]") is not None


def test_browser_query_shows_a_table_and_honours_infer(client: FlaskClient) -> None:
    query = PREFIXES + "SELECT ?place WHERE { id:hakodate hk:locatedIn ?place } ORDER BY ?place"
    response = client.get("/sparql?" + urlencode({"query": query, "infer": "false"}), headers={"Accept": BROWSER})
    page = BeautifulSoup(response.data, "html.parser")
    assert [th.get_text() for th in page.select("table.results th")] == ["place"]
    assert [td.get_text(strip=True) for td in page.select("table.results td")] == ["id:hokkaido"]
    checkbox = page.select_one("input[type=checkbox][name=infer]")
    assert checkbox is not None and not checkbox.has_attr("checked")
    inferred = BeautifulSoup(client.get("/sparql?" + urlencode({"query": query}), headers={"Accept": BROWSER}).data,
                             "html.parser")
    assert {td.get_text(strip=True) for td in inferred.select("table.results td")} >= {"id:hokkaido", "id:japan"}


# --- Service Description and VoID ---------------------------------------------------------------------------------
SD_PREFIXES = """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX formats: <http://www.w3.org/ns/formats/>
PREFIX hk: <https://histkg.example.org/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def as_graph(response: TestResponse) -> rdflib.Graph:
    graph = rdflib.Graph()
    for triple in rdf_triples(response.data, media_type(response)):
        graph.add(tuple(_rdflib_term(t) for t in (triple.subject, triple.predicate, triple.object)))
    return graph


def _rdflib_term(term: Any) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    plain = term.language or term.datatype.value == "http://www.w3.org/2001/XMLSchema#string"
    datatype = None if plain else rdflib.URIRef(term.datatype.value)
    return rdflib.Literal(term.value, lang=term.language, datatype=datatype)


def ask(graph: rdflib.Graph, where: str) -> bool:
    return bool(graph.query(SD_PREFIXES + "ASK { " + where + " }").askAnswer)


@pytest.mark.parametrize("accept", [None, TURTLE, JSONLD, NT, RDFXML, TRIG, NQ])
def test_service_description(client: FlaskClient, kg: KnowledgeGraph, accept: str | None) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and media_type(response) == (accept or TURTLE)
    graph = as_graph(response)
    assert ask(graph, """?service a sd:Service ; sd:endpoint <http://localhost/sparql> ;
                          sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph ;
                          sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/OWL-RDF-Based> ;
                          sd:defaultSupportedEntailmentProfile <http://www.w3.org/ns/owl-profile/RL> ;
                          sd:defaultDataset ?dataset .
                          ?dataset a sd:Dataset ; sd:defaultGraph [ void:triples ?n ] . FILTER(?n > 5000)""")
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                 "JSON-LD", "N-Triples", "N-Quads", "RDF_XML", "TriG"):
        assert ask(graph, f"?service sd:resultFormat formats:{name}"), name
    for name in kg.graph_names():
        assert ask(graph, f"""?dataset sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ;
                                 sd:graph [ void:triples {kg.graph_size(name)} ] ]"""), name


def test_void(client: FlaskClient, kg: KnowledgeGraph) -> None:
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and media_type(response) == TURTLE
    graph = as_graph(response)
    assert ask(graph, f"""?d a void:Dataset ; void:triples ?t ; void:entities ?e ; void:classes ?c ;
                          void:properties ?p ; void:sparqlEndpoint <http://localhost/sparql> ;
                          void:uriSpace "{kg.settings.base}" ; void:exampleResource ?example .
                          FILTER(?t > 5000 && ?e > 50 && ?c > 10 && ?p > 20)""")
    assert ask(graph, "?d void:classPartition [ void:class hk:Person ; void:entities ?n ] FILTER(?n >= 4)")
    assert ask(graph, "?d void:propertyPartition [ void:property rdfs:label ; void:triples ?n ] FILTER(?n > 50)")
    assert ask(graph, "?d void:exampleResource <https://histkg.example.org/id/viktor-belenko>")
    dumps = {str(row[0]) for row in graph.query(SD_PREFIXES + "SELECT ?u { ?d void:dataDump ?u }")}
    wanted = {(g, f) for g in ("all", "asserted", "inferred") for f in ("turtle", "jsonld", "ntriples", "trig",
                                                                           "nquads")}
    found = set()
    for url in dumps:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", "localhost", "/export")
        query = parse_qs(parts.query)
        found.add((query["graph"][0], query["format"][0]))
    assert found == wanted


def test_void_negotiates_and_follows_infer(client: FlaskClient) -> None:
    def triples(response: TestResponse) -> int:
        graph = as_graph(response)
        rows = list(graph.query(SD_PREFIXES + "SELECT ?t { ?d void:triples ?t ; void:subset ?s }"))
        return int(rows[0][0])

    with_inference = client.get("/.well-known/void", headers={"Accept": JSONLD})
    assert media_type(with_inference) == JSONLD
    asserted = client.get("/.well-known/void?infer=false", headers={"Accept": NT})
    assert triples(asserted) < triples(with_inference)
    refused = client.get("/.well-known/void", headers={"Accept": JSON_R})
    assert refused.status_code == 406 and TURTLE in refused.get_json()["error"]["message"]
    assert "Accept" in refused.headers["Vary"]


@pytest.mark.parametrize("path", ["/.well-known/void", "/sparql", "/sparql?query=ASK%7B%7D"])
def test_cacheable(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304


# --- CORS ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/sparql?query=ASK%7B", "/sparql",
                                  "/.well-known/void", "/sparql?update=CLEAR%20ALL"])
def test_cors_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_cors_preflight(client: FlaskClient, path: str) -> None:
    response = client.options(path, headers={"Origin": "https://yasgui.example",
                                             "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert methods >= {"GET", "POST", "OPTIONS"}
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed >= {"content-type", "accept"}


def test_cors_post_from_a_browser_client(app: Flask) -> None:
    response = app.test_client().post("/sparql", data=QUERIES["ASK"], content_type="application/sparql-query",
                                      headers={"Origin": "https://yasgui.example", "Accept": XML_R})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Histkg-Truncated" in response.headers["Access-Control-Expose-Headers"]
