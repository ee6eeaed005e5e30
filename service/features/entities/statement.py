"""Statements read as sentences: the claims an entity page lists, and a statement node's own page (the statement
as a sentence, its status, its quote and source, the source's assessment, links to what it is about). Its RDF
stays one click away (the same representations as any entity)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from service.features.entities.presentation import presentation
from service.features.entities.references import Notes, Reference
from service.features.entities.sentences import Part, sentence
from service.features.nodes import Node, iri_node, node, prefetch_labels
from service.provenance.statements import ASSERTED, StatementNode, index
from service.rdf.namespaces import HK, RDF, RDFS_COMMENT
from service.store.graph import KnowledgeGraph

READ = {RDF + "subject", RDF + "predicate", RDF + "object", RDF + "type"}  # shown in the sentence or its heading


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
    sources: list[Reference]
    relays: list[Reference]
    comment: str | None
    sentence: list[Part] = field(default_factory=list)


@dataclass
class StatementPage:
    iri: str
    node: Node
    subject: Node
    predicate: Node
    object: Node
    status: Node | None
    is_claim: bool
    accepted: bool                # the triple is a plain fact of the graph
    claimants: list[Node]
    sentence: list[Part]
    quote: str | None
    sources: list[Reference]
    relays: list[Reference]
    assessment: str | None
    comment: str | None
    types: list[Node] = field(default_factory=list)
    other: list[tuple[Node, Node]] = field(default_factory=list)  # the node's other triples, nothing left out
    context: QuoteContext | None = None


@dataclass(frozen=True)
class QuoteContext:
    """Where the quote stands in its source: the words around it (hk:quotePrefix / hk:quoteSuffix, what Web
    Annotation selectors anchor with) and its offset in characters (hk:quoteOffset), shown to a reader in words."""

    before: str
    after: str
    offset: int | None


CONTEXT = {HK + "quotePrefix", HK + "quoteSuffix", HK + "quoteOffset"}


def _context(quads: list[ox.Quad]) -> QuoteContext | None:
    found = {q.predicate.value: q.object.value for q in quads
             if q.predicate.value in CONTEXT and isinstance(q.object, ox.Literal)}
    if not found:
        return None
    offset = found.get(HK + "quoteOffset")
    return QuoteContext(found.get(HK + "quotePrefix", ""), found.get(HK + "quoteSuffix", ""),
                        int(offset) if offset is not None and offset.isdigit() else None)


def describe(kg: KnowledgeGraph, iri: str) -> StatementPage | None:
    """The page of `iri` if it is a statement node (it has an rdf:subject), else None."""
    quads = list(kg.triples(ox.NamedNode(iri)))
    subjects = [q.object for q in quads if q.predicate.value == RDF + "subject" and isinstance(q.object, ox.NamedNode)]
    st = next((s for about in sorted(subjects, key=lambda t: t.value) for s in index(kg).about(about.value)
               if s.iri == iri), None)
    if st is None:
        return None
    sources = [*st.sources, *st.relays]
    source_quads = kg.quads_for_subjects([ox.NamedNode(s) for s in sources]) if sources else []
    prefetch_labels(kg, [*st.iris(), *(q.predicate.value for q in quads),
                         *(q.object.value for q in [*quads, *source_quads] if isinstance(q.object, ox.NamedNode))])
    return _page(kg, st, quads, Notes(kg, source_quads))


def _page(kg: KnowledgeGraph, st: StatementNode, quads: list[ox.Quad], notes: Notes) -> StatementPage:
    subject, predicate, obj = node(kg, st.subject), node(kg, st.predicate), node(kg, st.object)
    claimants = [iri_node(kg, c) for c in st.claimants]
    context = _context(quads)
    other = sorted({(node(kg, q.predicate), node(kg, q.object)) for q in quads if q.predicate.value not in READ
                    and not _in_sentence(q, st) and not (context and q.predicate.value in CONTEXT)},
                   key=lambda po: (po[0].label.lower(), po[1].label))
    # A plain fact: the triple itself is asserted in a graph other than the statements' (and is not only inferred).
    accepted = not st.is_claim and any(
        q.graph_name.value not in (kg.graphs.statements, kg.graphs.inferred)
        for q in kg.triples(st.subject, st.predicate, st.object) if isinstance(q.graph_name, ox.NamedNode))
    return StatementPage(
        st.iri, iri_node(kg, st.iri), subject, predicate, obj, iri_node(kg, st.status) if st.status else None,
        st.is_claim, accepted, claimants,
        sentence(claimants, st.status or ASSERTED, subject, predicate, obj,
                 presentation(kg).phrase.get(predicate.value)),
        st.quote, [notes.reference(s) for s in st.sources], [notes.reference(r) for r in st.relays], st.assessment,
        st.comment, [node(kg, q.object) for q in quads if q.predicate.value == RDF + "type"], other, context)


def _in_sentence(quad: ox.Quad, st: StatementNode) -> bool:
    """Whether the page already shows this triple of the statement node (source, claimant, quote, status...)."""
    shown: dict[str, list[str | None]] = {
        HK + "source": [*st.sources], HK + "relays": [*st.relays], HK + "claimant": [*st.claimants],
        HK + "quote": [st.quote], HK + "assessment": [st.assessment], RDFS_COMMENT: [st.comment],
        HK + "status": [st.status]}
    return isinstance(quad.object, ox.NamedNode | ox.Literal) and quad.object.value in shown.get(
        quad.predicate.value, [])


def claims_about(kg: KnowledgeGraph, iri: str, notes: Notes | None = None) -> list[Claim]:
    references = notes if notes is not None else Notes(kg)
    show = presentation(kg)
    claims = []
    for st in index(kg).claims_about(iri):
        subject, predicate, obj = node(kg, st.subject), node(kg, st.predicate), node(kg, st.object)
        claimants = [iri_node(kg, c) for c in st.claimants]
        claims.append(Claim(
            iri_node(kg, st.iri), subject, predicate, obj, iri_node(kg, st.status) if st.status else None,
            claimants, st.assessment, st.quote, [references.reference(s) for s in st.sources],
            [references.reference(r) for r in st.relays], st.comment,
            sentence(claimants, st.status, subject, predicate, obj, show.phrase.get(predicate.value))))
    return claims
