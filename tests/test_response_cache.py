"""The in-memory response cache: repeat GETs are answered from memory, conditionally, within a byte bound."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from service.store.graph import KnowledgeGraph
from service.web import create_app
from service.web.response_cache import ResponseCache

QUERY = {"query": "SELECT ?s WHERE { ?s a <https://histkg.example.org/ontology#Person> }"}
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture()
def fresh_app(kg: KnowledgeGraph) -> Flask:
    return create_app(kg)  # its own, empty cache


def test_a_repeat_request_is_a_hit_with_the_same_answer(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    first = client.get("/sparql", query_string=QUERY, headers=JSON)
    second = client.get("/sparql", query_string=QUERY, headers=JSON)
    assert first.headers["X-Histkg-Cache"] == "miss" and second.headers["X-Histkg-Cache"] == "hit"
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Content-Type"] == second.headers["Content-Type"]


def test_the_representation_is_part_of_the_key(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    as_json = client.get("/sparql", query_string=QUERY, headers=JSON)
    as_csv = client.get("/sparql", query_string=QUERY, headers={"Accept": "text/csv"})
    assert as_csv.headers["X-Histkg-Cache"] == "miss"
    assert as_json.mimetype != as_csv.mimetype


def test_conditional_requests_get_304_from_the_cache(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    etag = client.get("/id/viktor-belenko", headers={"Accept": "text/turtle"}).headers["ETag"]
    again = client.get("/id/viktor-belenko", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["X-Histkg-Cache"] == "hit" and again.data == b""
    cold = create_app(fresh_app.config["HISTKG"]).test_client()
    conditional_first = cold.get("/id/viktor-belenko", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert conditional_first.status_code == 304


def test_errors_posts_and_health_are_not_cached(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    for _ in range(2):
        bad = client.get("/sparql", query_string={"query": "SELECT * WHERE {"}, headers=JSON)
        assert bad.status_code == 400 and bad.headers["X-Histkg-Cache"] == "miss"
        posted = client.post("/sparql", data=QUERY, headers=JSON)
        assert posted.status_code == 200 and "X-Histkg-Cache" not in posted.headers
        health = client.get("/healthz")
        assert health.headers["X-Histkg-Cache"] == "miss"


def test_the_cache_is_bounded_in_bytes() -> None:
    served: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        served.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"x" * 1000]

    cache = ResponseCache(app, max_bytes=3500)
    for path in ["/a", "/b", "/c", "/d", "/a"]:
        list(cache({"REQUEST_METHOD": "GET", "PATH_INFO": path}, lambda *args: None))
    assert cache.bytes <= 3500 and len(cache.entries) == 3
    assert served == ["/a", "/b", "/c", "/d", "/a"], "/a was evicted first, so it was served again"
