"""An entity described for a page or as RDF: its facts with sources, its claims, its incoming links.

Facts are the entity's triples (asserted, plus inferred unless `infer=False`), grouped by property; each carries
the statement nodes that give its source and quote (footnote-style on the page) and, when inferred, the rule and
premises that produced it. Claims (statements with a status other than hk:Asserted) are listed apart: they are
never facts. Properties of the standard vocabularies the ontology aligns to are grouped separately.

What a page needs beyond the entity's own triples is asked for together before the page is put together (its
statements, the explanations of all its inferred facts, the labels of every IRI it shows): over a remote SPARQL
server that is a handful of requests whatever the number of facts; in memory it costs next to nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from service.features.nodes import Node, graph_of, iri_node, node, prefetch_labels
from service.provenance.explain import Explanation, explain_many
from service.provenance.statements import StatementNode, index
from service.rdf.namespaces import HK, RDF_TYPE, RDFS_COMMENT, RDFS_LABEL, SKOS_ALT_LABEL
from service.store.graph import KnowledgeGraph

HEADER_PREDICATES = frozenset({RDF_TYPE, RDFS_LABEL, RDFS_COMMENT, SKOS_ALT_LABEL})
INCOMING_PAGE_SIZE = 25
Key = tuple[Any, Any, Any]
Explanations = dict[Key, Explanation | None]


@dataclass
class Source:
    """A statement node seen as a footnote: where a fact comes from and the words that support it."""
    number: int
    statement: Node
    sources: list[Node]
    relays: list[Node]
    quote: str | None
    comment: str | None


@dataclass
class Premise:
    subject: Node
    predicate: Node
    object: Node
    inferred: bool
    sources: list[Source] = field(default_factory=list)


@dataclass
class Why:
    rule: str
    description: str
    premises: list[Premise]


@dataclass
class Fact:
    object: Node
    inferred: bool
    sources: list[Source] = field(default_factory=list)
    why: Why | None = None


@dataclass
class Group:
    predicate: Node
    facts: list[Fact]
    total: int = 0

    @property
    def inferred_count(self) -> int:
        return sum(1 for f in self.facts if f.inferred)


@dataclass
class Claim:
    statement: Node
    subject: Node
    predicate: Node
    object: Node
    status: Node | None
    claimants: list[Node]
    assessment: str | None
    quote: str | None
    sources: list[Node]
    relays: list[Node]
    comment: str | None


@dataclass
class Entity:
    iri: str
    label: str
    node: Node
    types: list[Fact]
    description: str | None
    alt_labels: list[str]
    facts: list[Group]
    aligned: list[Group]
    claims: list[Claim]
    incoming: list[Group]
    footnotes: list[Source]
    incoming_page: int = 1
    incoming_pages: int = 1


class _Footnotes:
    """Numbers statement nodes in order of first use; the same statement keeps its number."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.by_iri: dict[str, Source] = {}

    def cite(self, statements: list[StatementNode]) -> list[Source]:
        out = []
        for st in statements:
            if st.is_claim:
                continue
            if st.iri not in self.by_iri:
                self.by_iri[st.iri] = Source(
                    len(self.by_iri) + 1, iri_node(self.kg, st.iri), [iri_node(self.kg, s) for s in st.sources],
                    [iri_node(self.kg, r) for r in st.relays], st.quote, st.comment)
            out.append(self.by_iri[st.iri])
        return out

    @property
    def all(self) -> list[Source]:
        return sorted(self.by_iri.values(), key=lambda s: s.number)


def exists(kg: KnowledgeGraph, iri: str) -> bool:
    try:
        term = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all (a path with a quote or a space): nothing is said about it
        return False
    return next(iter(kg.triples(term)), None) is not None or next(
        iter(kg.triples(None, None, term)), None) is not None


def _split(kg: KnowledgeGraph, quads: Any, infer: bool) -> dict[ox.Triple, bool]:
    """Distinct triples of the given quads, each with whether it is inferred only."""
    inferred_graph = kg.graphs.inferred
    seen: dict[ox.Triple, bool] = {}
    for quad in quads:
        is_inferred = graph_of(quad) == inferred_graph
        if is_inferred and not infer:
            continue
        seen[quad.triple] = seen.get(quad.triple, True) and is_inferred
    return seen


