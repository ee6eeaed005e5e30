"""Events in time order: when (with the precision the source allows), where, who, and from which source.

Order: a topological sort of everything known (service.features.time.chronology): dates and bounds, hk:before /
hk:after (asserted and inferred), sub-event containment (a parent heads its sub-events: a whole begins no later
than its parts), with the source's narrative order (the first hk:quoteOffset among an event's statements) breaking
ties. hk:followedBy is the order of the telling, not of the happening, and does not constrain it. Vague dates stay
vague: the human-readable form is shown, never an invented day; an event without a known day whose place comes
from stated order says so ("order known from the text"). Places and participants are listed property by property
(hk:place, hk:origin, hk:destination; people, then aircraft), each by label and IRI.

Read in two queries, whatever the number of events: every event with its time-span's bounds, its links, its order
relations and where its statements' quotes start (one SELECT; over a remote store the labels of everything shown
come with it), and the statements of the time-spans
(their sources and quotes). Both store modes read the events with the same query and order them the same way, so
they give the same timeline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.features.nodes import Node, iri_node, remember_labels
from service.features.time.chronology import Known, order
from service.provenance.statements import Key, StatementNode, index
from service.rdf.namespaces import HK, RDF
from service.store.caches import LABEL_PREDICATES
from service.store.graph import KnowledgeGraph

TIME_SPAN = HK + "timeSpan"
PLACE_PREDICATES = (HK + "place", HK + "origin", HK + "destination")
OTHER_PLACE = HK + "involvedPlace"  # shown only when an event has none of PLACE_PREDICATES
PARTICIPANT_PREDICATES = (HK + "participant", HK + "aircraftInvolved")
PARENT = HK + "subEventOf"
BEFORE, AFTER = HK + "before", HK + "after"
QUOTE_OFFSET = HK + "quoteOffset"
SPAN_PREDICATES = (HK + "earliest", HK + "latest", HK + "precision", HK + "dateLabel", HK + "edtf")
ORDER_FROM_TEXT = "order known from the text"
SHOWN_PREDICATES = (*PLACE_PREDICATES, OTHER_PLACE, *PARTICIPANT_PREDICATES, PARENT)  # linked terms with a label


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
    edtf: str | None = None
    order_note: str | None = None  # ORDER_FROM_TEXT where no day is known and stated order places the event
    earlier: list[str] = field(default_factory=list)  # events on the timeline stated or inferred to come before
    position: int = 0  # 1-based, in the whole timeline

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
    told: int | None = None  # the first quote offset among the event's statements


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
UNION {{ ?e <{TIME_SPAN}> ?span . ?e ?p ?o FILTER(?p IN ({_one_of((*SHOWN_PREDICATES, BEFORE, AFTER))})) }}
UNION {{ ?e <{TIME_SPAN}> ?span . ?st <{RDF}subject> ?e ; <{QUOTE_OFFSET}> ?o BIND(<{QUOTE_OFFSET}> AS ?p) }}"""

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
        elif predicate == QUOTE_OFFSET:
            event.told = _smaller(event.told, value)
        elif isinstance(value, ox.NamedNode):
            event.links[predicate].add(value.value)
    spans = {iri: _span(f.spans) for iri, f in found.items()}
    statements = index(kg).for_triples([(ox.NamedNode(iri), ox.NamedNode(TIME_SPAN), span)
                                        for iri, span in spans.items()], TIME_SPAN)
    # Every IRI shown below was asked for in _LABELS: none is left to look up one by one (remote only).
    remember_labels(kg, _shown(found, statements.values()), labels)
    nodes = _Nodes(kg)
    built = {iri: _event(nodes, iri, f, spans[iri], statements) for iri, f in found.items()}
    return tuple(_in_order(built, found))


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
                  literal(HK + "dateLabel") or "", edtf=literal(HK + "edtf"))
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


def _smaller(known: int | None, value: Any) -> int | None:
    """The smaller of a known offset and a literal's integer value (an ill-typed literal is ignored)."""
    try:
        offset = int(value.value) if isinstance(value, ox.Literal) else None
    except ValueError:
        offset = None
    return offset if known is None or (offset is not None and offset < known) else known


