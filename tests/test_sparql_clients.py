"""Independent SPARQL clients against the real endpoint on loopback: SPARQLWrapper, rdflib's SPARQLStore, and
`histkg query --endpoint`. Results are checked against the Belenko data, not just status codes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.dom.minidom import Document

import pytest
import rdflib
from click.testing import CliRunner
from pyld import jsonld
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper

from service.cli import main
from tests.conftest import LiveServer

ID = "https://histkg.example.org/id/"
HK = "https://histkg.example.org/ontology#"
PREFIXES = f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX id: <{ID}>\nPREFIX hk: <{HK}>\n"
LABEL = PREFIXES + "SELECT ?label WHERE { id:viktor-belenko rdfs:label ?label }"
UNIT = PREFIXES + "SELECT ?unit ?name WHERE { id:viktor-belenko hk:memberOf ?unit . ?unit rdfs:label ?name }"
HAKODATE_IN_JAPAN = PREFIXES + "ASK { id:hakodate hk:locatedIn id:japan }"
CONSTRUCT = PREFIXES + ("CONSTRUCT { id:viktor-belenko rdfs:label ?l ; hk:memberOf ?u . ?u rdfs:label ?ul } "
                        "WHERE { id:viktor-belenko rdfs:label ?l ; hk:memberOf ?u . ?u rdfs:label ?ul }")
DESCRIBE = PREFIXES + "DESCRIBE id:530-iap"


def wrapper(server: LiveServer, query: str, return_format: str, infer: bool | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    if infer is not None:
        client.addParameter("infer", "true" if infer else "false")
    return client


# --- SPARQLWrapper ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json(live_server: LiveServer, method: str) -> None:
    client = wrapper(live_server, LABEL, JSON)
    client.setMethod(method)
    document = client.query().convert()
    assert document["head"]["vars"] == ["label"]
    assert document["results"]["bindings"] == [
        {"label": {"type": "literal", "value": "Viktor Belenko", "xml:lang": "en"}}]


def test_select_json_the_unit(live_server: LiveServer) -> None:
    document = wrapper(live_server, UNIT, JSON).query().convert()
    units = {(b["unit"]["value"], b["name"]["value"]) for b in document["results"]["bindings"]}
    assert (ID + "530-iap", "530 IAP") in units


def test_select_xml(live_server: LiveServer) -> None:
    document = wrapper(live_server, UNIT, XML).query().convert()
    assert isinstance(document, Document)
    names = [v.getAttribute("name") for v in document.getElementsByTagName("variable")]
    assert names == ["unit", "name"]
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert "530 IAP" in literals and ID + "530-iap" in uris


def test_select_csv(live_server: LiveServer) -> None:
    body = wrapper(live_server, UNIT, CSV).query().convert()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    assert {"unit": ID + "530-iap", "name": "530 IAP"} in rows


def test_select_tsv(live_server: LiveServer) -> None:
    body = wrapper(live_server, UNIT, TSV).query().convert()
    lines = body.decode("utf-8").rstrip("\n").split("\n")
    assert lines[0].split("\t") == ["?unit", "?name"]
    assert [f"<{ID}530-iap>", '"530 IAP"@en'] in [line.split("\t") for line in lines[1:]]


def test_ask_and_the_infer_switch(live_server: LiveServer) -> None:
    """Hakodate lies in Japan by inference (locatedIn is transitive: Hakodate -> Hokkaido -> Japan)."""
    assert wrapper(live_server, HAKODATE_IN_JAPAN, JSON).query().convert()["boolean"] is True
    assert wrapper(live_server, HAKODATE_IN_JAPAN, JSON, infer=True).query().convert()["boolean"] is True
    assert wrapper(live_server, HAKODATE_IN_JAPAN, JSON, infer=False).query().convert()["boolean"] is False
    xml = wrapper(live_server, HAKODATE_IN_JAPAN, XML, infer=False).query().convert()
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "false"


def graph_from_jsonld(body: bytes) -> rdflib.Graph:
    """JSON-LD read by pyld (an independent processor): expanded, turned into N-Quads, loaded into a graph."""
    expanded = jsonld.expand(json.loads(body))
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    graph = rdflib.Graph()
    graph.parse(data=nquads, format="nt")
    return graph


def raw(server: LiveServer, query: str, return_format: str) -> tuple[str, bytes]:
    response = wrapper(server, query, return_format).query().response
    return response.headers["Content-Type"], response.read()


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_graph_forms_in_turtle_and_jsonld(live_server: LiveServer, query: str) -> None:
    turtle_type, turtle_body = raw(live_server, query, TURTLE)
    assert turtle_type.startswith("text/turtle")
    from_turtle = rdflib.Graph().parse(data=turtle_body, format="turtle")
    jsonld_type, jsonld_body = raw(live_server, query, JSONLD)
    assert jsonld_type.startswith("application/ld+json")
    from_jsonld = graph_from_jsonld(jsonld_body)
    assert len(from_turtle) > 0
    assert isomorphic(from_turtle, from_jsonld)
    converted = wrapper(live_server, query, TURTLE).query().convert()
    assert isomorphic(rdflib.Graph().parse(data=converted, format="turtle"), from_turtle)


def test_construct_content(live_server: LiveServer) -> None:
    _, body = raw(live_server, CONSTRUCT, TURTLE)
    graph = rdflib.Graph().parse(data=body, format="turtle")
    belenko, unit = rdflib.URIRef(ID + "viktor-belenko"), rdflib.URIRef(ID + "530-iap")
    assert (belenko, rdflib.RDFS.label, rdflib.Literal("Viktor Belenko", lang="en")) in graph
    assert (belenko, rdflib.URIRef(HK + "memberOf"), unit) in graph
    assert (unit, rdflib.RDFS.label, rdflib.Literal("530 IAP", lang="en")) in graph


def test_describe_content(live_server: LiveServer) -> None:
    _, body = raw(live_server, DESCRIBE, TURTLE)
    graph = rdflib.Graph().parse(data=body, format="turtle")
    unit = rdflib.URIRef(ID + "530-iap")
    assert (unit, rdflib.RDFS.label, rdflib.Literal("530 IAP", lang="en")) in graph
    assert (unit, rdflib.RDF.type, rdflib.URIRef(HK + "MilitaryUnit")) in graph


# --- rdflib's SPARQLStore -----------------------------------------------------------------------------------------
@pytest.fixture()
def remote_graph(live_server: LiveServer) -> rdflib.Graph:
    return rdflib.Graph(SPARQLStore(query_endpoint=live_server.url + "/sparql"))


def test_sparqlstore_select(remote_graph: rdflib.Graph) -> None:
    rows = list(remote_graph.query(UNIT))
    assert (rdflib.URIRef(ID + "530-iap"), rdflib.Literal("530 IAP", lang="en")) in [tuple(r) for r in rows]
    (label,) = [tuple(r) for r in remote_graph.query(LABEL)]
    assert label == (rdflib.Literal("Viktor Belenko", lang="en"),)


def test_sparqlstore_ask(remote_graph: rdflib.Graph) -> None:
    assert remote_graph.query(HAKODATE_IN_JAPAN).askAnswer is True


def test_sparqlstore_construct(remote_graph: rdflib.Graph) -> None:
    result: Any = remote_graph.query(CONSTRUCT)
    graph = result.graph
    assert (rdflib.URIRef(ID + "viktor-belenko"), rdflib.URIRef(HK + "memberOf"), rdflib.URIRef(ID + "530-iap")) \
        in graph


def test_sparqlstore_triples(remote_graph: rdflib.Graph) -> None:
    labels = set(remote_graph.objects(rdflib.URIRef(ID + "hakodate"), rdflib.RDFS.label))
    assert labels == {rdflib.Literal("Hakodate", lang="en")}


# --- histkg query --endpoint --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "fmt", "expected"), [
    (LABEL, "tsv", '"Viktor Belenko"@en'),
    (UNIT, "csv", "530 IAP"),
    (UNIT, "table", "530 IAP"),
    (HAKODATE_IN_JAPAN, "json", '"boolean": true'),
    (CONSTRUCT, "ntriples", f"<{ID}viktor-belenko> <{HK}memberOf> <{ID}530-iap> ."),
])
def test_cli_against_the_endpoint(live_server: LiveServer, query: str, fmt: str, expected: str) -> None:
    result = CliRunner().invoke(main, ["query", "--endpoint", live_server.url + "/sparql", "--format", fmt, query])
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_cli_reports_a_refused_query(live_server: LiveServer) -> None:
    result = CliRunner().invoke(main, ["query", "--endpoint", live_server.url + "/sparql",
                                       "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"])
    assert result.exit_code != 0
    assert "400" in result.output and "SERVICE" in result.output


def test_cli_runs_a_saved_query_with_a_parameter_against_the_endpoint(live_server: LiveServer) -> None:
    """Parameters reach a remote endpoint as a trailing VALUES clause; --no-infer travels as infer=false."""
    def events(*extra: str) -> set[str]:
        result = CliRunner().invoke(main, ["query", "--endpoint", live_server.url + "/sparql", "--saved",
                                           "person-events", "-p", "person=id:aleksandr-zuyev", "--format", "json",
                                           *extra])
        assert result.exit_code == 0, result.output
        return {b["event"]["value"] for b in json.loads(result.output)["results"]["bindings"]}

    assert events() == {ID + "zuyev-defection"}
    assert events("--no-infer") == set(), "hk:participatedIn is inferred: absent from the asserted graphs"