def describe(kg: KnowledgeGraph, iri: str, *, infer: bool = True, incoming_page: int = 1) -> Entity | None:
    """Everything a page shows about `iri`, or None when the graph does not mention it."""
    if not exists(kg, iri):
        return None
    subject = ox.NamedNode(iri)
    outgoing = _split(kg, kg.triples(subject), infer)
    linking = _split(kg, (q for q in kg.triples(None, None, subject) if graph_of(q) != kg.graphs.statements), infer)
    explanations = _prefetch(kg, iri, outgoing, linking)
    notes = _Footnotes(kg)
    types = [_fact(kg, t, inferred, notes, explanations) for t, inferred in outgoing.items()
             if t.predicate.value == RDF_TYPE]
    types.sort(key=lambda f: (f.inferred, not f.object.value.startswith(HK), f.object.label.lower(), f.object.value))
    facts, aligned = _groups(kg, {t: i for t, i in outgoing.items() if t.predicate.value not in HEADER_PREDICATES},
                             notes, explanations)
    incoming, pages = _incoming(kg, linking, incoming_page)
    alt = sorted({t.object.value for t in outgoing
                  if t.predicate.value == SKOS_ALT_LABEL and isinstance(t.object, ox.Literal)})
    # Ties broken by value throughout, so pages do not depend on the order a store lists quads in.
    comment = min((t.object for t in outgoing if t.predicate.value == RDFS_COMMENT
                   and isinstance(t.object, ox.Literal)), key=lambda c: c.value, default=None)
    _renumber([*types, *(f for g in [*facts, *aligned] for f in g.facts)])
    return Entity(iri, iri_node(kg, iri).label, iri_node(kg, iri), types,
                  comment.value if comment is not None else None, alt, facts, aligned,
                  claims_about(kg, iri), incoming, notes.all, max(1, min(incoming_page, pages)), pages)


def _prefetch(kg: KnowledgeGraph, iri: str, outgoing: dict[ox.Triple, bool], linking: dict[ox.Triple, bool]
              ) -> Explanations:
    """Ask for what the page will look up, together: the statements about the entity, the explanations of its
    inferred facts (one query per derivation height), the statements of their premises, then every label."""
    statements = index(kg)
    statements.prefetch(about=iri)
    explanations = explain_many(kg, [(t.subject, t.predicate, t.object) for t, inferred in outgoing.items()
                                     if inferred])
    premises = [(p.subject, p.predicate, p.object) for e in explanations.values() if e for p in e.premises]
    statements.prefetch(triples=premises)
    prefetch_labels(kg, _shown(kg, iri, [*outgoing, *linking], premises))
    return explanations


def _shown(kg: KnowledgeGraph, iri: str, triples: list[ox.Triple], premises: list[Key]) -> Iterator[str]:
    """The IRIs a page may show: its triples' and its premises' terms, and those of the statements about them.
    Lazy: in memory, where every label is at hand, nobody asks."""
    statements = index(kg)
    yield iri
    for terms in [*((t.subject, t.predicate, t.object) for t in triples), *premises]:
        yield from (t.value for t in terms if isinstance(t, ox.NamedNode))
    for st in [*statements.about(iri), *(st for key in premises for st in statements.for_triple(*key))]:
        yield from st.iris()


def _renumber(facts: list[Fact]) -> None:
    """Footnotes numbered in the order the page shows them (a fact's own sources, then its premises')."""
    seen: dict[int, Source] = {}
    for fact in facts:
        cited = [*fact.sources, *(s for p in (fact.why.premises if fact.why else []) for s in p.sources)]
        for source in cited:
            if id(source) not in seen:
                seen[id(source)] = source
    for number, source in enumerate(seen.values(), start=1):
        source.number = number


def _groups(kg: KnowledgeGraph, triples: dict[ox.Triple, bool], notes: _Footnotes, explanations: Explanations
            ) -> tuple[list[Group], list[Group]]:
    by_predicate: dict[str, list[Fact]] = defaultdict(list)
    for triple, inferred in triples.items():
        by_predicate[triple.predicate.value].append(_fact(kg, triple, inferred, notes, explanations))
    local: list[Group] = []
    aligned: list[Group] = []
    for predicate, facts in by_predicate.items():
        facts.sort(key=lambda f: (f.inferred, f.object.label.lower(), f.object.value))
        group = Group(iri_node(kg, predicate), facts, len(facts))
        (local if predicate.startswith(HK) or not all(f.inferred for f in facts) else aligned).append(group)
    local.sort(key=lambda g: (g.inferred_count == len(g.facts), g.predicate.label.lower(), g.predicate.value))
    aligned.sort(key=lambda g: g.predicate.short)
    return local, aligned


