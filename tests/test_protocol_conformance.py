"""The W3C SPARQL 1.1 Protocol tests, run against the real endpoint on a real socket.

The manifest (tests/data/w3c/sparql11-protocol/manifest.ttl, vendored with its licence) describes each request
exactly: method, path, headers, body and its character encoding. Each is sent as written, over raw http.client so
nothing is added or normalised (no Accept, no Accept-Encoding), with `/sparql/` replaced by the endpoint's path. The
server holds the manifest's test data under the graph names its rdfs:labels give; those IRIs are never fetched.

Query tests must pass as specified (status class, a body that really parses in the expected kind of format, the
boolean). histkg is read-only, so every request that carries an update must get a 4xx; the follow-up requests of
an update test check the update's effect, which a read-only service has none of, so they are not sent.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection

from service.config import Settings
from service.store.graph import KnowledgeGraph
from service.web import create_app
from tests.conftest import CONFORMANCE_DIR, serve_in_thread

SUITE = CONFORMANCE_DIR / "sparql11-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
ENDPOINT_PATH = "/sparql"


@dataclass
class Expected:
    status_classes: set[int]  # 2, 3, 4
    format: str | None = None  # "boolean", "tabular", "RDF"
    boolean: bool | None = None


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    expected: Expected

    @property
    def carries_update(self) -> bool:
        content_type = dict((k.lower(), v) for k, v in self.headers).get("content-type", "")
        if content_type.split(";")[0].strip().lower() == "application/sparql-update":
            return True
        query = urlsplit(self.path).query
        names = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
        if self.body is not None and content_type.startswith("application/x-www-form-urlencoded"):
            names |= {name for name, _ in parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)}
        return "update" in names


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[HttpRequest]
    graph_data: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def is_update_test(self) -> bool:
        return any(r.carries_update for r in self.requests) or "update" in self.name


def _items(graph: rdflib.Graph, head: rdflib.term.Node) -> list[rdflib.term.Node]:
    return list(Collection(graph, head))


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> HttpRequest:
    headers = []
    for header_list in graph.objects(node, HT.headers):
        for header in _items(graph, header_list):
            headers.append((str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue))))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = {int(str(s).rsplit("StatusCode", 1)[1][0]) for s in graph.objects(response, MF.expectedStatus)}
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    return HttpRequest(
        method=str(graph.value(node, HT.methodName)), path=str(graph.value(node, HT.absolutePath)),
        headers=headers, body=body,
        expected=Expected(statuses, str(expected_format) if expected_format is not None else None,
                          expected_boolean.toPython() if expected_boolean is not None else None))


def load_manifest() -> list[ProtocolTest]:
    graph = rdflib.Graph()
    manifest = SUITE / "manifest.ttl"
    graph.parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in _items(graph, graph.value(root, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = [_request(graph, r) for lst in graph.objects(action, HT.requests) for r in _items(graph, lst)]
        graph_data = [(str(graph.value(gd, rdflib.RDFS.label)), Path(urlsplit(str(graph.value(gd, UT.graph))).path))
                      for gd in graph.objects(entry, UT.graphData)]
        tests.append(ProtocolTest(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)), requests,
                                  graph_data))
    return tests


TESTS = load_manifest()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    graph_files = tuple(sorted({(iri, path) for test in TESTS for iri, path in test.graph_data}))
    settings = Settings(data_files=(), graph_files=graph_files, cache_dir=tmp_path_factory.mktemp("protocol-cache"))
    server, thread = serve_in_thread(create_app(KnowledgeGraph.load(settings)))
    yield "127.0.0.1", server.server_port
    server.shutdown()
    thread.join(timeout=5)


def send(host: str, port: int, request: HttpRequest) -> tuple[int, str, bytes]:
    """The request exactly as the manifest writes it (plus Host and Content-Length, which HTTP/1.1 needs)."""
    assert request.path.startswith("/sparql/")
    path = ENDPOINT_PATH + request.path[len("/sparql/"):]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.putrequest(request.method, path, skip_accept_encoding=True)
        for name, value in request.headers:
            connection.putheader(name, value)
        if request.body is not None:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


RESULTS_FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                   "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                   "text/tab-separated-values": ox.QueryResultsFormat.TSV}


def check_body(expected: Expected, content_type: str, body: bytes) -> None:
    media_type = content_type.split(";")[0].strip().lower()
    if expected.format in ("boolean", "tabular"):
        allowed = ["application/sparql-results+json", "application/sparql-results+xml"]
        if expected.format == "tabular":
            allowed += ["text/csv", "text/tab-separated-values"]
        assert media_type in allowed, f"{media_type} is not a {expected.format} results format"
        if media_type == "text/csv":  # pyoxigraph does not read CSV results (lossy); the csv module does
            rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
            assert rows and all(len(row) == len(rows[0]) for row in rows)
            return
        parsed = ox.parse_query_results(body, format=RESULTS_FORMATS[media_type])
        if expected.format == "boolean":
            assert isinstance(parsed, ox.QueryBoolean), body
            if expected.boolean is not None:
                assert bool(parsed) is expected.boolean
        else:
            assert isinstance(parsed, ox.QuerySolutions), body
            list(parsed)
    elif expected.format == "RDF":
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        assert rdf_format is not None and not rdf_format.supports_datasets, f"{media_type} is not an RDF graph format"
        list(ox.parse(body, format=rdf_format))


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(test: ProtocolTest, endpoint: tuple[str, int]) -> None:
    host, port = endpoint
    if test.is_update_test:
        update_requests = [r for r in test.requests if r.carries_update] or test.requests[:1]
        for request in update_requests:
            status, _, body = send(host, port, request)
            assert 400 <= status < 500, f"{test.title}: an update must be refused with a 4xx, got {status}: {body!r}"
            error = json.loads(body)["error"]
            assert error["status"] == status and error["message"]
        return
    for request in test.requests:
        status, content_type, body = send(host, port, request)
        assert status // 100 in request.expected.status_classes, f"{test.title}: got {status}: {body[:500]!r}"
        if status < 300:
            check_body(request.expected, content_type, body)


def test_manifest_was_read() -> None:
    """A guard against a runner that silently runs nothing: the suite's 34 tests, with data for the dataset ones."""
    assert len(TESTS) == 34
    assert sum(t.is_update_test for t in TESTS) == 14
    assert {iri for t in TESTS for iri, _ in t.graph_data} == {
        f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}