def _in_order(built: dict[str, Event], found: dict[str, _Found]) -> list[Event]:
    """Everything known, sorted (service.features.time.chronology); each event numbered, its direct parent named (the
    most specific of its parents: sub-event is transitive), its stated or inferred predecessors listed."""
    before = {(a, b) for a, f in found.items() for b in f.links.get(BEFORE, ())}
    before |= {(b, a) for a, f in found.items() for b in f.links.get(AFTER, ())}
    parents = {(child, parent) for child, f in found.items() for parent in f.links.get(PARENT, ()) if parent in built}
    known = [Known(iri, e.earliest, e.latest, found[iri].told, e.node.label) for iri, e in built.items()]
    ordered = [built[iri] for iri in order(known, before, parents)]
    earlier: dict[str, set[str]] = defaultdict(set)
    ordered_by_text: set[str] = set()  # events with a stated or inferred order to another event on the timeline
    for a, b in before:
        if a in built and b in built and a != b:
            earlier[b].add(a)
            ordered_by_text |= {a, b}
    ancestors: dict[str, set[str]] = defaultdict(set)
    for child, parent in parents:
        ancestors[child].add(parent)
    rank = {e.node.value: i for i, e in enumerate(ordered)}
    for position, event in enumerate(ordered, start=1):
        iri = event.node.value
        event.position = position
        event.earlier = sorted(earlier[iri], key=rank.__getitem__)
        direct = [p for p in ancestors[iri] if not any(p in ancestors[q] for q in ancestors[iri])]
        if direct:
            event.parent = built[min(direct, key=rank.__getitem__)].node
        exact = event.earliest is not None and event.earliest == event.latest
        if not exact and iri in ordered_by_text:
            event.order_note = ORDER_FROM_TEXT
    return ordered


@lru_cache(maxsize=8)
def _ranks(kg: KnowledgeGraph) -> dict[str, int]:
    return {event.node.value: i for i, event in enumerate(events(kg))}


def order_events(kg: KnowledgeGraph, iris: Iterable[str]) -> list[str]:
    """`iris` in timeline order (for entity pages: sub-events in time order); those not on the timeline (no
    time-span) after them, in the order given."""
    ranks = _ranks(kg)
    return sorted(dict.fromkeys(iris), key=lambda iri: ranks.get(iri, len(ranks)))


def as_json(page: Sequence[Event], number: int, pages: int, total: int) -> dict[str, Any]:
    """One page of the timeline as JSON: the same events in the same order as the HTML page."""
    return {"page": number, "pages": pages, "total": total, "events": [_event_json(e) for e in page]}


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "position": event.position, "iri": event.node.value, "label": event.node.label,
        "when": event.date_label, "earliest": event.earliest, "latest": event.latest, "edtf": event.edtf,
        "precision": event.precision, "order": event.order_note, "after": event.earlier,
        "partOf": event.parent.value if event.parent else None,
        "places": [{"iri": n.value, "label": n.label} for n in event.places],
        "participants": [{"iri": n.value, "label": n.label} for n in event.participants],
        "sources": [{"iri": n.value, "label": n.label} for n in event.sources], "quote": event.quote,
    }


def for_entity(kg: KnowledgeGraph, iri: str) -> list[Event]:
    """The events an entity took part in or is linked to (either direction, inferred links included)."""
    term = ox.NamedNode(iri)
    linked = {q.subject.value for q in kg.triples(None, None, term) if isinstance(q.subject, ox.NamedNode)}
    linked |= {q.object.value for q in kg.triples(term) if isinstance(q.object, ox.NamedNode)}
    linked.discard(iri)
    ranks, timeline = _ranks(kg), events(kg)
    return [timeline[r] for r in sorted(ranks[e] for e in linked if e in ranks)]


def event(kg: KnowledgeGraph, iri: str) -> Event | None:
    """The timeline's event `iri`, or None when it has no time-span: looked up, not searched for."""
    rank = _ranks(kg).get(iri)
    return None if rank is None else events(kg)[rank]
