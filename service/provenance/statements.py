"""The statement nodes: the provenance of each fact (source, quote, relayed work) and the claims kept apart.

Indexed by the reified triple (rdf:subject, rdf:predicate, rdf:object) and by the entities a statement is about,
so pages look provenance up without a query per fact. Over a small embedded store the index is built once, whole;
over a large one or a store whose lookups are requests (a remote SPARQL server), whose archive may be far larger than
one page needs, it is filled as pages ask (LazyStatementIndex): the statements about an entity in one request, the
statements of many triples in one request (`prefetch`), the statements of many triples of one property in one request
(`for_triples`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.rdf.namespaces import HK, RDF, RDFS_COMMENT
from service.store.batches import chunks, nameable, values_block
from service.store.graph import KnowledgeGraph

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

    @property
    def key(self) -> Key:
        return self.subject, self.predicate, self.object

    def iris(self) -> list[str]:
        """Every IRI a page shows for this statement (for fetching their labels together)."""
        terms = [t.value for t in (self.subject, self.predicate, self.object) if isinstance(t, ox.NamedNode)]
        return [self.iri, *terms, *([self.status] if self.status else []), *self.sources, *self.relays,
                *self.claimants]


_FIELDS = {RDF + "subject": "subject", RDF + "predicate": "predicate", RDF + "object": "object"}
_LISTS = {HK + "source": "sources", HK + "relays": "relays", HK + "claimant": "claimants"}
_TEXTS = {HK + "quote": "quote", HK + "assessment": "assessment", RDFS_COMMENT: "comment"}


@dataclass
class StatementIndex:
    """Every statement node of the graph (a small embedded store's index, built whole)."""
    by_triple: dict[Key, list[StatementNode]]
    by_entity: dict[str, list[StatementNode]]
    by_iri: dict[str, StatementNode]

    def for_triple(self, s: Any, p: Any, o: Any) -> list[StatementNode]:
        return self.by_triple.get((s, p, o), [])

    def about(self, iri: str) -> list[StatementNode]:
        """The statements whose subject or object is `iri`, in IRI order."""
        return self.by_entity.get(iri, [])

    def claims_about(self, iri: str) -> list[StatementNode]:
        return [st for st in self.about(iri) if st.is_claim]

    def prefetch(self, *, about: str | None = None, triples: Iterable[Key] = ()) -> None:
        """Make `about(about)` and `for_triple` of `triples` answerable without further requests (a whole index
        already is)."""

    def for_triples(self, triples: Iterable[Key], predicate: str) -> dict[Key, list[StatementNode]]:
        """The statements of each of `triples`, whose predicate is `predicate` (a feature showing many triples of
        one property: the timeline's time-spans). Over a remote store in one request, however many triples."""
        return {key: self.for_triple(*key) for key in triples}


class LazyStatementIndex(StatementIndex):
    """The statements a remote store or a large archive holds, fetched as asked for and remembered (bounded).

    Building the whole index reads every statement node into Python: fine for the shipped dataset, minutes for a
    5M-triple archive (its first entity page took over 300 s), so above `WHOLE_INDEX_LIMIT` quads pages ask the
    engine for the statements they show instead, as they must over a remote store (one request per lookup there).

    Same answers as the whole index: a statement belongs to the triple its own rdf:subject / rdf:predicate /
    rdf:object name and to the entities among those terms; the statements of a triple that holds a blank node
    cannot be asked for by name, so there are none here."""

    _KEPT = 20_000  # statement lists remembered, per kind

    def __init__(self, kg: KnowledgeGraph) -> None:
        super().__init__({}, {}, {})
        self.kg = kg

    def for_triple(self, s: Any, p: Any, o: Any) -> list[StatementNode]:
        key = (s, p, o)
        known = self._known(key)
        if known is None:
            self.prefetch(triples=[key])
            known = self.by_triple.get(key, [])
        return known

    def _known(self, key: Key) -> list[StatementNode] | None:
        if key in self.by_triple:
            return self.by_triple[key]
        for term in (key[0], key[2]):  # every statement naming this entity is known: the triple's are among them
            if isinstance(term, ox.NamedNode) and term.value in self.by_entity:
                return [st for st in self.by_entity[term.value] if st.key == key]
        return None

    def about(self, iri: str) -> list[StatementNode]:
        if iri not in self.by_entity:
            self.prefetch(about=iri)
        return self.by_entity.get(iri, [])

    def prefetch(self, *, about: str | None = None, triples: Iterable[Key] = ()) -> None:
        if about is not None and about not in self.by_entity:
            found = _fetch(self.kg, f"{{ GRAPH ?a {{ ?st <{RDF}subject> {_iri(about)} }} }} UNION "
                                    f"{{ GRAPH ?a {{ ?st <{RDF}object> {_iri(about)} }} }}")
            self._keep(self.by_entity, about, [st for st in found if about in _entities(st)])
        wanted = [k for k in dict.fromkeys(triples) if self._known(k) is None]
        for key in [k for k in wanted if not nameable(*k)]:
            self._keep(self.by_triple, key, [])
        for chunk in chunks([k for k in wanted if nameable(*k)]):
            found = _fetch(self.kg, f"{values_block(['ks', 'kp', 'ko'], chunk)} "
                                    f"GRAPH ?a {{ ?st <{RDF}subject> ?ks }} GRAPH ?b {{ ?st <{RDF}predicate> ?kp }} "
                                    f"GRAPH ?c {{ ?st <{RDF}object> ?ko }}")
            by_key: dict[Key, list[StatementNode]] = defaultdict(list)
            for st in found:
                by_key[st.key].append(st)
            for key in chunk:
                self._keep(self.by_triple, key, by_key.get(key, []))

    def for_triples(self, triples: Iterable[Key], predicate: str) -> dict[Key, list[StatementNode]]:
        """Every statement of a `predicate` triple, in one request (not a VALUES block of the triples: a chunk of
        them per request), and not remembered here (the caller keeps what it builds from them)."""
        by_key: dict[Key, list[StatementNode]] = defaultdict(list)
        for st in _fetch(self.kg, f"GRAPH ?k {{ ?st <{RDF}predicate> {_iri(predicate)} }}"):
            by_key[st.key].append(st)
        return {key: by_key.get(key, []) for key in triples}

    def _keep(self, table: dict[Any, list[StatementNode]], key: Any, found: list[StatementNode]) -> None:
        if len(table) >= self._KEPT:
            table.clear()  # crude but thread-safe under the GIL; a later page fetches again
        table[key] = found


def _iri(value: str) -> str:
    return f"<{ox.NamedNode(value).value}>"


def _entities(st: StatementNode) -> set[str]:
    return {t.value for t in (st.subject, st.object) if isinstance(t, ox.NamedNode)}


def _fetch(kg: KnowledgeGraph, which: str) -> list[StatementNode]:
    """The statement nodes `which` (a pattern binding ?st) selects, each read whole, in IRI order. Like the whole
    index, only nodes with an rdf:subject count as statements."""
    rows = kg.query(f"SELECT DISTINCT ?st ?p ?o WHERE {{ {which} GRAPH ?s {{ ?st <{RDF}subject> ?any }} "
                    "GRAPH ?g { ?st ?p ?o } }")
    values: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for row in rows:
        if isinstance(row["st"], ox.NamedNode | ox.BlankNode):
            values[row["st"].value].append((row["p"], row["o"]))
    return [_read(iri, values[iri]) for iri in sorted(values)]


WHOLE_INDEX_LIMIT = 200_000  # quads in the store above which statements are looked up as pages ask


@lru_cache(maxsize=8)
def index(kg: KnowledgeGraph) -> StatementIndex:
    if kg.store.capabilities.batched_lookups or kg.quad_count > WHOLE_INDEX_LIMIT:
        return LazyStatementIndex(kg)
    nodes: dict[str, StatementNode] = {}
    for quad in kg.triples(None, ox.NamedNode(RDF + "subject"), None):
        if isinstance(quad.subject, ox.NamedNode | ox.BlankNode) and quad.subject.value not in nodes:
            nodes[quad.subject.value] = _read(quad.subject.value, [(q.predicate, q.object)
                                                                   for q in kg.triples(quad.subject)])
    by_triple: dict[Key, list[StatementNode]] = defaultdict(list)
    by_entity: dict[str, list[StatementNode]] = defaultdict(list)
    for st in sorted(nodes.values(), key=lambda n: n.iri):
        by_triple[st.key].append(st)
        for iri in sorted(_entities(st)):
            by_entity[iri].append(st)
    return StatementIndex(dict(by_triple), dict(by_entity), nodes)


def _read(iri: str, values: list[tuple[Any, Any]]) -> StatementNode:
    """A statement node from its (predicate, object) pairs. Read in a fixed order (predicate, then value), so every
    store gives the same node: lists in IRI order, and the same one of two values where one is expected."""
    st = StatementNode(iri)
    for predicate, value in sorted(set(values), key=lambda pv: (pv[0].value, str(pv[1]))):
        name = predicate.value
        if name in _FIELDS:
            setattr(st, _FIELDS[name], value)
        elif name == HK + "status" and isinstance(value, ox.NamedNode):
            st.status = value.value
        elif name in _LISTS and isinstance(value, ox.NamedNode):
            items: list[str] = getattr(st, _LISTS[name])
            if value.value not in items:
                items.append(value.value)
        elif name in _TEXTS and isinstance(value, ox.Literal):
            setattr(st, _TEXTS[name], value.value)
    return st
