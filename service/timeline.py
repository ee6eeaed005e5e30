"""Dated events in order: when (with the precision the source allows), where, who, and from which source.

Order: by date; on the same date, what is only bounded above ("before 6 September") comes first, then events of
that day, then what is only known to come after it; within those, the narrative order of hk:followedBy and then
the label. Vague dates stay vague: the human-readable form is shown, never an invented day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.namespaces import HK, RDF_TYPE
from service.nodes import Node, iri_node
from service.statements import index
from service.store import KnowledgeGraph

PLACE_PREDICATES = (HK + "place", HK + "origin", HK + "destination")


@dataclass
class Event:
    node: Node
    earliest: str | None
    latest: str | None
    precision: str | None
    date_label: str
    types: list[Node] = field(default_factory=list)
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


def _values(kg: KnowledgeGraph, subject: Any, predicate: str) -> list[Any]:
    return [q.object for q in kg.triples(subject, ox.NamedNode(predicate), None)]


def _literal(kg: KnowledgeGraph, subject: Any, predicate: str) -> str | None:
    values = [v.value for v in _values(kg, subject, predicate) if isinstance(v, ox.Literal)]
    return min(values) if values else None


def _iris(kg: KnowledgeGraph, subject: Any, predicates: tuple[str, ...]) -> list[Node]:
    seen: dict[str, Node] = {}
    for predicate in predicates:
        for value in _values(kg, subject, predicate):
            if isinstance(value, ox.NamedNode) and value.value not in seen:
                seen[value.value] = iri_node(kg, value.value)
    return list(seen.values())


@lru_cache(maxsize=8)
def events(kg: KnowledgeGraph) -> tuple[Event, ...]:
    """Every event with a time-span, in order (computed once per loaded graph)."""
    found: dict[str, Event] = {}
    for quad in kg.triples(None, ox.NamedNode(HK + "timeSpan"), None):
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value not in found:
            found[quad.subject.value] = _event(kg, quad.subject, quad.object)
    return tuple(_in_order(kg, list(found.values())))


def _event(kg: KnowledgeGraph, subject: ox.NamedNode, span: Any) -> Event:
    event = Event(iri_node(kg, subject.value), _literal(kg, span, HK + "earliest"), _literal(kg, span, HK + "latest"),
                  _literal(kg, span, HK + "precision"), _literal(kg, span, HK + "dateLabel") or "")
    event.types = [n for n in _iris(kg, subject, (RDF_TYPE,)) if n.value.startswith(HK)]
    event.places = _iris(kg, subject, PLACE_PREDICATES) or _iris(kg, subject, (HK + "involvedPlace",))
    event.participants = _iris(kg, subject, (HK + "participant", HK + "aircraftInvolved"))
    parents = _iris(kg, subject, (HK + "subEventOf",))
    event.parent = parents[0] if len(parents) == 1 else None
    for st in index(kg).for_triple(subject, ox.NamedNode(HK + "timeSpan"), span):
        event.sources += [iri_node(kg, s) for s in st.sources if all(n.value != s for n in event.sources)]
        event.quote = event.quote or st.quote
    return event


def _in_order(kg: KnowledgeGraph, found: list[Event]) -> list[Event]:
    """Sort by (date, bucket); inside a bucket, follow hk:followedBy (a stable topological sort), then labels."""
    groups: dict[tuple[str, int], list[Event]] = defaultdict(list)
    for event in found:
        groups[(event.sort_date, event.bucket)].append(event)
    ordered: list[Event] = []
    for key in sorted(groups):
        ordered += _narrative(kg, sorted(groups[key], key=lambda e: e.node.label.lower()))
    return ordered


def _narrative(kg: KnowledgeGraph, group: list[Event]) -> list[Event]:
    members = {e.node.value: e for e in group}
    before: dict[str, set[str]] = {iri: set() for iri in members}
    for iri in members:
        for nxt in _values(kg, ox.NamedNode(iri), HK + "followedBy"):
            if isinstance(nxt, ox.NamedNode) and nxt.value in members and nxt.value != iri:
                before[nxt.value].add(iri)
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
