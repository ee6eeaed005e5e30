"""Label search: case- and accent-insensitive matching of rdfs:label and skos:altLabel (and skos:prefLabel).

Labels are folded once per loaded graph (Unicode NFKD, combining marks dropped, casefolded). Ranking: exact label,
then a match at the start of a word, then any substring; ties go to the better-connected entity (more asserted
triples mention it), then main label before alternative label, then the shorter label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from service.features.nodes import display_label, graph_of, link_for
from service.rdf.namespaces import HK, RDF_TYPE, RDFS_LABEL, SKOS, SKOS_ALT_LABEL
from service.store.graph import KnowledgeGraph

MAX_RESULTS = 20
_SKIP_TYPES = frozenset({HK + "Statement", HK + "TimeSpan"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.casefold().replace("\u2019", "'")).strip()


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    type: str
    url: str | None
    matched: str  # the label or alternative label that matched

    def as_json(self) -> dict[str, str | None]:
        return {"iri": self.iri, "label": self.label, "type": self.type, "url": self.url}


@dataclass(frozen=True)
class _Entry:
    iri: str
    text: str
    folded: str
    main: bool
    degree: int


@lru_cache(maxsize=8)
def _entries(kg: KnowledgeGraph) -> tuple[tuple[_Entry, ...], dict[str, str]]:
    entries: dict[tuple[str, str], _Entry] = {}
    types: dict[str, str] = {}
    for predicate in (RDFS_LABEL, SKOS_ALT_LABEL, SKOS + "prefLabel"):
        for quad in kg.triples(None, ox.NamedNode(predicate), None):
            if not isinstance(quad.subject, ox.NamedNode) or not isinstance(quad.object, ox.Literal):
                continue
            iri = quad.subject.value
            if iri not in types:
                types[iri] = _type_of(kg, quad.subject)
            if types[iri] == "":
                continue
            key = (iri, quad.object.value)
            if key not in entries:
                entries[key] = _Entry(iri, quad.object.value, fold(quad.object.value), predicate == RDFS_LABEL,
                                      _degree(kg, quad.subject))
    return tuple(entries.values()), types


def _degree(kg: KnowledgeGraph, term: ox.NamedNode) -> int:
    facts = kg.graphs.facts
    return sum(1 for _ in kg.triples(term, graph=facts)) + sum(1 for _ in kg.triples(None, None, term, graph=facts))


def _type_of(kg: KnowledgeGraph, subject: ox.NamedNode) -> str:
    """The label of the entity's asserted local class ("" for statement nodes and time-spans: not searchable)."""
    asserted = set(kg.graphs.asserted)
    classes = sorted(q.object.value for q in kg.triples(subject, ox.NamedNode(RDF_TYPE), None)
                     if isinstance(q.object, ox.NamedNode) and graph_of(q) in asserted)
    if any(c in _SKIP_TYPES for c in classes):
        return ""
    local = [c for c in classes if c.startswith(HK)] or classes
    return display_label(kg, local[0]) if local else "resource"


def search(kg: KnowledgeGraph, query: str, limit: int = MAX_RESULTS) -> list[Hit]:
    needle = fold(query)
    if not needle:
        return []
    entries, types = _entries(kg)
    best: dict[str, tuple[tuple[int, int, int, int, str], _Entry]] = {}
    for entry in entries:
        rank = _rank(entry.folded, needle)
        if rank is None:
            continue
        key = (rank, -entry.degree, 0 if entry.main else 1, len(entry.text), entry.folded)
        if entry.iri not in best or key < best[entry.iri][0]:
            best[entry.iri] = (key, entry)
    ordered = sorted(best.values(), key=lambda item: item[0])[:limit]
    return [Hit(e.iri, display_label(kg, e.iri), types[e.iri], link_for(e.iri, kg.settings.base), e.text)
            for _, e in ordered]


def _rank(folded: str, needle: str) -> int | None:
    if folded == needle:
        return 0
    position = folded.find(needle)
    while position > 0 and folded[position - 1].isalnum():
        position = folded.find(needle, position + 1)
    if position >= 0:
        return 1
    return 2 if needle in folded else None
