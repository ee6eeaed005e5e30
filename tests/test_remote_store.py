"""The remote-store mode against a real SPARQL server: `oxigraph serve` on loopback, loaded by `histkg load`.

The same requests go to the app over the in-memory store and to the app over the remote store; their answers
must agree (RDF compared as graphs, results as sets of rows, pages by their structure).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from bs4 import BeautifulSoup
from flask import Flask
from rdflib.compare import isomorphic

from service.config import Settings
from service.errors import DataFileError
from service.store import KnowledgeGraph
from service.web import create_app

pytestmark = pytest.mark.remote
ID = "https://histkg.example.org/id/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    executable = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(executable).exists():
        pytest.fail("the `oxigraph` server is not installed: pip install -e '.[test]' brings it")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("oxigraph serve did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def remote_app(oxigraph_server: str, cache_dir: Path) -> Flask:
    env_cache = {"HISTKG_CACHE_DIR": str(cache_dir)}
    loaded = subprocess.run([sys.executable, "-m", "service.cli", "load", "--into", f"{oxigraph_server}/update"],
                            capture_output=True, text=True, timeout=300, env={**env_cache, "PATH": "/usr/bin:/bin"})
    assert loaded.returncode == 0, loaded.stderr
    assert "graph/inferred" in loaded.stdout
    return create_app(KnowledgeGraph.connect(Settings(cache_dir=cache_dir), f"{oxigraph_server}/query"))


def get(app: Flask, url: str, accept: str) -> tuple[int, str, bytes]:
    path, _, query = url.partition("?")
    arguments = dict(part.split("=", 1) for part in query.split("&")) if query else {}
    response = app.test_client().get(path, query_string=arguments, headers={"Accept": accept})
    return response.status_code, response.mimetype, response.data


QUERY = ("PREFIX hk: <https://histkg.example.org/ontology#> SELECT ?place WHERE { "
         "<https://histkg.example.org/id/hakodate-airport> hk:locatedIn ?place }")


def rows(body: bytes) -> set[frozenset[tuple[str, str]]]:
    return {frozenset((k, v["value"]) for k, v in b.items()) for b in json.loads(body)["results"]["bindings"]}


@pytest.mark.parametrize("infer", ["true", "false"])
def test_sparql_results_agree(app: Flask, remote_app: Flask, infer: str) -> None:
    url = f"/sparql?query={QUERY}&infer={infer}"
    local, remote = get(app, url, "application/sparql-results+json"), get(remote_app, url,
                                                                          "application/sparql-results+json")
    assert local[0] == remote[0] == 200
    assert rows(local[2]) == rows(remote[2])
    places = {v for row in rows(remote[2]) for _, v in row}
    assert (ID + "japan" in places) == (infer == "true")


@pytest.mark.parametrize("url", [
    "/id/viktor-belenko.ttl", "/id/hakodate-airport.ttl", "/id/viktor-belenko.ttl?infer=false",
    "/export?graph=inferred&format=ntriples", "/export?graph=asserted&format=turtle",
    f"/sparql?query=CONSTRUCT WHERE {{ <{ID}japan> ?p ?o }}",
])
def test_rdf_agrees(app: Flask, remote_app: Flask, url: str) -> None:
    local, remote = get(app, url, "text/turtle"), get(remote_app, url, "text/turtle")
    assert local[0] == remote[0] == 200, (local[2][:300], remote[2][:300])
    fmt = "nt" if "ntriples" in url else "turtle"
    local_graph = rdflib.Graph().parse(data=local[2], format=fmt)
    assert len(local_graph) > 5
    assert isomorphic(local_graph, rdflib.Graph().parse(data=remote[2], format=fmt))


@pytest.mark.parametrize("url", ["/id/viktor-belenko", "/id/japan", "/timeline", "/queries/contested-claims"])
def test_pages_agree(app: Flask, remote_app: Flask, url: str) -> None:
    local, remote = get(app, url, "text/html"), get(remote_app, url, "text/html")
    assert local[0] == remote[0] == 200

    def links(body: bytes) -> set[str]:
        soup = BeautifulSoup(body, "html.parser")
        return {a["href"] for a in soup.select("main a[href]")}

    assert links(local[2]) == links(remote[2])


def test_connect_refuses_an_empty_server(tmp_path: Path) -> None:
    port = free_port()
    executable = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    process = subprocess.Popen([executable, "serve", "--location", str(tmp_path), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        with pytest.raises(DataFileError, match="histkg load"):
            KnowledgeGraph.connect(Settings(), f"http://127.0.0.1:{port}/query")
    finally:
        process.terminate()
        process.wait(timeout=10)
