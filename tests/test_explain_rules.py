""""Why?" for every rule the fast materialiser derives with: one tiny ontology per rule, the inferred triple, the
rule its explanation names, and premises that hold in the graph (asserted or inferred), followed down to asserted
ones without going round in a circle. Longer property chains (3 and 4 links) and equality from owl:hasKey too."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from service.config import Settings
from service.provenance.explain import Explanation, explain
from service.rdf.namespaces import OWL, RDF_TYPE, RDFS
from service.store.graph import KnowledgeGraph

T = "https://example.org/t#"
PREFIXES = """@prefix : <https://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
ONE = '"1"^^xsd:nonNegativeInteger'
TYPE, SAME, SCO, SPO, EQC, EQP, DOM, RNG = (RDF_TYPE, OWL + "sameAs", RDFS + "subClassOf", RDFS + "subPropertyOf",
                                            OWL + "equivalentClass", OWL + "equivalentProperty", RDFS + "domain",
                                            RDFS + "range")

# (rule, ontology and data, the inferred triple: local names or full IRIs)
CASES = [
    ("cax-sco", ":A rdfs:subClassOf :B . :x a :A .", ("x", TYPE, "B")),
    ("cax-eqc1", ":A owl:equivalentClass :B . :x a :A .", ("x", TYPE, "B")),
    ("cax-eqc2", ":A owl:equivalentClass :B . :x a :B .", ("x", TYPE, "A")),
    ("prp-dom", ":p rdfs:domain :A . :x :p :y .", ("x", TYPE, "A")),
    ("prp-rng", ":p rdfs:range :A . :x :p :y .", ("y", TYPE, "A")),
    ("prp-spo1", ":p rdfs:subPropertyOf :q . :x :p :y .", ("x", "q", "y")),
    ("prp-spo1", ":kind rdfs:subPropertyOf rdf:type . :x :kind :A .", ("x", TYPE, "A")),
    ("prp-eqp1", ":p owl:equivalentProperty :q . :x :p :y .", ("x", "q", "y")),
    ("prp-eqp2", ":p owl:equivalentProperty :q . :x :q :y .", ("x", "p", "y")),
    ("prp-inv1", ":p owl:inverseOf :q . :x :q :y .", ("y", "p", "x")),
    ("prp-inv2", ":p owl:inverseOf :q . :x :p :y .", ("y", "q", "x")),
    ("prp-symp", ":p a owl:SymmetricProperty . :x :p :y .", ("y", "p", "x")),
    ("prp-trp", ":p a owl:TransitiveProperty . :x :p :y . :y :p :z .", ("x", "p", "z")),
    ("prp-spo2", ":h owl:propertyChainAxiom ( :p ) . :x :p :y .", ("x", "h", "y")),
    ("prp-spo2", ":h owl:propertyChainAxiom ( :p :q ) . :x :p :y . :y :q :z .", ("x", "h", "z")),
    ("prp-fp", ":p a owl:FunctionalProperty . :x :p :y , :z .", ("y", SAME, "z")),
    ("prp-ifp", ":p a owl:InverseFunctionalProperty . :x :p :z . :y :p :z .", ("x", SAME, "y")),
    ("prp-key", ":C owl:hasKey ( :k ) . :x a :C ; :k :v . :y a :C ; :k :v .", ("x", SAME, "y")),
    ("eq-sym", ":x owl:sameAs :y .", ("y", SAME, "x")),
    ("eq-trans", ":x owl:sameAs :y . :y owl:sameAs :z .", ("x", SAME, "z")),
    ("eq-rep-s", ":x owl:sameAs :y . :x :p :z .", ("y", "p", "z")),
    ("eq-rep-o", ":x owl:sameAs :y . :z :p :x .", ("z", "p", "y")),
    ("eq-rep-p", ":p owl:sameAs :q . :x :p :y .", ("x", "q", "y")),
    ("eq-rep-o", ":p a owl:ObjectProperty ; owl:sameAs :q .", ("p", SPO, "q")),
    ("eq-rep-s", ":A a owl:Class ; owl:sameAs :B .", ("B", EQC, "A")),
    ("cls-int1", ":I owl:intersectionOf ( :A :B :C ) . :x a :A , :B , :C .", ("x", TYPE, "I")),
    ("cls-int2", ":I owl:intersectionOf ( :A :B ) . :x a :I .", ("x", TYPE, "B")),
    ("cls-uni", ":U owl:unionOf ( :A :B ) . :x a :B .", ("x", TYPE, "U")),
    ("cls-svf1", ":R owl:onProperty :p ; owl:someValuesFrom :A . :x :p :y . :y a :A .", ("x", TYPE, "R")),
    ("cls-svf2", ":R owl:onProperty :p ; owl:someValuesFrom owl:Thing . :x :p :y .", ("x", TYPE, "R")),
    ("cls-avf", ":R owl:onProperty :p ; owl:allValuesFrom :A . :x a :R ; :p :y .", ("y", TYPE, "A")),
    ("cls-hv1", ":R owl:onProperty :p ; owl:hasValue :v . :x a :R .", ("x", "p", "v")),
    ("cls-hv2", ":R owl:onProperty :p ; owl:hasValue :v . :x :p :v .", ("x", TYPE, "R")),
    ("cls-maxc2", f":R owl:onProperty :p ; owl:maxCardinality {ONE} . :x a :R ; :p :y , :z .", ("y", SAME, "z")),
    ("cls-maxqc3", f":R owl:onProperty :p ; owl:maxQualifiedCardinality {ONE} ; owl:onClass :A . "
                   ":x a :R ; :p :y , :z , :w . :y a :A . :z a :A .", ("y", SAME, "z")),
    ("cls-maxqc4", f":R owl:onProperty :p ; owl:maxQualifiedCardinality {ONE} ; owl:onClass owl:Thing . "
                   ":x a :R ; :p :y , :z .", ("y", SAME, "z")),
    ("cls-oo", ":E owl:oneOf ( :a :b ) .", ("b", TYPE, "E")),
    ("scm-cls", ":A a owl:Class .", ("A", SCO, OWL + "Thing")),
    ("scm-sco", ":A rdfs:subClassOf :B . :B rdfs:subClassOf :C .", ("A", SCO, "C")),
    ("scm-eqc1", ":A owl:equivalentClass :B .", ("B", SCO, "A")),
    ("scm-eqc2", ":A rdfs:subClassOf :B . :B rdfs:subClassOf :A .", ("A", EQC, "B")),
    ("scm-spo", ":p rdfs:subPropertyOf :q . :q rdfs:subPropertyOf :r .", ("p", SPO, "r")),
    ("scm-eqp1", ":p owl:equivalentProperty :q .", ("q", SPO, "p")),
    ("scm-eqp2", ":p rdfs:subPropertyOf :q . :q rdfs:subPropertyOf :p .", ("p", EQP, "q")),
    ("scm-dom1", ":p rdfs:domain :A . :A rdfs:subClassOf :B .", ("p", DOM, "B")),
    ("scm-dom2", ":q rdfs:domain :A . :p rdfs:subPropertyOf :q .", ("p", DOM, "A")),
    ("scm-rng1", ":p rdfs:range :A . :A rdfs:subClassOf :B .", ("p", RNG, "B")),
    ("scm-rng2", ":q rdfs:range :A . :p rdfs:subPropertyOf :q .", ("p", RNG, "A")),
    ("scm-int", ":I owl:intersectionOf ( :A :B ) .", ("I", SCO, "B")),
    ("scm-uni", ":U owl:unionOf ( :A :B ) .", ("A", SCO, "U")),
    ("scm-hv", ":R1 owl:onProperty :p ; owl:hasValue :v . :R2 owl:onProperty :q ; owl:hasValue :v . "
               ":p rdfs:subPropertyOf :q .", ("R1", SCO, "R2")),
    ("scm-svf1", ":R1 owl:onProperty :p ; owl:someValuesFrom :A . :R2 owl:onProperty :p ; owl:someValuesFrom :B . "
                 ":A rdfs:subClassOf :B .", ("R1", SCO, "R2")),
    ("scm-svf2", ":R1 owl:onProperty :p ; owl:someValuesFrom :A . :R2 owl:onProperty :q ; owl:someValuesFrom :A . "
                 ":p rdfs:subPropertyOf :q .", ("R1", SCO, "R2")),
    ("scm-avf1", ":R1 owl:onProperty :p ; owl:allValuesFrom :A . :R2 owl:onProperty :p ; owl:allValuesFrom :B . "
                 ":A rdfs:subClassOf :B .", ("R1", SCO, "R2")),
    ("scm-avf2", ":R1 owl:onProperty :p ; owl:allValuesFrom :A . :R2 owl:onProperty :q ; owl:allValuesFrom :A . "
                 ":p rdfs:subPropertyOf :q .", ("R2", SCO, "R1")),
]