def _fact(kg: KnowledgeGraph, triple: ox.Triple, inferred: bool, notes: _Footnotes, explanations: Explanations
          ) -> Fact:
    statements = index(kg).for_triple(triple.subject, triple.predicate, triple.object)
    fact = Fact(node(kg, triple.object), inferred, notes.cite(statements))
    if inferred:
        fact.why = why(kg, explanations.get((triple.subject, triple.predicate, triple.object)), notes)
    return fact


def why(kg: KnowledgeGraph, explanation: Explanation | None, notes: _Footnotes | None = None) -> Why | None:
    if explanation is None:
        return None
    premises = []
    for p in explanation.premises:
        cited = index(kg).for_triple(p.subject, p.predicate, p.object)
        premises.append(Premise(node(kg, p.subject), node(kg, p.predicate), node(kg, p.object), p.inferred,
                                notes.cite(cited) if notes is not None else []))
    return Why(explanation.rule, explanation.description, premises)


def _incoming(kg: KnowledgeGraph, linking: dict[ox.Triple, bool], page: int) -> tuple[list[Group], int]:
    """Links to the entity from other entities (not from statement nodes), grouped by property, paged."""
    by_predicate: dict[str, list[Fact]] = defaultdict(list)
    for triple, inferred in linking.items():
        by_predicate[triple.predicate.value].append(Fact(node(kg, triple.subject), inferred))
    groups, pages = [], 1
    start = (max(page, 1) - 1) * INCOMING_PAGE_SIZE
    for predicate, facts in by_predicate.items():
        facts.sort(key=lambda f: (f.inferred, f.object.label.lower(), f.object.value))
        pages = max(pages, -(-len(facts) // INCOMING_PAGE_SIZE))
        groups.append(Group(iri_node(kg, predicate), facts[start:start + INCOMING_PAGE_SIZE], len(facts)))
    groups.sort(key=lambda g: (not g.predicate.value.startswith(HK), g.predicate.label.lower(), g.predicate.value))
    return groups, pages


def claims_about(kg: KnowledgeGraph, iri: str) -> list[Claim]:
    claims = []
    for st in index(kg).claims_about(iri):
        claims.append(Claim(
            iri_node(kg, st.iri), node(kg, st.subject), node(kg, st.predicate), node(kg, st.object),
            iri_node(kg, st.status) if st.status else None, [iri_node(kg, c) for c in st.claimants],
            st.assessment, st.quote, [iri_node(kg, s) for s in st.sources], [iri_node(kg, r) for r in st.relays],
            st.comment))
    return claims


# --- RDF ----------------------------------------------------------------------------------------------------------
def rdf_triples(kg: KnowledgeGraph, iri: str, *, infer: bool = True) -> list[ox.Triple]:
    """The entity's triples, the statement nodes about them (with theirs), and labels of what it links to."""
    subject = ox.NamedNode(iri)
    out = dict.fromkeys(_split(kg, kg.triples(subject), infer))
    linked: set[Any] = {t.object for t in out if isinstance(t.object, ox.NamedNode)}
    statements = index(kg).about(iri)
    out.update(dict.fromkeys(q.triple for q in _quads_of(kg, [ox.NamedNode(st.iri) for st in statements])))
    linked.update(term for st in statements for term in (st.subject, st.object) if isinstance(term, ox.NamedNode))
    incoming = (q for q in kg.triples(None, None, subject) if graph_of(q) != kg.graphs.statements)
    for triple in _split(kg, incoming, infer):
        out[triple] = None
        linked.add(triple.subject)
    out.update(dict.fromkeys(q.triple for q in _quads_of(kg, linked - {subject}, ox.NamedNode(RDFS_LABEL))))
    return list(out)


def _quads_of(kg: KnowledgeGraph, subjects: Iterable[Any], predicate: ox.NamedNode | None = None) -> list[ox.Quad]:
    """The quads of many subjects (with `predicate`, if given): one request over a remote store, not one each."""
    return kg.quads_for_subjects(subjects, predicate)
