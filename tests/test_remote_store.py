"""The remote-store mode against a real SPARQL server: `oxigraph serve` on loopback, loaded by `histkg load`.

The same requests go to the app over the in-memory store and to the app over the remote store; their answers
must agree (RDF compared as graphs, results as sets of rows, pages byte for byte). An entity page's first view costs
a few requests to the SPARQL server, however many facts the entity has; the timeline and the home page cost a few in
a fresh process, however many events there are.
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
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from bs4 import BeautifulSoup
from flask import Flask
from rdflib.compare import isomorphic

from service.config import Settings
from service.errors import DataFileError
from service.features.entities import page as entities
from service.provenance import explain
from service.store.graph import KnowledgeGraph
from service.store.remote import RemoteStore
from service.web import create_app
from service.web.pages.browse import EVENTS_PER_PAGE

pytestmark = pytest.mark.remote
ID = "https://histkg.example.org/id/"
HTML = {"Accept": "text/html"}
# Requests an entity page may send the first time it is viewed (once the process has done its one-off work):
# the entity's triples both ways, the statements about it, one query per derivation height of its inferred facts,
# the statements of their premises, the labels of what it shows.
PAGE_REQUESTS = 10
# What the timeline costs once per process: the events with their time-spans, links and labels; the statements of
# the time-spans. The home page adds the members of the listed classes (with their labels), the statement counts,
# the graph sizes and the source documents' details (with their labels); it shows the count of events.
TIMELINE_REQUESTS = 2
HOME_REQUESTS = 4 + TIMELINE_REQUESTS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_oxigraph(location: Path) -> Iterator[str]:
    executable = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(executable).exists():
        pytest.fail("the `oxigraph` server is not installed: pip install -e '.[test]' brings it")
    port = free_port()
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
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_oxigraph(tmp_path_factory.mktemp("oxigraph"))


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


@pytest.mark.stores("memory", "disk")  # the local stores against the remote one
@pytest.mark.parametrize("infer", ["true", "false"])
def test_sparql_results_agree(app: Flask, remote_app: Flask, infer: str) -> None:
    url = f"/sparql?query={QUERY}&infer={infer}"
    local, remote = get(app, url, "application/sparql-results+json"), get(remote_app, url,
                                                                          "application/sparql-results+json")
    assert local[0] == remote[0] == 200
    assert rows(local[2]) == rows(remote[2])
    places = {v for row in rows(remote[2]) for _, v in row}
    assert (ID + "japan" in places) == (infer == "true")


@pytest.mark.stores("memory", "disk")  # the local stores against the remote one
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


@pytest.mark.stores("memory", "disk")  # the local stores against the remote one
def test_saved_query_pages_agree(app: Flask, remote_app: Flask) -> None:
    url = "/queries/contested-claims"
    local, remote = get(app, url, "text/html"), get(remote_app, url, "text/html")
    assert local[0] == remote[0] == 200

    def links(body: bytes) -> set[str]:
        soup = BeautifulSoup(body, "html.parser")
        return {a["href"] for a in soup.select("main a[href]")}

    assert links(local[2]) == links(remote[2])


def main_part(body: bytes, app: Flask | None = None) -> str:
    """The page's main part; the dataset version of `app` left out (the home page shows it: a digest of the files
    locally, of the graph sizes remotely)."""
    if app is not None:
        body = body.replace(app.config["HISTKG"].version.encode(), b"VERSION")
    main = BeautifulSoup(body, "html.parser").select_one("main")
    assert main is not None
    return str(main)


@pytest.mark.stores("memory", "disk")  # the local stores against the remote one
@pytest.mark.parametrize("url", [
    "/", "/timeline", "/id/viktor-belenko", "/id/japan", "/id/hakodate-airport", "/id/belenko-mig-25",
    "/id/viktor-belenko?infer=false", "/id/japan?page=2", "/statement/viktor-belenko-memberof",
    "/statement/claim-drugged",
])
def test_pages_are_the_same_page(app: Flask, remote_app: Flask, url: str) -> None:
    """Home, timeline (places and participants in label order, not the store's) and entity pages."""
    local, remote = get(app, url, "text/html"), get(remote_app, url, "text/html")
    assert local[0] == remote[0] == 200
    assert main_part(local[2], app) == main_part(remote[2], remote_app)


@pytest.fixture()
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The requests the remote store sends from now on, counted where it talks to the server."""
    queries: list[str] = []
    original = RemoteStore._send

    def counting(store: RemoteStore, client: Any) -> tuple[bytes, str]:
        queries.append(client.queryString)
        return original(store, client)

    monkeypatch.setattr(RemoteStore, "_send", counting)
    return queries


def first_view(settings: Settings, query_url: str, url: str, sent: list[str], *, warm_up: str = "/id/belenko-defection",
               accept: str = "text/html") -> bytes:
    """`url` viewed for the first time by a freshly connected app that has served another entity page, `warm_up`
    (what a process computes once, such as the timeline's events, is not the page's cost); asserts the bound."""
    kg = KnowledgeGraph.connect(settings, query_url)
    client = create_app(kg).test_client()
    assert client.get(warm_up, headers=HTML).status_code == 200
    sent.clear()
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200
    assert len(sent) <= PAGE_REQUESTS, "\n\n".join(q[:300] for q in sent)
    assert client.get(url, headers={"Accept": accept}).data == response.data
    return response.data


def asks_only_about(query: str, iri: str) -> bool:
    """Whether a request asks about given terms (the entity, or a VALUES block of them), not the whole archive."""
    return f"<{iri}>" in query or "VALUES" in query


@pytest.mark.parametrize("name", ["viktor-belenko", "japan", "hakodate-airport", "belenko-mig-25"])
def test_describing_an_entity_asks_only_about_what_the_page_shows(remote_app: Flask, oxigraph_server: str,
                                                                  cache_dir: Path, sent: list[str], name: str) -> None:
    """What the entity page itself needs, in a fresh process: a few requests, each about given terms; the labels
    come from one VALUES request, never from collecting every label of the archive."""
    kg = KnowledgeGraph.connect(Settings(cache_dir=cache_dir), f"{oxigraph_server}/query")
    explain.rule_set(kg)  # read once per graph at start-up (create_app does), not about any one entity
    sent.clear()
    described = entities.describe(kg, ID + name)
    assert described is not None and described.facts
    assert len(sent) <= PAGE_REQUESTS, "\n\n".join(q[:300] for q in sent)
    assert all(asks_only_about(q, ID + name) for q in sent), [q[:300] for q in sent]
    assert not kg.labels.collected


@pytest.mark.parametrize("url", [
    "/id/viktor-belenko", "/id/japan", "/id/hakodate-airport", "/id/viktor-belenko?infer=false",
    "/statement/viktor-belenko-memberof",
])
def test_an_entity_page_costs_a_few_requests(remote_app: Flask, oxigraph_server: str, cache_dir: Path,
                                             sent: list[str], url: str) -> None:
    first_view(Settings(cache_dir=cache_dir), f"{oxigraph_server}/query", url, sent)


def test_an_entity_as_rdf_costs_a_few_requests(remote_app: Flask, oxigraph_server: str, cache_dir: Path,
                                               sent: list[str]) -> None:
    body = first_view(Settings(cache_dir=cache_dir), f"{oxigraph_server}/query", "/id/viktor-belenko", sent,
                      accept="text/turtle")
    assert len(rdflib.Graph().parse(data=body, format="turtle")) > 50


def fresh_view(settings: Settings, query_url: str, url: str, sent: list[str], bound: int) -> str:
    """The main part of `url` viewed by a freshly connected app, as its first page (the timeline and the home page
    compute their lists once per process: this is that once). Asserts the bound on requests, and that no label was
    collected one at a time (the fallback that reads every label of the archive)."""
    kg = KnowledgeGraph.connect(settings, query_url)
    app = create_app(kg)
    client = app.test_client()
    sent.clear()
    response = client.get(url, headers=HTML)
    assert response.status_code == 200
    assert len(sent) <= bound, "\n\n".join(q[:300] for q in sent)
    assert not kg.labels.collected
    sent.clear()
    assert client.get(url, headers=HTML).data == response.data and not sent
    return main_part(response.data, app)


# An entity page in a fresh process: its own requests and the process's one-off reads it needs (the timeline's events,
# the ontology's display annotations, for a place or an event the map's atlas: service.features.geo.places), within the
# page's bound plus the timeline's. The network and reader links ask nothing more (the entity's own triples say).
@pytest.mark.parametrize(("url", "bound"), [
    ("/timeline", TIMELINE_REQUESTS), ("/", HOME_REQUESTS), ("/id/viktor-belenko", PAGE_REQUESTS + TIMELINE_REQUESTS),
    ("/id/hakodate-airport", PAGE_REQUESTS + TIMELINE_REQUESTS),
])
def test_a_page_in_a_fresh_process_costs_a_few_requests(remote_app: Flask, oxigraph_server: str, cache_dir: Path,
                                                        sent: list[str], url: str, bound: int) -> None:
    """Including what the process computes once (the events, the home page's lists); the same page as a process that
    has served others."""
    main = fresh_view(Settings(cache_dir=cache_dir), f"{oxigraph_server}/query", url, sent, bound)
    assert main == main_part(get(remote_app, url, "text/html")[2], remote_app)


# --- many events ----------------------------------------------------------------------------------------------------
EVENTS = 1100  # more than a VALUES block holds (remote_store.VALUES_CHUNK): no request may list the events


def many_events() -> str:
    """EVENTS dated events, each with a place, two participants (of seven, labelled in an order unlike their IRIs'),
    a time-span and the statement giving its source and quote."""
    lines = [PREFIXES, "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
             'id:doc a hk:Article ; rdfs:label "a document" ; hk:author id:person-0 .']
    lines += [f'id:person-{p} a hk:Person ; rdfs:label "person {7 - p}" .' for p in range(7)]
    lines += [f'id:place-{p} a hk:City ; rdfs:label "place {p}" .' for p in range(5)]
    for i in range(EVENTS):
        day = f"1976-{1 + i % 12:02d}-{1 + i % 28:02d}"
        lines += [f'id:event-{i} a hk:Event ; rdfs:label "event {i}" ; hk:place id:place-{i % 5} ; '
                  f"hk:participant id:person-{i % 7}, id:person-{(i + 3) % 7} ; hk:timeSpan id:ts-{i} .",
                  f'id:ts-{i} a hk:TimeSpan ; hk:earliest "{day}"^^xsd:date ; hk:latest "{day}"^^xsd:date ; '
                  f'hk:dateLabel "day {i}" .',
                  f"st:event-{i}-timespan a hk:Statement ; rdf:subject id:event-{i} ; rdf:predicate hk:timeSpan ; "
                  f'rdf:object id:ts-{i} ; hk:source id:doc ; hk:quote "on day {i}" .']
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def events_server(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path
                  ) -> Iterator[tuple[Settings, str, Flask]]:
    """A server holding EVENTS events, and the local app over the same data."""
    folder = tmp_path_factory.mktemp("events")
    (folder / "events.ttl").write_text(many_events(), encoding="utf-8")
    settings = Settings(data_files=(folder / "events.ttl",), cache_dir=cache_dir, reasoner="fast")
    kg = KnowledgeGraph.load(settings)
    for url in serve_oxigraph(folder / "oxigraph"):
        kg.push(RemoteStore(f"{url}/query", f"{url}/update"))
        yield settings, f"{url}/query", create_app(kg)


@pytest.mark.parametrize(("url", "bound"), [
    ("/timeline", TIMELINE_REQUESTS), ("/", HOME_REQUESTS), ("/id/event-7", PAGE_REQUESTS + TIMELINE_REQUESTS),
    ("/id/place-2", PAGE_REQUESTS + TIMELINE_REQUESTS),
])
def test_the_bound_does_not_grow_with_the_events(events_server: tuple[Settings, str, Flask], sent: list[str],
                                                 url: str, bound: int) -> None:
    settings, query_url, local = events_server
    main = fresh_view(settings, query_url, url, sent, bound)
    assert main == main_part(get(local, url, "text/html")[2], local)
    if url == "/timeline":  # the first page of the timeline (paged: service/web/pages/browse.py)
        page = BeautifulSoup(main, "html.parser")
        rows = page.select("table.timeline tr.event")
        assert len(rows) == min(EVENTS, EVENTS_PER_PAGE) and f"of {EVENTS}." in page.get_text()
        who = [a.get_text() for a in rows[0].select("td.who a")]
        assert who == sorted(who) and len(who) == 2  # by label, not by IRI or the store's order


# --- an entity with many facts ------------------------------------------------------------------------------------
UNITS = 120
PREFIXES = """@prefix hk: <https://histkg.example.org/ontology#> .
@prefix id: <https://histkg.example.org/id/> .
@prefix st: <https://histkg.example.org/statement/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def many_facts() -> str:
    """A person member of UNITS units, each under one of four branches of one force (every unit labelled alike):
    memberOf each unit asserted with its statement; memberOf each branch and the force inferred (a property
    chain over a transitive property); the units' hasMember inferred back."""
    lines = [PREFIXES, 'id:doc a hk:Article ; rdfs:label "a document" .',
             'id:force a hk:MilitaryUnit ; rdfs:label "the force" .',
             'id:one a hk:Person ; rdfs:label "one member" ; hk:memberOf id:unit-0 .',
             'id:many a hk:Person ; rdfs:label "many memberships" .']
    lines += [f'id:branch-{b} a hk:MilitaryUnit ; rdfs:label "branch" ; hk:subOrganisationOf id:force .'
              for b in range(4)]
    for i in range(UNITS):
        lines += [f'id:unit-{i} a hk:MilitaryUnit ; rdfs:label "unit" ; hk:subOrganisationOf id:branch-{i % 4} .',
                  f"id:many hk:memberOf id:unit-{i} .",
                  f"st:many-{i} a hk:Statement ; rdf:subject id:many ; rdf:predicate hk:memberOf ; "
                  f'rdf:object id:unit-{i} ; hk:source id:doc ; hk:quote "member of unit {i}" .']
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[tuple[Settings, str, Flask]]:
    """A server holding an entity with hundreds of facts (asserted, inferred through a property chain and a
    transitive property, each asserted one with its statement; every unit labelled alike), and the local app."""
    folder = tmp_path_factory.mktemp("many")
    (folder / "many.ttl").write_text(many_facts(), encoding="utf-8")
    settings = Settings(data_files=(folder / "many.ttl",), cache_dir=cache_dir)
    kg = KnowledgeGraph.load(settings)
    for url in serve_oxigraph(folder / "oxigraph"):
        kg.push(RemoteStore(f"{url}/query", f"{url}/update"))
        yield settings, f"{url}/query", create_app(kg)


def test_the_bound_does_not_grow_with_the_facts(many: tuple[Settings, str, Flask], sent: list[str]) -> None:
    settings, query_url, local = many
    page = first_view(settings, query_url, "/id/many", sent, warm_up="/id/force")
    big = len(sent)
    assert all(asks_only_about(q, ID + "many") for q in sent), [q[:300] for q in sent]
    first_view(settings, query_url, "/id/one", sent, warm_up="/id/force")
    assert big <= len(sent) + 2  # 1 fact or 2 x 120 facts: about the same requests
    soup = BeautifulSoup(page, "html.parser")
    shown, aligned = shown_facts(soup)
    kg = local.config["HISTKG"]
    facts = {(q.predicate.value, q.object.value) for q in kg.triples(ox.NamedNode(ID + "many"))
             if q.predicate.value not in entities.HEADER_PREDICATES}
    assert len(facts) == 4 * (UNITS + 5)  # hk:memberOf (120 asserted, 5 by the chain) and 3 standard super-properties
    # Every fact is on the page: in its property's row (or nested there as "also"), or, a standard vocabulary's,
    # named once in the aligned line beside the project's fact with the same object (entity pages show each once).
    shown_objects = {o for _, o in shown}
    assert all(f in shown or (f[0] in aligned and f[1] in shown_objects) for f in facts), facts - shown
    assert len(shown) >= UNITS + 5 and len(soup.select("#sources li.note")) == UNITS
    assert main_part(page) == main_part(get(local, "/id/many", "text/html")[2])


def shown_facts(soup: BeautifulSoup) -> tuple[set[tuple[str, str]], set[str]]:
    """The (predicate, object) facts the page's facts section shows, nested "also" ones included, and the standard
    vocabulary properties it names once in its aligned line."""
    shown: set[tuple[str, str]] = set()
    for row in soup.select("#facts tr.fact-group[data-predicate]"):
        for li in row.select("li.fact[data-object]"):
            shown.add((str(row["data-predicate"]), str(li["data-object"])))
            shown |= {(str(a["data-predicate"]), str(li["data-object"])) for a in li.select(".also[data-predicate]")}
    return shown, {str(a["data-predicate"]) for a in soup.select(".aligned-property[data-predicate]")}


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


def test_a_server_gone_away_is_a_bad_gateway(tmp_path: Path, cache_dir: Path) -> None:
    """The remote SPARQL server stops after the service connected: each request gets a 502 whose JSON message names
    the server it could not reach, never a 500 or a traceback, and the service keeps answering (its error pages)."""
    server = serve_oxigraph(tmp_path / "gone")
    url = next(server)
    settings = Settings(cache_dir=cache_dir)
    KnowledgeGraph.load(settings).push(RemoteStore(f"{url}/query", f"{url}/update"))
    app = create_app(KnowledgeGraph.connect(settings.with_(response_cache_bytes=0), f"{url}/query"))
    client = app.test_client()
    assert client.get("/sparql?query=ASK%7B%7D").status_code == 200
    next(server, None)  # the server is stopped
    for path in ("/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "/id/hakodate-airport.ttl"):
        response = client.get(path, headers={"Accept": "application/json, text/turtle;q=0.9"})
        assert response.status_code == 502, (path, response.data[:300])
        body = json.loads(response.data)
        assert body["error"]["status"] == 502 and "cannot reach the SPARQL server" in body["error"]["message"]
        assert url in body["error"]["message"]
