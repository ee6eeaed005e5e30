"""OWL 2 RL reasoning: the closure's content, junk filtered, inconsistencies reported, the disk cache, explanations."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from service.config import Settings
from service.errors import InconsistencyError
from service.provenance.explain import explain
from service.rdf.namespaces import HK, OWL, RDF, RDF_TYPE, RDFS, XSD
from service.reasoning import reasoner
from service.store.graph import KnowledgeGraph

DATA = Path(__file__).parent / "data"
ID = "https://histkg.example.org/id/"
N = ox.NamedNode


def inferred(kg: KnowledgeGraph, s: str, p: str, o: str) -> bool:
    return kg.is_inferred(N(s), N(p), N(o))


def test_transitive_containment_and_inverses_are_inferred(kg: KnowledgeGraph) -> None:
    assert inferred(kg, ID + "hakodate-airport", HK + "locatedIn", ID + "hokkaido")
    assert inferred(kg, ID + "hakodate-airport", HK + "locatedIn", ID + "japan")
    assert inferred(kg, ID + "japan", HK + "containsPlace", ID + "hakodate-airport")
    assert inferred(kg, ID + "530-iap", HK + "hasMember", ID + "viktor-belenko")


def test_inferred_graph_holds_no_junk(kg: KnowledgeGraph) -> None:
    vocabularies = (RDF, RDFS, OWL, XSD)
    for quad in kg.triples(graph=kg.graphs.inferred):
        assert not isinstance(quad.subject, ox.Literal)
        assert not (isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(vocabularies)), quad
        assert not (quad.predicate.value == OWL + "sameAs" and quad.subject == quad.object), quad
        assert not (quad.predicate.value == RDF_TYPE and quad.object == N(OWL + "Thing")), quad
        assert "agent-ont" not in quad.predicate.value  # owlrl's error vocabulary never leaks


def test_asserted_triples_are_not_repeated_as_inferred(kg: KnowledgeGraph) -> None:
    for quad in kg.triples(graph=kg.graphs.facts):
        assert ox.Quad(quad.subject, quad.predicate, quad.object, N(kg.graphs.inferred)) not in kg.store


def test_inconsistent_data_fails_the_load_naming_the_individual(tmp_path: Path) -> None:
    with pytest.raises(InconsistencyError) as caught:
        KnowledgeGraph.load(Settings(data_files=(DATA / "inconsistent.ttl",), cache_dir=tmp_path))
    message = str(caught.value)
    # Person is a sub-class of Agent, and owlrl names the disjoint pair it found: Agent and Place.
    assert "id/confused" in message and "ontology#Place" in message and "ontology#Agent" in message
    assert not list(tmp_path.iterdir()), "an inconsistent closure is never cached"


def test_closure_is_cached_and_reused(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    first = KnowledgeGraph.load(settings)
    assert not first.report.closure_from_cache
    (cache_file,) = tmp_path.glob("closure-*.nt")
    second = KnowledgeGraph.load(settings)
    assert second.report.closure_from_cache
    assert set(second.triples(graph=second.graphs.inferred)) == set(first.triples(graph=first.graphs.inferred))
    assert [p.name for p in tmp_path.iterdir()] == [cache_file.name], "no temporary files are left behind"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_cache_is_rebuilt_not_trusted(tmp_path: Path, damage: str) -> None:
    settings = Settings(cache_dir=tmp_path)
    reference = KnowledgeGraph.load(settings)
    (cache_file,) = tmp_path.glob("closure-*.nt")
    data = cache_file.read_bytes()
    cache_file.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"<a> <b> .\n" + data[40:],
                            "empty": b""}[damage])
    again = KnowledgeGraph.load(settings)
    assert not again.report.closure_from_cache
    assert set(again.triples(graph=again.graphs.inferred)) == set(
        reference.triples(graph=reference.graphs.inferred))
    assert reasoner.read_cache_body(cache_file) is not None, "the rebuilt cache was written back whole"


def test_cache_key_changes_with_inputs() -> None:
    assert reasoner.cache_key([b"a"]) != reasoner.cache_key([b"b"])
    assert reasoner.cache_key([b"a"]) == reasoner.cache_key([b"a"])


@pytest.mark.parametrize(("s", "p", "o", "rule"), [
    (ID + "hakodate-airport", HK + "locatedIn", ID + "japan", "prp-"),
    (ID + "530-iap", HK + "hasMember", ID + "viktor-belenko", "prp-inv"),
    (ID + "japan", HK + "containsPlace", ID + "hokkaido", "prp-inv"),
])
def test_inferred_triples_explain_themselves(kg: KnowledgeGraph, s: str, p: str, o: str, rule: str) -> None:
    explanation = explain(kg, N(s), N(p), N(o))
    assert explanation is not None and explanation.rule.startswith(rule)
    for premise in explanation.premises:
        if premise.predicate.value in (RDF_TYPE, OWL + "inverseOf", RDFS + "subPropertyOf"):
            continue
        quad_graphs = {q.graph_name.value for q in kg.triples(premise.subject, premise.predicate, premise.object)}
        assert quad_graphs, f"premise {premise} holds in the graph"
        assert premise.inferred == (quad_graphs == {kg.graphs.inferred})
        if premise.inferred:  # well-founded: the premise has its own explanation, which does not use the conclusion
            deeper = explain(kg, premise.subject, premise.predicate, premise.object)
            assert deeper is not None
            assert all((q.subject, q.predicate, q.object) != (N(s), N(p), N(o)) for q in deeper.premises)


def test_type_from_domain_is_explained(kg: KnowledgeGraph) -> None:
    rows = list(kg.query(f"""SELECT ?s ?c WHERE {{ GRAPH <{kg.graphs.inferred}> {{ ?s a ?c }}
        FILTER(STRSTARTS(STR(?s), "{ID}") && STRSTARTS(STR(?c), "{HK}")) }} LIMIT 20"""))
    assert rows
    explained = [explain(kg, r["s"], N(RDF_TYPE), r["c"]) for r in rows]
    assert all(e is not None for e in explained)
    assert {e.rule for e in explained if e} <= {"cax-sco", "cax-eqc1", "cax-eqc2", "prp-dom", "prp-rng"}
