"""The Flask-free path for plain `GET /sparql` answers exactly as the app does, and leaves everything else to it.

Each request is sent twice through real WSGI calls: once through the fast path, once straight to the Flask app
behind it. Status, every header and the body must be identical. Requests it must not take are checked with an app
that records being called.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from service.query.executor import close_pool
from service.store.graph import KnowledgeGraph
from service.web import create_app
from service.web.response_cache import ResponseCache
from service.web.sparql.fast_path import SparqlFastPath

PREFIXES = ("PREFIX hk: <https://histkg.example.org/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
SELECT_PEOPLE = PREFIXES + "SELECT ?person ?name WHERE { ?person a hk:Person ; rdfs:label ?name } ORDER BY ?name"
SELECT_TYPES = "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type"
ASK = PREFIXES + "ASK { ?x a hk:Person }"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?p rdfs:label ?n } WHERE { ?p a hk:Person ; rdfs:label ?n }"
DESCRIBE = "DESCRIBE <https://histkg.example.org/id/viktor-belenko>"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
Reply = tuple[str, list[tuple[str, str]], bytes]


def call(wsgi: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> Reply:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, headers

    body = b"".join(wsgi(environ, start_response))
    # The Date header names the second it was sent: present or not is compared, not its value.
    headers = [(name, "(date)" if name == "Date" else value) for name, value in seen["headers"]]
    return seen["status"], sorted(headers), body


def environ_for(query: dict[str, str] | list[tuple[str, str]] | None = None, method: str = "GET",
                path: str = "/sparql", headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    builder = EnvironBuilder(path=path, method=method, query_string=urlencode(query or {}), headers=headers or {},
                             **extra)
    return builder.get_environ()


def layers(app: Flask) -> tuple[SparqlFastPath, Callable[..., Iterable[bytes]]]:
    cache = app.wsgi_app
    assert isinstance(cache, ResponseCache)
    fast = cache.app
    assert isinstance(fast, SparqlFastPath)
    return fast, fast.app


class Recorder:
    """Stands in for the app behind the fast path, to see whether a request was passed on."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        start_response("299 PASSED ON", [])
        return [b""]


@pytest.fixture(scope="module")
def short_app(kg: KnowledgeGraph) -> Iterator[Flask]:
    """A 5-row result cap and a 1 s time limit, to see truncation and time limits on both paths."""
    short = kg.with_settings(result_limit=5, query_timeout=1.0)
    yield create_app(short)
    close_pool(short)


SAME_ANSWER = [
    pytest.param({"query": SELECT_PEOPLE}, {}, id="select-no-accept"),
    pytest.param({"query": SELECT_PEOPLE}, {"Accept": "*/*"}, id="select-any"),
    pytest.param({"query": SELECT_TYPES}, {"Accept": "application/sparql-results+json"}, id="select-json"),
    pytest.param({"query": SELECT_TYPES}, {"Accept": "application/json"}, id="select-json-alias"),
    pytest.param({"query": SELECT_PEOPLE}, {"Accept": "application/sparql-results+xml"}, id="select-xml"),
    pytest.param({"query": SELECT_PEOPLE}, {"Accept": "text/csv"}, id="select-csv"),
    pytest.param({"query": SELECT_PEOPLE}, {"Accept": "text/tab-separated-values"}, id="select-tsv"),
    pytest.param({"query": SELECT_PEOPLE}, {"Accept": "text/csv;q=0.5, application/sparql-results+xml"},
                 id="select-q-values"),
    pytest.param({"query": SELECT_PEOPLE}, {"Accept": "application/sparql-results+json, text/html;q=0.1"},
                 id="select-data-over-html"),
    pytest.param({"query": SELECT_PEOPLE, "format": "csv"}, {"Accept": "application/sparql-results+xml"},
                 id="format-beats-accept"),
    pytest.param({"query": SELECT_PEOPLE, "output": "tsv"}, {}, id="output-param"),
    pytest.param({"query": SELECT_TYPES, "infer": "false"}, {}, id="infer-false"),
    pytest.param([("query", SELECT_TYPES), ("infer", "false"), ("infer", "true")], {}, id="infer-last-wins"),
    pytest.param({"query": ASK}, {}, id="ask"),
    pytest.param({"query": ASK}, {"Accept": "text/csv"}, id="ask-csv"),
    pytest.param({"query": CONSTRUCT}, {}, id="construct-turtle"),
    pytest.param({"query": CONSTRUCT}, {"Accept": "application/ld+json"}, id="construct-jsonld"),
    pytest.param({"query": CONSTRUCT}, {"Accept": "application/n-triples"}, id="construct-ntriples"),
    pytest.param({"query": DESCRIBE}, {"Accept": "application/rdf+xml"}, id="describe-rdfxml"),
    pytest.param({"query": "SELECT ?s WHERE { ?s ?p <relative> } LIMIT 1"}, {}, id="relative-iri-base"),
]


@pytest.mark.parametrize(("query", "headers"), SAME_ANSWER)
def test_same_answer_as_the_app(app: Flask, query: dict[str, str], headers: dict[str, str]) -> None:
    fast, flask_only = layers(app)
    via_fast = call(fast, environ_for(query, headers=headers))
    via_app = call(flask_only, environ_for(query, headers=headers))
    assert via_fast == via_app
    assert via_fast[0] == "200 OK"
    # ... and it was the fast path that answered: with a recorder behind it, the recorder is not called.
    recorder = Recorder()
    assert call(SparqlFastPath(recorder, fast.kg), environ_for(query, headers=headers)) == via_fast
    assert recorder.calls == 0


