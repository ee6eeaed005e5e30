"""A query never makes the server open a network connection or a file, and never changes the data.

A real listener on loopback records every connection made to it; an audit hook (sys.addaudithook) records every
`open` of a watched temporary file, in any thread of this process, which is where the live server runs.

What the service does with a graph it does not hold (documented in service/query/sparql.py and /sparql's Service
Description): SERVICE, and FROM / FROM NAMED naming such a graph, are refused with a 400 that says why. A
`default-graph-uri` / `named-graph-uri` parameter naming one is an empty graph, as the SPARQL 1.1 Protocol and the
W3C protocol tests expect (`default-graph-uri=<a graph nobody holds>` with `ASK {}` must answer true), and the
response names it in `X-Histkg-Unknown-Graphs`. Either way nothing is fetched.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from service.store.graph import KnowledgeGraph
from tests.conftest import LiveServer

# --- the audit hook: installed once (hooks cannot be removed), records opens of watched paths only ---------------
WATCHED: set[str] = set()
OPENED: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and WATCHED and args and isinstance(args[0], str | bytes):
        path = args[0].decode(errors="replace") if isinstance(args[0], bytes) else args[0]
        if path in WATCHED:
            OPENED.append(path)


sys.addaudithook(_audit)


class Listener:
    """A TCP listener on loopback that accepts and records every connection (and the first bytes sent)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    self.connections.append(connection.recv(1024))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


@pytest.fixture()
def watched_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "graph.ttl"
    path.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    WATCHED.add(str(path))
    OPENED.clear()
    yield path
    WATCHED.discard(str(path))


def sparql(server: LiveServer, params: dict[str, str]) -> requests.Response:
    return requests.get(server.url + "/sparql", params=params, headers={"Accept": "application/json"}, timeout=30)


def assert_nothing_touched(listener: Listener, path: Path) -> None:
    time.sleep(0.15)  # room for the accept loop (0.05 s turns) to record a late connection attempt
    assert listener.connections == [], "the server opened a connection on a query's behalf"
    assert str(path) not in OPENED, "the server opened a file on a query's behalf"


@pytest.mark.parametrize(("template", "reason"), [
    ("SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { service silent <{url}> { ?s ?p ?o } }", "SERVICE"),
    ("PREFIX remote: <{url}>\nSELECT * WHERE { SERVICE remote:sparql { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <{url}> WHERE { ?s ?p ?o }", "never fetches"),
    ("SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }", "never fetches"),
    ("BASE <{url}>\nSELECT * FROM <graph.ttl> WHERE { ?s ?p ?o }", "never fetches"),
    ("SELECT * FROM <{file}> WHERE { ?s ?p ?o }", "never fetches"),
    ("SELECT * FROM NAMED <{file}> WHERE { GRAPH ?g { ?s ?p ?o } }", "never fetches"),
    ("ASK { SERVICE <{file}> { ?s ?p ?o } }", "SERVICE"),
])
def test_remote_graphs_in_the_query_are_refused(live_server: LiveServer, listener: Listener, watched_file: Path,
                                                template: str, reason: str) -> None:
    query = template.replace("{url}", listener.url).replace("{file}", watched_file.as_uri())
    response = sparql(live_server, {"query": query})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert reason in message
    assert_nothing_touched(listener, watched_file)


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("target", ["url", "file"])
def test_protocol_graphs_we_do_not_hold_are_empty_and_never_fetched(
        live_server: LiveServer, listener: Listener, watched_file: Path, parameter: str, target: str) -> None:
    graph = listener.url if target == "url" else watched_file.as_uri()
    response = sparql(live_server, {"query": "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                                    parameter: graph})
    assert response.status_code == 200
    assert response.json()["boolean"] is False
    assert response.headers["X-Histkg-Unknown-Graphs"] == f"<{graph}>"
    assert_nothing_touched(listener, watched_file)


UPDATES = [
    "LOAD <{url}>",
    "LOAD <{file}> INTO GRAPH <http://example.org/g>",
    "INSERT DATA { <http://example.org/s> <http://example.org/p> <http://example.org/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP DEFAULT",
    "CREATE GRAPH <http://example.org/new>",
    "COPY DEFAULT TO <http://example.org/copy>",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
]
FORMS = ["get-update", "get-query", "post-form-update", "post-form-query", "post-sparql-update",
         "post-sparql-query"]


def send_update(server: LiveServer, form: str, text: str) -> requests.Response:
    url = server.url + "/sparql"
    headers = {"Accept": "application/json"}
    method, _, how = form.partition("-")
    if method == "get":
        return requests.get(url, params={how: text}, headers=headers, timeout=30)
    if how.startswith("form-"):
        return requests.post(url, data={how.removeprefix("form-"): text}, headers=headers, timeout=30)
    content_type = "application/sparql-update" if how == "sparql-update" else "application/sparql-query"
    return requests.post(url, data=text.encode(), headers={**headers, "Content-Type": content_type}, timeout=30)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("template", UPDATES)
def test_updates_are_refused_in_every_form(live_server: LiveServer, kg: KnowledgeGraph, listener: Listener,
                                           watched_file: Path, form: str, template: str) -> None:
    before = len(kg.store)
    update = template.replace("{url}", listener.url).replace("{file}", watched_file.as_uri())
    response = send_update(live_server, form, update)
    assert response.status_code == 403, response.text
    assert "read-only" in response.json()["error"]["message"]
    assert len(kg.store) == before
    assert_nothing_touched(listener, watched_file)


def test_the_listener_and_the_hook_do_notice(listener: Listener, watched_file: Path) -> None:
    """The instruments work: a real connection is recorded, a real open is recorded."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as connection:
        connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
    watched_file.read_text(encoding="utf-8")
    time.sleep(0.3)
    assert listener.connections and listener.connections[0].startswith(b"GET /")
    assert str(watched_file) in OPENED
