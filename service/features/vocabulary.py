"""The ontology documented: every local class and property with its label, comment, hierarchy, domain and range,
inverse, characteristics, chains and alignment to standard vocabularies; each class with its members.

Read from the ontology graph (asserted axioms only), so the page says what the ontology states; members come from
the data, asserted and inferred.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.features.nodes import Node, graph_of, iri_node, node
from service.rdf.namespaces import HK, OWL, RDF, RDF_TYPE, RDFS, RDFS_COMMENT
from service.store.graph import KnowledgeGraph

PROPERTY_KINDS = {OWL + "ObjectProperty": "object property", OWL + "DatatypeProperty": "datatype property",
                  OWL + "AnnotationProperty": "annotation property"}
CHARACTERISTICS = {OWL + "TransitiveProperty": "transitive", OWL + "SymmetricProperty": "symmetric",
                   OWL + "AsymmetricProperty": "asymmetric", OWL + "ReflexiveProperty": "reflexive",
                   OWL + "IrreflexiveProperty": "irreflexive", OWL + "FunctionalProperty": "functional",
                   OWL + "InverseFunctionalProperty": "inverse functional"}


@dataclass
class Term:
    node: Node
    local: str
    comment: str | None
    kind: str
    parents: list[Node] = field(default_factory=list)      # local super-classes / super-properties
    children: list[Node] = field(default_factory=list)
    alignment: list[Node] = field(default_factory=list)    # external super-terms and equivalents
    disjoint: list[Node] = field(default_factory=list)
    domain: list[Node] = field(default_factory=list)
    range: list[Node] = field(default_factory=list)
    inverse: list[Node] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    chains: list[list[Node]] = field(default_factory=list)
    asserted_members: int = 0
    inferred_members: int = 0


@dataclass
class Vocabulary:
    iri: str
    title: str
    comment: str | None
    classes: list[Term]
    properties: list[Term]
    individuals: list[Term]


def _objects(kg: KnowledgeGraph, subject: Any, predicate: str) -> list[Any]:
    return [q.object for q in kg.triples(subject, ox.NamedNode(predicate), None, graph=kg.graphs.ontology)]


def _subjects(kg: KnowledgeGraph, predicate: str, obj: Any) -> list[Any]:
    return [q.subject for q in kg.triples(None, ox.NamedNode(predicate), obj, graph=kg.graphs.ontology)]


def _nodes(kg: KnowledgeGraph, terms: list[Any]) -> list[Node]:
    return sorted((node(kg, t) for t in dict.fromkeys(terms) if isinstance(t, ox.NamedNode)),
                  key=lambda n: n.label.lower())


@lru_cache(maxsize=8)
def vocabulary(kg: KnowledgeGraph) -> Vocabulary:
    terms = {q.subject.value for q in kg.triples(None, ox.NamedNode(RDF_TYPE), None, graph=kg.graphs.ontology)
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(HK)}
    built = [_term(kg, iri) for iri in sorted(terms)]
    ontology = HK.rstrip("#")
    comment = [c.value for c in _objects(kg, ox.NamedNode(ontology), RDFS_COMMENT) if isinstance(c, ox.Literal)]
    return Vocabulary(ontology, iri_node(kg, ontology).label, comment[0] if comment else None,
                      [t for t in built if t.kind == "class"],
                      [t for t in built if t.kind in PROPERTY_KINDS.values()],
                      [t for t in built if t.kind == "individual"])


def _kind(types: set[str]) -> str:
    if OWL + "Class" in types or RDFS + "Class" in types:
        return "class"
    for iri, name in PROPERTY_KINDS.items():
        if iri in types:
            return name
    return "individual"


def _term(kg: KnowledgeGraph, iri: str) -> Term:
    subject = ox.NamedNode(iri)
    types = {t.value for t in _objects(kg, subject, RDF_TYPE) if isinstance(t, ox.NamedNode)}
    comments = [c.value for c in _objects(kg, subject, RDFS_COMMENT) if isinstance(c, ox.Literal)]
    kind = _kind(types)
    term = Term(iri_node(kg, iri), iri[len(HK):], comments[0] if comments else None, kind)
    sub = RDFS + ("subClassOf" if kind == "class" else "subPropertyOf")
    equivalent = OWL + ("equivalentClass" if kind == "class" else "equivalentProperty")
    supers = _objects(kg, subject, sub)
    term.parents = _nodes(kg, [s for s in supers if s.value.startswith(HK)])
    term.alignment = _nodes(kg, [s for s in [*supers, *_objects(kg, subject, equivalent)]
                                 if not s.value.startswith(HK)])
    term.children = _nodes(kg, [s for s in _subjects(kg, sub, subject) if s.value.startswith(HK)])
    if kind == "class":
        term.disjoint = _nodes(kg, [*_objects(kg, subject, OWL + "disjointWith"),
                                    *_subjects(kg, OWL + "disjointWith", subject)])
        term.asserted_members, term.inferred_members = _member_counts(kg, subject)
    elif kind != "individual":
        _property_details(kg, term, subject, types)
    else:
        term.parents = _nodes(kg, [t for t in _objects(kg, subject, RDF_TYPE) if t.value.startswith(HK)])
    return term


def _property_details(kg: KnowledgeGraph, term: Term, subject: ox.NamedNode, types: set[str]) -> None:
    term.domain = _nodes(kg, _objects(kg, subject, RDFS + "domain"))
    term.range = _nodes(kg, _objects(kg, subject, RDFS + "range"))
    term.inverse = _nodes(kg, [*_objects(kg, subject, OWL + "inverseOf"), *_subjects(kg, OWL + "inverseOf", subject)])
    term.characteristics = sorted(name for iri, name in CHARACTERISTICS.items() if iri in types)
    term.chains = [[node(kg, t) for t in chain] for chain in _chains(kg, subject)]


_CHAINS = """SELECT ?chain ?member (COUNT(?before) AS ?position) WHERE {{
  <{property}> <{OWL}propertyChainAxiom> ?chain .
  ?chain <{RDF}rest>* ?before . ?before <{RDF}rest>* ?cell . ?cell <{RDF}first> ?member .
}} GROUP BY ?chain ?cell ?member ORDER BY ?chain ?position"""  # an IRI from the store: it cannot hold a ">"


def _chains(kg: KnowledgeGraph, subject: ox.NamedNode) -> list[list[Any]]:
    """The property's chains, each in list order, in one query: walking the RDF list cell by cell would need the
    list's blank nodes to keep their identity between requests, which a remote store's answers do not give."""
    chains: dict[Any, list[Any]] = {}
    for row in kg.query(_CHAINS.format(property=subject.value, OWL=OWL, RDF=RDF)):
        chains.setdefault(row["chain"], []).append(row["member"])
    return list(chains.values())


def members(kg: KnowledgeGraph, class_iri: str) -> list[tuple[Node, bool]]:
    """Instances of a class: (entity, inferred), asserted first, each group by label."""
    asserted: set[str] = set()
    inferred: set[str] = set()
    for quad in kg.triples(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(class_iri)):
        if isinstance(quad.subject, ox.NamedNode):
            is_inferred = graph_of(quad) == kg.graphs.inferred
            (inferred if is_inferred else asserted).add(quad.subject.value)
    out = [(iri_node(kg, i), False) for i in asserted] + [(iri_node(kg, i), True) for i in inferred - asserted]
    return sorted(out, key=lambda m: (m[1], m[0].label.lower()))


def _member_counts(kg: KnowledgeGraph, subject: ox.NamedNode) -> tuple[int, int]:
    found = members(kg, subject.value)
    inferred = sum(1 for _, i in found if i)
    return len(found) - inferred, inferred


def term_of(kg: KnowledgeGraph, local: str) -> Term | None:
    vocab = vocabulary(kg)
    return next((t for t in [*vocab.classes, *vocab.properties, *vocab.individuals] if t.local == local), None)


def triples(kg: KnowledgeGraph) -> list[ox.Triple]:
    """The ontology as RDF: the ontology graph (the ontology and its alignment)."""
    return list(dict.fromkeys(q.triple for q in kg.triples(graph=kg.graphs.ontology)))