def load(tmp_path: Path, text: str) -> KnowledgeGraph:
    ontology, empty = tmp_path / "o.ttl", tmp_path / "empty.ttl"
    ontology.write_text(PREFIXES + text, encoding="utf-8")
    empty.write_text("", encoding="utf-8")
    return KnowledgeGraph.load(Settings(ontology_files=(ontology,), data_files=(empty,), cache_dir=tmp_path / "c",
                                        reasoner="fast", reasoner_threshold=0, storage="memory"))


def term(name: str) -> ox.NamedNode:
    return ox.NamedNode(name if ":" in name else T + name)


def holds(kg: KnowledgeGraph, s: object, p: object, o: object) -> bool:
    return next(iter(kg.store.quads_for_pattern(s, p, o, None)), None) is not None


def assert_well_founded(kg: KnowledgeGraph, triple: tuple[object, object, object], why: Explanation) -> None:
    """Every premise holds; an inferred one is explained in turn, down to asserted triples, never coming back."""
    path = {triple}
    todo = [(why, path)]
    while todo:
        explanation, above = todo.pop()
        for p in explanation.premises:
            premise = (p.subject, p.predicate, p.object)
            assert holds(kg, *premise), (explanation.rule, premise)
            assert p.inferred == kg.is_inferred(*premise), premise
            if p.inferred:
                assert premise not in above, ("why goes round", premise)
                deeper = explain(kg, *premise)
                assert deeper is not None, premise
                todo.append((deeper, above | {premise}))


