"""What the home page says about the dataset: its sources, its counts, its main entities by type."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from service.namespaces import HK, RDF_TYPE
from service.nodes import Node, graph_of, iri_node, node
from service.store import KnowledgeGraph

# The headings of the home page, each the local classes whose asserted members it lists.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("People", ("Person",)),
    ("Organisations and military units", ("Organisation", "MilitaryUnit")),
    ("Events", ("Defection", "Flight", "Landing", "Interrogation", "Event")),
    ("Aircraft", ("Aircraft",)),
    ("Aircraft models", ("AircraftModel",)),
    ("Places", ("Country", "Region", "Island", "City", "Airfield", "Sea", "Place")),
    ("Documents", ("Article", "Book", "Document")),
)


@dataclass
class SourceDocument:
    node: Node
    details: list[tuple[Node, list[Node]]] = field(default_factory=list)  # (property, values)


@dataclass
class Overview:
    sources: list[SourceDocument]
    sections: list[tuple[str, list[Node]]]
    graph_sizes: list[tuple[str, int]]
    entity_count: int
    statement_count: int
    claim_count: int


@lru_cache(maxsize=8)
def overview(kg: KnowledgeGraph) -> Overview:
    asserted = set(kg.graphs.asserted)
    typed: dict[str, set[str]] = {}
    for quad in kg.triples(None, ox.NamedNode(RDF_TYPE), None):
        if graph_of(quad) in asserted and isinstance(quad.subject, ox.NamedNode):
            typed.setdefault(quad.object.value if isinstance(quad.object, ox.NamedNode) else "", set()).add(
                quad.subject.value)
    sections: list[tuple[str, list[Node]]] = []
    shown: set[str] = set()
    for title, classes in SECTIONS:
        members = {iri for c in classes for iri in typed.get(HK + c, set())} - shown
        shown |= members
        if members:
            sections.append((title, sorted((iri_node(kg, i) for i in members), key=lambda n: n.label.lower())))
    statements = typed.get(HK + "Statement", set())
    claims = sum(1 for st in statements if not any(
        True for _ in kg.triples(ox.NamedNode(st), ox.NamedNode(HK + "status"), ox.NamedNode(HK + "Asserted"))))
    sizes = [(name.rstrip("/").rsplit("/", 1)[-1], kg.graph_size(name)) for name in kg.graph_names()]
    return Overview(_sources(kg, typed), sections, sizes, len(shown), len(statements), claims)


def _sources(kg: KnowledgeGraph, typed: dict[str, set[str]]) -> list[SourceDocument]:
    """The articles the dataset is built from (with author, date, publisher, what they cite), then books."""
    out = []
    for cls in ("Article", "Book"):
        for iri in sorted(typed.get(HK + cls, set())):
            doc = SourceDocument(iri_node(kg, iri))
            for prop in ("author", "publicationDate", "publisher", "sponsor", "cites"):
                values = [node(kg, q.object) for q in kg.triples(ox.NamedNode(iri), ox.NamedNode(HK + prop), None)]
                if values:
                    doc.details.append((iri_node(kg, HK + prop), list(dict.fromkeys(values))))
            out.append(doc)
    return out
