"""Dated events in order: when (with the precision the source allows), where, who, and from which source.

Order: by date; on the same date, what is only bounded above ("before 6 September") comes first, then events of
that day, then what is only known to come after it; within those, the narrative order of hk:followedBy and then
the label. Vague dates stay vague: the human-readable form is shown, never an invented day. Places and participants
are listed property by property (hk:place, hk:origin, hk:destination; people, then aircraft), each by label and IRI.

Read in two queries, whatever the number of events: every event with its time-span's bounds and its links (one
SELECT; over a remote store the labels of everything shown come with it), and the statements of the time-spans
(their sources and quotes). Both store modes read the events with the same query and order them the same way, so
they give the same timeline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.features.nodes import Node, iri_node, remember_labels
from service.provenance.statements import Key, StatementNode, index
from service.rdf.namespaces import HK, RDF, RDFS_LABEL, SKOS
from service.store.graph import KnowledgeGraph

TIME_SPAN = HK + "timeSpan"
PLACE_PREDICATES = (HK + "place", HK + "origin", HK + "destination")
OTHER_PLACE = HK + "involvedPlace"  # shown only when an event has none of PLACE_PREDICATES
PARTICIPANT_PREDICATES = (HK + "participant", HK + "aircraftInvolved")
PARENT = HK + "subEventOf"
FOLLOWED_BY = HK + "followedBy"
SPAN_PREDICATES = (HK + "earliest", HK + "latest", HK + "precision", HK + "dateLabel")
SHOWN_PREDICATES = (*PLACE_PREDICATES, OTHER_PLACE, *PARTICIPANT_PREDICATES, PARENT)  # linked terms with a label
LABEL_PREDICATES = (RDFS_LABEL, SKOS + "prefLabel")


@dataclass
class Event:
    node: Node
    earliest: str | None
    latest: str | None
    precision: str | None
    date_label: str
    places: list[Node] = field(default_factory=list)
    participants: list[Node] = field(default_factory=list)
    sources: list[Node] = field(default_factory=list)
    quote: str | None = None
    parent: Node | None = None

    @property
    def sort_date(self) -> str:
        return self.earliest or self.latest or "9999"

    @property
    def bucket(self) -> int:
        """0: only an upper bound; 1: a known day or range; 2: only a lower bound (vague 'after')."""
        if self.earliest is None:
            return 0
        return 1 if self.latest is not None else 2


@dataclass
class _Found:
    """What the event query says about one event: its time-spans, the lexical values of each span's bounds, and the
    IRIs it links to, by predicate."""
    spans: set[Any] = field(default_factory=set)
    span_values: dict[Any, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


class _Nodes(dict[str, Node]):
    """Each IRI made a Node once per timeline: the same places, people and sources recur from event to event."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        super().__init__()
        self.kg = kg

    def __missing__(self, iri: str) -> Node:
        made = self[iri] = iri_node(self.kg, iri)
        return made


def _iris(predicates: Iterable[str]) -> str:
    return " ".join(f"<{p}>" for p in predicates)


def _one_of(predicates: Iterable[str]) -> str:
    return ", ".join(f"<{p}>" for p in predicates)


# Every subject with a time-span, one row per (span, predicate, value): a row naming the span itself, rows of the
# span's bounds and rows of the event's links. Joined in the query, so blank-node spans work in every store. Each
# branch starts from the events and filters their triples by predicate: the engine then reads each event's triples
# (6x faster in memory at 50k triples than a VALUES of predicates, for which it scans each predicate whole). Kinds
# of terms (an IRI event, literal bounds, IRI links) are checked by the caller: a third faster than in the query.
_EVENTS = f"""
{{ ?e <{TIME_SPAN}> ?span BIND(<{TIME_SPAN}> AS ?p) }}
UNION {{ ?e <{TIME_SPAN}> ?span . ?span ?p ?o FILTER(?p IN ({_one_of(SPAN_PREDICATES)})) }}
UNION {{ ?e <{TIME_SPAN}> ?span . ?e ?p ?o FILTER(?p IN ({_one_of((*SHOWN_PREDICATES, FOLLOWED_BY))})) }}"""

# Over a remote store, the labels of every IRI the timeline shows come in the same answer (as rows without a span):
# the events, what they link to, the sources of the time-spans' statements. The IRIs first (DISTINCT: the same
# places recur), then their labels: looked up by IRI, where a join with every label of the archive would scan them.
_LABELS = f"""
UNION {{ SELECT (?x AS ?e) (?lp AS ?p) (?label AS ?o) WHERE {{
  {{ SELECT DISTINCT ?x WHERE {{
    {{ ?x <{TIME_SPAN}> ?s0 }}
    UNION {{ ?e0 <{TIME_SPAN}> ?s0 . ?e0 ?q ?x FILTER(?q IN ({_one_of(SHOWN_PREDICATES)})) }}
    UNION {{ ?st <{RDF}predicate> <{TIME_SPAN}> ; <{HK}source> ?x }} }} }}
  VALUES ?lp {{ {_iris(LABEL_PREDICATES)} }} ?x ?lp ?label FILTER(isIRI(?x) && isLiteral(?label)) }} }}"""


