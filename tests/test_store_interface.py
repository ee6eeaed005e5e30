"""The store interface: every kind of store (in memory, on-disk snapshot, remote SPARQL server) answers the same, and
the features ask what a store can do, never which kind it is.

`infer=false` has set semantics like the default view: a triple asserted in two graphs is one triple of the dataset's
default graph (their RDF merge), though the engine reads a list of graphs as a bag.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from service.config import PROJECT_ROOT, Settings
from service.query.executor import close_pool
from service.store.base import Store
from service.store.graph import KnowledgeGraph
from service.store.remote import RemoteStore
from service.web import create_app
from tests.test_remote_store import serve_oxigraph

DATA = Path(__file__).parent / "data"
TOWN = "https://histkg.example.org/id/town"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EXTRA = {"https://example.org/graph/copy", "https://example.org/graph/again"}


@pytest.fixture(scope="module")
def twice(store_mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    """The fixture whose triple is asserted in three graphs, in the store mode under test."""
    folder = tmp_path_factory.mktemp("twice")
    settings = Settings(data_files=(DATA / "same_triple_twice.trig",), cache_dir=folder, reasoner="fast")
    if store_mode != "remote":
        kg = KnowledgeGraph.load(settings.with_(storage=store_mode))
        assert (kg.snapshot_path is not None) == (store_mode == "disk")
        yield kg
        close_pool(kg)
        return
    local = KnowledgeGraph.load(settings.with_(storage="memory"))
    for url in serve_oxigraph(folder / "oxigraph"):
        local.push(RemoteStore(f"{url}/query", f"{url}/update"))
        kg = KnowledgeGraph.connect(settings, f"{url}/query")
        yield kg
        close_pool(kg)


def values(rows: object) -> list[tuple[str | None, ...]]:
    return [tuple(t.value if t is not None else None for t in row) for row in rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize("infer", [True, False])
def test_a_triple_in_two_graphs_is_one_triple_of_the_default_graph(twice: KnowledgeGraph, infer: bool) -> None:
    everything = [(r["s"].value, r["p"].value, r["o"].value)
                  for r in twice.query("SELECT * WHERE { ?s ?p ?o }", infer=infer)]
    assert len(everything) == len(set(everything))
    assert everything.count((TOWN, LABEL, "Town")) == 1
    assert values(twice.query(f"SELECT ?o WHERE {{ <{TOWN}> <{LABEL}> ?o }}", infer=infer)) == [("Town",)]
    counted = values(twice.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{TOWN}> <{LABEL}> ?o }}", infer=infer))
    assert counted == [("1",)]


def test_set_semantics_are_the_graphs_not_the_solutions(twice: KnowledgeGraph) -> None:
    """A projection still repeats a value once per solution (three triples about the town: three rows), and each
    named graph still holds its own copy of the triple (GRAPH ?g sees three graphs, not the hidden union)."""
    about = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(?s = <{TOWN}>) }}"
    assert values(twice.query(about, infer=False)) == [(TOWN,)] * 3
    graphs = {row[0] for row in values(twice.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{TOWN}> <{LABEL}> ?o }} }}",
                                                   infer=False))}
    assert graphs == {twice.graphs.facts, *EXTRA}
    assert set(twice.graph_names()) == {*twice.graphs.all, *EXTRA}
    assert {q.graph_name.value for q in twice.triples(ox.NamedNode(TOWN), ox.NamedNode(LABEL))} == graphs


def test_the_endpoint_answers_infer_false_with_set_semantics(twice: KnowledgeGraph) -> None:
    client = create_app(twice).test_client()
    for infer in ("true", "false"):
        response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "infer": infer},
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200
        rows = [tuple(sorted((k, v["value"]) for k, v in b.items()))
                for b in json.loads(response.data)["results"]["bindings"]]
        assert len(rows) == len(set(rows)) and rows.count((("o", "Town"), ("p", LABEL), ("s", TOWN))) == 1


def test_the_shipped_dataset_needs_no_asserted_copy(kg: KnowledgeGraph) -> None:
    """The hidden asserted-union copy costs memory: only a dataset asserting a triple in two graphs has one."""
    assert kg.asserted_union is None


def test_labels_come_from_one_ranking_rule(twice: KnowledgeGraph) -> None:
    """Whether labels are collected whole or fetched for the IRIs a page shows, the same label."""
    twice.prefetch_labels([TOWN, "https://histkg.example.org/id/other"])
    assert twice.label(TOWN) == "Town"
    assert twice.label("https://histkg.example.org/id/other") is None
    assert twice.labels.collected != twice.store.capabilities.batched_lookups


def test_each_kind_of_store_implements_the_interface(twice: KnowledgeGraph) -> None:
    assert isinstance(twice.store, Store)
    town = ox.NamedNode(TOWN)
    quads = twice.store.quads_for_subjects([town], [ox.NamedNode(LABEL)])
    assert {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} >= {twice.graphs.facts,
                                                                                            *EXTRA}
    assert ox.Quad(town, ox.NamedNode(LABEL), ox.Literal("Town", language="en"), ox.NamedNode(twice.graphs.facts)) \
        in twice.store
    assert len(twice.store) >= 3


def test_no_module_outside_the_store_asks_which_kind_of_store_it_has() -> None:
    """Features ask what a store can do (its capabilities), never isinstance against a kind of store."""
    service = PROJECT_ROOT / "service"
    kinds = {"RemoteStore", "EmbeddedStore", "Store"}
    offenders = []
    for path in service.rglob("*.py"):
        if path.parent.name == "store":
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "isinstance" and len(call.args) == 2:
                named = {n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", "")
                         for n in ast.walk(call.args[1])}
                if named & kinds:
                    offenders.append(f"{path.relative_to(service)}:{call.lineno}")
    assert not offenders