def test_truncated_results_say_so_on_both_paths(short_app: Flask) -> None:
    fast, flask_only = layers(short_app)
    query = {"query": SELECT_TYPES}
    via_fast, via_app = call(fast, environ_for(query)), call(flask_only, environ_for(query))
    assert via_fast == via_app
    assert ("X-Histkg-Truncated", "5") in via_fast[1]
    assert len(json.loads(via_fast[2])["results"]["bindings"]) == 5


ERRORS = [
    pytest.param("SELECT * WHERE { ?s ?p }", 400, id="syntax-error"),
    pytest.param("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", 403, id="update"),
    pytest.param("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 400, id="service"),
    pytest.param("SELECT * FROM <http://elsewhere.example/g> WHERE { ?s ?p ?o }", 400, id="unknown-from"),
    pytest.param("PREFIX x: <http://x/> SELECT ?s WHERE { ?s undeclared:p ?o }", 400, id="undeclared-prefix"),
    pytest.param("SELECT * WHERE " + "{ " * 300 + "?s ?p ?o" + " }" * 300, 400, id="too-deep"),
]


@pytest.mark.parametrize(("text", "status"), ERRORS)
def test_errors_are_the_apps_errors(app: Flask, text: str, status: int) -> None:
    fast, flask_only = layers(app)
    for headers in ({}, {"Accept": "text/html"}):  # JSON for machines, the error page for browsers
        via_fast = call(fast, environ_for({"query": text}, headers=headers))
        assert via_fast == call(flask_only, environ_for({"query": text}, headers=headers))
        assert via_fast[0].startswith(str(status))
    assert json.loads(call(fast, environ_for({"query": text}))[2])["error"]["status"] == status


@pytest.mark.stores("memory", "disk")
def test_a_time_limit_is_met_once(short_app: Flask) -> None:
    """The 503 comes from the app's error handler, but the query ran once: after one limit, not two."""
    fast, _ = layers(short_app)
    started = time.monotonic()
    status, headers, body = call(fast, environ_for({"query": CARTESIAN}))
    elapsed = time.monotonic() - started
    assert status.startswith("503")
    assert ("Retry-After", "1") in headers
    assert "1 s" in json.loads(body)["error"]["message"]
    assert elapsed < 1.8, f"took {elapsed:.2f} s: the query ran twice?"


PASSED_ON = [
    pytest.param(environ_for({"query": ASK}, method="POST"), id="post"),
    pytest.param(environ_for({"query": ASK}, method="HEAD"), id="head"),
    pytest.param(environ_for({"query": ASK}, path="/sparql/"), id="trailing-slash"),
    pytest.param(environ_for(), id="no-query"),
    pytest.param(environ_for({"query": "   "}), id="blank-query"),
    pytest.param(environ_for([("query", ASK), ("query", ASK)]), id="two-queries"),
    pytest.param(environ_for({"query": ASK, "timeout": "1"}), id="timeout-param"),
    pytest.param(environ_for({"query": ASK, "default-graph-uri": "https://histkg.example.org/graph/facts"}),
                 id="dataset-param"),
    pytest.param(environ_for({"query": ASK, "infer": "maybe"}), id="bad-infer"),
    pytest.param(environ_for({"query": ASK}, headers={"If-None-Match": '"x"'}), id="conditional"),
    pytest.param(environ_for({"query": ASK}, headers={"Range": "bytes=0-1"}), id="range"),
    pytest.param(environ_for({"query": ASK}, headers={"Accept": "text/html"}), id="html-page"),
    pytest.param(environ_for({"query": ASK}, headers={"Accept": "image/png"}), id="not-acceptable"),
    pytest.param(environ_for({"query": ASK, "format": "turtle"}), id="rdf-format-for-ask"),
    pytest.param(environ_for({"query": ASK + " #" + "x" * 9000}), id="url-too-long"),
    pytest.param({**environ_for(), "QUERY_STRING": "query=%FF%FE"}, id="not-utf8"),
]


@pytest.mark.parametrize("environ", PASSED_ON)
def test_everything_else_goes_to_the_app(kg: KnowledgeGraph, environ: dict[str, Any]) -> None:
    recorder = Recorder()
    status, _, _ = call(SparqlFastPath(recorder, kg), environ)
    assert status == "299 PASSED ON"
    assert recorder.calls == 1


def test_served_over_http_with_the_response_cache(live_server: Any) -> None:
    """On a real socket: a miss answered by the fast path, then the same request from the response cache."""
    import requests

    fast_url = f"{live_server.url}/sparql?" + urlencode({"query": SELECT_PEOPLE + " # fast path over HTTP"})
    miss, hit = requests.get(fast_url, timeout=30), requests.get(fast_url, timeout=30)
    assert (miss.headers["X-Histkg-Cache"], hit.headers["X-Histkg-Cache"]) == ("miss", "hit")
    assert miss.content == hit.content and miss.headers["ETag"] == hit.headers["ETag"]
    assert json.loads(miss.content)["head"]["vars"] == ["person", "name"]
    again = requests.get(fast_url, headers={"If-None-Match": miss.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
