"""Loading files: formats, named graphs, the facts/statements split, and clear errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from service.config import Settings
from service.errors import DataFileError
from service.rdf.loading import load_files, parse_file, split_statements
from service.rdf.namespaces import HK
from service.store.graph import KnowledgeGraph

DATA = Path(__file__).parent / "data"


def test_malformed_turtle_names_file_and_line() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_file(DATA / "malformed.ttl")
    assert caught.value.line == 5
    assert str(caught.value).startswith(f"{DATA / 'malformed.ttl'}:5")


def test_missing_file_and_unknown_type_are_clear(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file"):
        parse_file(tmp_path / "absent.ttl")
    odd = tmp_path / "data.xlsx"
    odd.write_text("x")
    with pytest.raises(DataFileError, match="unknown RDF file type"):
        parse_file(odd)


def test_remote_jsonld_context_is_refused_not_fetched() -> None:
    # The context's host is loopback port 9 (discard): had the parser tried to fetch it, the error would differ.
    with pytest.raises(DataFileError, match="remote context"):
        parse_file(DATA / "remote-context.jsonld")


def test_blank_node_labels_are_deterministic_and_per_file(tmp_path: Path) -> None:
    path = tmp_path / "b.ttl"
    path.write_text("[] <http://e/p> [ <http://e/q> 1 ] .\n")
    first, second = parse_file(path, 0), parse_file(path, 0)
    assert first == second
    assert {str(q.subject) for q in parse_file(path, 3)} == {"_:f3b0", "_:f3b1"}


def test_named_graphs_keep_their_names(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load(Settings(data_files=(DATA / "small.trig",), cache_dir=tmp_path))
    assert "https://example.org/graph/extra" in kg.graph_names()
    assert kg.graph_size("https://example.org/graph/extra") == 1
    # The extra graph is part of the union a query sees, and reasoning ran over it with the facts.
    rows = kg.query(f"SELECT ?place WHERE {{ <https://histkg.example.org/id/airfield> <{HK}locatedIn> ?place }}")
    assert {r["place"].value.rsplit("/", 1)[-1] for r in rows} == {"town", "land"}


def test_statement_nodes_go_to_their_own_graph() -> None:
    n = ox.NamedNode
    stmt, fact_subject = n("https://histkg.example.org/statement/s1"), n("https://histkg.example.org/id/a")
    triples = [
        ox.Triple(fact_subject, n(HK + "locatedIn"), n("https://histkg.example.org/id/b")),
        ox.Triple(stmt, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(HK + "Statement")),
        ox.Triple(stmt, n(HK + "quote"), ox.Literal("a is in b")),
        ox.Triple(stmt, n(HK + "note"), ox.BlankNode("x")),
        ox.Triple(ox.BlankNode("x"), n(HK + "text"), ox.Literal("nested")),
    ]
    facts, statements = split_statements(triples)
    assert facts == triples[:1]
    assert statements == triples[1:]


def test_shipped_dataset_claims_are_not_facts(kg: KnowledgeGraph) -> None:
    """No statement whose status is a claim has its triple among the facts (asserted or inferred)."""
    rows = list(kg.query(f"""
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?st WHERE {{
          GRAPH <{kg.graphs.statements}> {{ ?st <{HK}status> ?status ; rdf:subject ?s ; rdf:predicate ?p ;
                                                  rdf:object ?o . FILTER(?status != <{HK}Asserted>) }}
          {{ GRAPH <{kg.graphs.facts}> {{ ?s ?p ?o }} }} UNION {{ GRAPH <{kg.graphs.inferred}> {{ ?s ?p ?o }} }}
        }}"""))
    assert rows == []
    claims = list(kg.query(f"SELECT ?st WHERE {{ ?st <{HK}status> <{HK}Claim> }}"))
    assert claims, "the dataset models the Soviet claims as claims"


def test_load_files_sorts_ontology_and_data() -> None:
    loaded = load_files([DATA / "small.trig"], [])
    assert len(loaded.ontology) == 8 and not loaded.facts
    assert list(loaded.named) == ["https://example.org/graph/extra"]


@pytest.mark.stores("memory", "disk")  # the embedded engine's store layout
def test_union_copy_is_a_speed_choice_not_a_semantic_one(kg: KnowledgeGraph, tmp_path: Path) -> None:
    """With and without the union kept in the default graph, every query answers the same."""
    lean = KnowledgeGraph.load(Settings(cache_dir=tmp_path, union_copy=False))
    assert kg.union_in_default_graph and not lean.union_in_default_graph
    assert len(lean.store) < len(kg.store)
    query = f"""SELECT ?s ?o WHERE {{ ?s <{HK}locatedIn> ?o }} ORDER BY ?s ?o"""
    for infer in (True, False):
        assert [tuple(r) for r in kg.query(query, infer=infer)] == [tuple(r) for r in lean.query(query, infer=infer)]
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    # The union copy is a set: a triple held by two graphs counts once there, twice in the graph list.
    assert int(next(iter(kg.query(everything)))["n"].value) <= int(next(iter(lean.query(everything)))["n"].value)


def test_auto_storage_decides_by_size_not_by_a_snapshot_left_behind(tmp_path: Path) -> None:
    """`auto` keeps the shipped dataset in memory even when a `disk` run left a snapshot of it; above the threshold
    it reopens that snapshot (no parsing, no reasoning)."""
    on_disk = KnowledgeGraph.load(Settings(cache_dir=tmp_path, storage="disk"))
    assert on_disk.snapshot_path is not None and on_disk.snapshot_path.is_dir()
    auto = KnowledgeGraph.load(Settings(cache_dir=tmp_path))
    assert auto.snapshot_path is None and any("in memory" in phase for phase, _ in auto.report.phases)
    reopened = KnowledgeGraph.load(Settings(cache_dir=tmp_path, disk_threshold=1))
    assert reopened.snapshot_path == on_disk.snapshot_path
    assert [phase.split()[:3] for phase, _ in reopened.report.phases] == [["opened", "the", "store"]]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert [tuple(r) for r in reopened.query(query)] == [tuple(r) for r in auto.query(query)]
