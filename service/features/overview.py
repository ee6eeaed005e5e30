"""What the home page says about the dataset: its sources, its counts, its main entities by type.

Read in four queries, whatever the size of the archive: the members of the listed classes (where lookups are requests,
with their labels), the statement and claim counts, the graph sizes, and the source documents' details (where lookups
are requests, with the labels of their values and of the properties shown). They name their graphs (GRAPH) and go to the
store as they are: the engine answers over its own dataset faster than over KnowledgeGraph.query's list of graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.features.nodes import Node, iri_node, node
from service.rdf.namespaces import HK, RDF_TYPE
from service.store.caches import LABEL_PREDICATES
from service.store.graph import KnowledgeGraph

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
SOURCE_CLASSES = ("Article", "Book")  # the documents the dataset is built from, listed first with their details
SOURCE_DETAILS = ("author", "publicationDate", "publisher", "sponsor", "cites")
_LABEL_PREDICATES = " ".join(f"<{p}>" for p in LABEL_PREDICATES)  # the ones labels are ranked by


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
    typed = _members(kg)
    sections: list[tuple[str, list[Node]]] = []
    shown: set[str] = set()
    for title, classes in SECTIONS:
        members = {iri for c in classes for iri in typed.get(HK + c, set())} - shown
        shown |= members
        if members:
            sections.append((title, _sorted(iri_node(kg, i) for i in members)))
    statements, claims = _statement_counts(kg)
    return Overview(_sources(kg, typed), sections, _graph_sizes(kg), len(shown), statements, claims)


def _sorted(nodes: Iterable[Node]) -> list[Node]:
    """By label, then value: the same order whatever the store lists first."""
    return sorted(nodes, key=lambda n: (n.label.lower(), n.value))


def _asserted(kg: KnowledgeGraph) -> str:
    """A VALUES block of the asserted graphs: a type counts where the data states it, not where it is inferred."""
    return "VALUES ?g { " + " ".join(f"<{g}>" for g in kg.graphs.asserted) + " }"


def _labels_of(kg: KnowledgeGraph, variable: str) -> str:
    """Where lookups are requests, an OPTIONAL part bringing ?variable's labels along (as ?lp ?label): the page shows
    them, and one label at a time would be a request each. Where every label is at hand: nothing."""
    if not kg.store.capabilities.batched_lookups:
        return ""
    return (f"OPTIONAL {{ VALUES ?lp {{ {_LABEL_PREDICATES} }} GRAPH ?lg {{ ?{variable} ?lp ?label }} "
            "FILTER(isLiteral(?label)) }")


def _remember(kg: KnowledgeGraph, rows: list[Any], variable: str) -> None:
    """Hand the labels a query brought along (see _labels_of) over to the graph's labels; an IRI without is known to
    have none."""
    if kg.store.capabilities.batched_lookups:
        iris = [row[variable].value for row in rows if isinstance(row[variable], ox.NamedNode)]
        kg.remember_labels(iris, [ox.Quad(row[variable], row["lp"], row["label"]) for row in rows
                                   if row["label"] is not None and isinstance(row[variable], ox.NamedNode)])


def _members(kg: KnowledgeGraph) -> dict[str, set[str]]:
    """The IRIs typed (in an asserted graph) with each class the page lists, by class IRI."""
    classes = " ".join(f"<{HK}{c}>" for _, cs in SECTIONS for c in cs)
    rows = list(kg.store.query(f"SELECT ?s ?c ?lp ?label WHERE {{ VALUES ?c {{ {classes} }} {_asserted(kg)} "
                               f"GRAPH ?g {{ ?s <{RDF_TYPE}> ?c }} FILTER(isIRI(?s)) {_labels_of(kg, 's')} }}"))
    _remember(kg, rows, "s")
    typed: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        typed[row["c"].value].add(row["s"].value)
    return typed


def _statement_counts(kg: KnowledgeGraph) -> tuple[int, int]:
    """Statement nodes (IRIs typed hk:Statement in an asserted graph), and how many of them are claims (no
    hk:status hk:Asserted in any graph): counted by the engine, not fetched."""
    rows = list(kg.store.query(
        "SELECT (COUNT(?st) AS ?statements) (SUM(?claim) AS ?claims) WHERE { "
        f"{{ SELECT DISTINCT ?st WHERE {{ {_asserted(kg)} GRAPH ?g {{ ?st <{RDF_TYPE}> <{HK}Statement> }} "
        "FILTER(isIRI(?st)) } } "
        f"BIND(IF(EXISTS {{ GRAPH ?h {{ ?st <{HK}status> <{HK}Asserted> }} }}, 0, 1) AS ?claim) }}"))
    return int(rows[0]["statements"].value), int(rows[0]["claims"].value)


def _graph_sizes(kg: KnowledgeGraph) -> list[tuple[str, int]]:
    """Triples per graph, by its short name (counted once per graph: KnowledgeGraph.graph_sizes)."""
    return [(name.rstrip("/").rsplit("/", 1)[-1], size) for name, size in kg.graph_sizes().items()]


def _sources(kg: KnowledgeGraph, typed: dict[str, set[str]]) -> list[SourceDocument]:
    """The articles the dataset is built from (with author, date, publisher, what they cite), then books."""
    details = _details(kg)
    out = []
    for cls in SOURCE_CLASSES:
        for iri in sorted(typed.get(HK + cls, set())):
            doc = SourceDocument(iri_node(kg, iri))
            for prop in SOURCE_DETAILS:
                values = details.get((iri, HK + prop))
                if values:
                    doc.details.append((iri_node(kg, HK + prop), _sorted(node(kg, v) for v in set(values))))
            out.append(doc)
    return out


def _details(kg: KnowledgeGraph) -> dict[tuple[str, str], list[Any]]:
    """The SOURCE_DETAILS values of every source document, by (document, property). Over a remote store the labels
    of the values and of the properties come along where lookups are requests (a row without ?doc names a property)."""
    props = " ".join(f"<{HK}{p}>" for p in SOURCE_DETAILS)
    classes = " ".join(f"<{HK}{c}>" for c in SOURCE_CLASSES)
    found = (f"{{ VALUES ?c {{ {classes} }} {_asserted(kg)} GRAPH ?g {{ ?doc <{RDF_TYPE}> ?c }} FILTER(isIRI(?doc)) "
             f"VALUES ?p {{ {props} }} GRAPH ?h {{ ?doc ?p ?o }} }}")
    batched = kg.store.capabilities.batched_lookups
    rows = list(kg.store.query(f"SELECT DISTINCT ?doc ?p ?o ?lp ?label WHERE {{ {found} "
                               f"{f'UNION {{ VALUES ?o {{ {props} }} }}' if batched else ''} {_labels_of(kg, 'o')} }}"))
    _remember(kg, rows, "o")
    details: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        if row["doc"] is not None:
            details[(row["doc"].value, row["p"].value)].append(row["o"])
    return details