@pytest.mark.parametrize(("rule", "text", "conclusion"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_is_named(tmp_path: Path, rule: str, text: str, conclusion: tuple[str, str, str]) -> None:
    kg = load(tmp_path, text)
    triple = tuple(term(x) for x in conclusion)
    assert kg.is_inferred(*triple), triple
    why = explain(kg, *triple)
    assert why is not None and why.rule == rule, (triple, why)
    assert why.premises
    assert_well_founded(kg, triple, why)


@pytest.mark.parametrize("links", [3, 4])
def test_a_longer_chain_names_every_link(tmp_path: Path, links: int) -> None:
    names = "abcd"[:links]
    chain = " ".join(f":{n}" for n in names)
    data = " ".join(f":x{i} :{n} :x{i + 1} ." for i, n in enumerate(names))
    kg = load(tmp_path, f":h owl:propertyChainAxiom ( {chain} ) . {data}")
    triple = term("x0"), term("h"), term(f"x{links}")
    why = explain(kg, *triple)
    assert why is not None and why.rule == "prp-spo2"
    assert [(p.subject, p.predicate, p.object) for p in why.premises[1:]] == [
        (term(f"x{i}"), term(n), term(f"x{i + 1}")) for i, n in enumerate(names)]
    assert why.premises[0].predicate == term(OWL + "propertyChainAxiom")
    assert_well_founded(kg, triple, why)


def test_equality_from_a_key_and_what_follows(tmp_path: Path) -> None:
    """Two members of a keyed class with the same values for both key properties are the same (prp-key); what is
    said of one then holds of the other (eq-rep-s), and why is followed down to the asserted facts."""
    kg = load(tmp_path, ":C owl:hasKey ( :k1 :k2 ) . :D rdfs:subClassOf :C . :a a :D ; :k1 :v1 ; :k2 :v2 . "
                        ":b a :C ; :k1 :v1 ; :k2 :v2 . :c a :C ; :k1 :v1 ; :k2 :other . :a :knows :z .")
    same = term("a"), term(SAME), term("b")
    why = explain(kg, *same)
    assert why is not None and why.rule == "prp-key"
    assert {(p.subject, p.predicate, p.object) for p in why.premises[3:]} == {
        (term(x), term(k), term(v)) for x in "ab" for k, v in (("k1", "v1"), ("k2", "v2"))}
    assert_well_founded(kg, same, why)
    assert not kg.is_inferred(term("a"), term(SAME), term("c")) and not holds(kg, term("a"), term(SAME), term("c"))
    rewritten = term("b"), term("knows"), term("z")
    why = explain(kg, *rewritten)
    assert why is not None and why.rule == "eq-rep-s"
    assert_well_founded(kg, rewritten, why)
