"""A reader for a source: its quoted passages in the order of the text (hk:quoteOffset), each with the facts and
claims it supports, as sentences linking to the entities, coloured by status on the page. It shows the passages the
data quotes, never the whole text (the service does not have it), and links to the original where the data gives
its URL, and to the passages as Web Annotations (service.features.sources.annotations).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from service.features.entities.presentation import presentation
from service.features.entities.sentences import Part, proposition, sentence
from service.features.nodes import Node, iri_node, node, prefetch_labels
from service.features.sources.annotations import of_source, source_url
from service.provenance.statements import ASSERTED
from service.rdf.namespaces import HK
from service.store.graph import KnowledgeGraph

SOURCE = HK + "source"
STATUS_CLASS = {HK + "Asserted": "asserted", HK + "Claim": "claim", HK + "Disputed": "disputed",
                HK + "Hedged": "hedged"}


@dataclass
class Supported:
    statement: Node
    status: Node
    status_class: str      # asserted, claim, disputed, hedged (or "other"): the page's colour
    sentence: list[Part]
    assessment: str | None
    relays: list[Node]


@dataclass
class Passage:
    number: int
    offset: int | None
    quote: str
    supports: list[Supported] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"passage-{self.number}"


@dataclass
class Reader:
    source: Node
    name: str
    url: str | None
    passages: list[Passage]

    @property
    def statement_count(self) -> int:
        return sum(len(p.supports) for p in self.passages)

    def count(self, status_class: str) -> int:
        return sum(1 for p in self.passages for s in p.supports if s.status_class == status_class)


def quoted(kg: KnowledgeGraph, source: str) -> bool:
    """Whether some statement quotes `source` (it has a reader). Asked about this source only: its incoming
    triples first (an entity page has asked for them already, so over a remote store that is no new request; most
    entities are cited by nothing), then whether one of the statements citing it has a quote."""
    try:
        term = ox.NamedNode(source)
    except ValueError:  # not an IRI (a reader's URL may carry anything): nothing quotes it
        return False
    if not any(q.predicate.value == SOURCE for q in kg.triples(None, None, term)):
        return False
    return bool(kg.query(f"ASK {{ ?st <{SOURCE}> <{source}> ; <{HK}quote> ?q }}", infer=False))


def read(kg: KnowledgeGraph, source: str, name: str) -> Reader | None:
    """The reader of `source`, or None when no statement quotes it."""
    found = [(st, anchor) for st, anchor in of_source(kg, source) if st.quote]
    if not found:
        return None
    prefetch_labels(kg, [source, *(iri for st, _ in found for iri in st.iris())])
    phrases = presentation(kg).phrase
    passages: dict[tuple[int | None, str], Passage] = {}
    for st, anchor in found:
        assert st.quote is not None
        key = (anchor.offset, st.quote)
        if key not in passages:
            passages[key] = Passage(len(passages) + 1, anchor.offset, st.quote)
        subject, predicate, obj = node(kg, st.subject), node(kg, st.predicate), node(kg, st.object)
        status = st.status or ASSERTED
        claimants = [iri_node(kg, c) for c in st.claimants]
        passages[key].supports.append(Supported(
            iri_node(kg, st.iri), iri_node(kg, status), STATUS_CLASS.get(status, "other"),
            # a fact reads as itself ("X was written by Y"); a claim says who claims it and how
            proposition(subject, predicate, obj, phrases.get(predicate.value)) if status == ASSERTED else
            sentence(claimants, status, subject, predicate, obj, phrases.get(predicate.value)), st.assessment,
            [iri_node(kg, r) for r in st.relays]))
    for passage in passages.values():  # facts first, then claims, each in IRI order (already)
        passage.supports.sort(key=lambda s: s.status_class != "asserted")
    return Reader(node(kg, ox.NamedNode(source)), name, source_url(kg, source), list(passages.values()))