@lru_cache(maxsize=8)
def events(kg: KnowledgeGraph) -> tuple[Event, ...]:
    """Every event with a time-span, in order (computed once per loaded graph)."""
    remote = kg.store.capabilities.batched_lookups  # every lookup a request: the labels come along
    found: dict[str, _Found] = defaultdict(_Found)
    labels: list[ox.Quad] = []
    # Not DISTINCT (a union of graph lists may repeat a row; repeats are harmless below): cheaper in memory.
    for subject, span, p, value in kg.query(f"SELECT ?e ?span ?p ?o WHERE {{ {_EVENTS} {_LABELS if remote else ''} }}"):
        if span is None:
            labels.append(ox.Quad(subject, p, value))
            continue
        if not isinstance(subject, ox.NamedNode):
            continue
        event, predicate = found[subject.value], p.value
        if predicate == TIME_SPAN:
            event.spans.add(span)
        elif predicate in SPAN_PREDICATES:
            if isinstance(value, ox.Literal):
                event.span_values[span][predicate].append(value.value)
        elif isinstance(value, ox.NamedNode):
            event.links[predicate].add(value.value)
    spans = {iri: _span(f.spans) for iri, f in found.items()}
    statements = index(kg).for_triples([(ox.NamedNode(iri), ox.NamedNode(TIME_SPAN), span)
                                        for iri, span in spans.items()], TIME_SPAN)
    # Every IRI shown below was asked for in _LABELS: none is left to look up one by one (remote only).
    remember_labels(kg, _shown(found, statements.values()), labels)
    nodes = _Nodes(kg)
    built = [_event(nodes, iri, f, spans[iri], statements) for iri, f in found.items()]
    return tuple(_in_order(built, {iri: f.links.get(FOLLOWED_BY, set()) for iri, f in found.items()}))


def _shown(found: dict[str, _Found], statements: Iterable[list[StatementNode]]) -> Iterator[str]:
    """Lazy: in memory nobody asks."""
    yield from found
    yield from (iri for f in found.values() for p in SHOWN_PREDICATES for iri in f.links.get(p, ()))
    yield from (source for sts in statements for st in sts for source in st.sources)


def _span(spans: set[Any]) -> Any:
    """The event's time-span; of several (which the data should not have), the same one whatever the store."""
    return min(spans, key=lambda s: (isinstance(s, ox.BlankNode), s.value))


def _event(nodes: _Nodes, iri: str, found: _Found, span: Any, statements: dict[Key, list[StatementNode]]) -> Event:
    values = found.span_values.get(span, {})

    def literal(predicate: str) -> str | None:
        texts = values.get(predicate)
        return min(texts) if texts else None

    event = Event(nodes[iri], literal(HK + "earliest"), literal(HK + "latest"), literal(HK + "precision"),
                  literal(HK + "dateLabel") or "")
    event.places = _linked(nodes, found, PLACE_PREDICATES) or _linked(nodes, found, (OTHER_PLACE,))
    event.participants = _linked(nodes, found, PARTICIPANT_PREDICATES)
    parents = found.links.get(PARENT, set())
    event.parent = nodes[next(iter(parents))] if len(parents) == 1 else None
    for st in statements.get((ox.NamedNode(iri), ox.NamedNode(TIME_SPAN), span), []):
        event.sources += [nodes[s] for s in st.sources if all(n.value != s for n in event.sources)]
        event.quote = event.quote or st.quote
    return event


def _linked(nodes: _Nodes, found: _Found, predicates: tuple[str, ...]) -> list[Node]:
    """The values of `predicates`, property by property, each property's by label then IRI (not store order); a
    value under two properties is listed under the first."""
    seen: dict[str, Node] = {}
    for predicate in predicates:
        values = found.links.get(predicate, set()) - seen.keys()
        for n in sorted((nodes[v] for v in values), key=lambda n: (n.label.lower(), n.value)):
            seen[n.value] = n
    return list(seen.values())


def _in_order(found: list[Event], followers: dict[str, set[str]]) -> list[Event]:
    """Sort by (date, bucket); inside a bucket, follow hk:followedBy (a stable topological sort), then labels."""
    groups: dict[tuple[str, int], list[Event]] = defaultdict(list)
    for event in found:
        groups[(event.sort_date, event.bucket)].append(event)
    ordered: list[Event] = []
    for key in sorted(groups):
        ordered += _narrative(sorted(groups[key], key=lambda e: (e.node.label.lower(), e.node.value)), followers)
    return ordered


def _narrative(group: list[Event], followers: dict[str, set[str]]) -> list[Event]:
    members = {e.node.value for e in group}
    before: dict[str, set[str]] = {iri: set() for iri in members}
    for iri in members:
        for follower in followers.get(iri, set()) & (members - {iri}):
            before[follower].add(iri)
    ordered: list[Event] = []
    placed: set[str] = set()
    while len(ordered) < len(group):
        ready = [e for e in group if e.node.value not in placed and not before[e.node.value] - placed]
        nxt = ready[0] if ready else next(e for e in group if e.node.value not in placed)  # a cycle: break it
        ordered.append(nxt)
        placed.add(nxt.node.value)
    return ordered


def for_entity(kg: KnowledgeGraph, iri: str) -> list[Event]:
    """The events an entity took part in or is linked to (either direction, inferred links included)."""
    term = ox.NamedNode(iri)
    linked = {q.subject.value for q in kg.triples(None, None, term) if isinstance(q.subject, ox.NamedNode)}
    linked |= {q.object.value for q in kg.triples(term) if isinstance(q.object, ox.NamedNode)}
    linked.discard(iri)
    return [e for e in events(kg) if e.node.value in linked]
