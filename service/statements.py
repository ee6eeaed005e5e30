"""The statement nodes: the provenance of each fact (source, quote, relayed work) and the claims kept apart.

Indexed once per loaded graph by the reified triple (rdf:subject, rdf:predicate, rdf:object) and by the entities
a statement is about, so pages look provenance up without a query per fact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.namespaces import HK, RDF, RDFS_COMMENT
from service.store import KnowledgeGraph

ASSERTED = HK + "Asserted"
Key = tuple[Any, Any, Any]


@dataclass
class StatementNode:
    iri: str
    subject: Any = None
    predicate: Any = None
    object: Any = None
    status: str | None = None
    sources: list[str] = field(default_factory=list)
    relays: list[str] = field(default_factory=list)
    claimants: list[str] = field(default_factory=list)
    quote: str | None = None
    assessment: str | None = None
    comment: str | None = None

    @property
    def is_claim(self) -> bool:
        """Attributed, disputed or hedged: not a fact."""
        return self.status is not None and self.status != ASSERTED


_FIELDS = {RDF + "subject": "subject", RDF + "predicate": "predicate", RDF + "object": "object"}
_LISTS = {HK + "source": "sources", HK + "relays": "relays", HK + "claimant": "claimants"}
_TEXTS = {HK + "quote": "quote", HK + "assessment": "assessment", RDFS_COMMENT: "comment"}


@dataclass
class StatementIndex:
    by_triple: dict[Key, list[StatementNode]]
    by_entity: dict[str, list[StatementNode]]
    by_iri: dict[str, StatementNode]

    def for_triple(self, s: Any, p: Any, o: Any) -> list[StatementNode]:
        return self.by_triple.get((s, p, o), [])

    def claims_about(self, iri: str) -> list[StatementNode]:
        return [st for st in self.by_entity.get(iri, []) if st.is_claim]


@lru_cache(maxsize=8)
def index(kg: KnowledgeGraph) -> StatementIndex:
    nodes: dict[str, StatementNode] = {}
    for quad in kg.triples(None, ox.NamedNode(RDF + "subject"), None):
        if isinstance(quad.subject, ox.NamedNode | ox.BlankNode) and quad.subject.value not in nodes:
            nodes[quad.subject.value] = _read(kg, quad.subject)
    by_triple: dict[Key, list[StatementNode]] = defaultdict(list)
    by_entity: dict[str, list[StatementNode]] = defaultdict(list)
    for st in sorted(nodes.values(), key=lambda n: n.iri):
        by_triple[(st.subject, st.predicate, st.object)].append(st)
        for term in (st.subject, st.object):
            if isinstance(term, ox.NamedNode):
                by_entity[term.value].append(st)
    return StatementIndex(dict(by_triple), dict(by_entity), nodes)


def _read(kg: KnowledgeGraph, subject: Any) -> StatementNode:
    st = StatementNode(subject.value)
    for quad in kg.triples(subject):
        predicate, value = quad.predicate.value, quad.object
        if predicate in _FIELDS:
            setattr(st, _FIELDS[predicate], value)
        elif predicate == HK + "status" and isinstance(value, ox.NamedNode):
            st.status = value.value
        elif predicate in _LISTS and isinstance(value, ox.NamedNode):
            items: list[str] = getattr(st, _LISTS[predicate])
            if value.value not in items:
                items.append(value.value)
        elif predicate in _TEXTS and isinstance(value, ox.Literal):
            setattr(st, _TEXTS[predicate], value.value)
    return st
