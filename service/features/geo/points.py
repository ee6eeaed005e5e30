"""WKT points from elsewhere on a map (/map/points): the points a SPARQL result binds (any geo:wktLiteral POINT),
handed to the map as repeated `wkt=` with aligned `iri=` and `label=` parameters, and read back into places.

The server's /sparql page and the editor (static/editor.js, the same rule in script) pick the points alike: every
WKT point of a row, named by the row's first IRI (a place of the dataset gets its label and its page) or, failing
that, its first plain string; distinct (point, name) pairs only, the first MAX_POINTS of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox

from service.features.geo.places import GEO, Place, parse_point
from service.features.nodes import Node, iri_node
from service.rdf.namespaces import RDF, XSD
from service.store.graph import KnowledgeGraph

WKT_LITERAL = GEO + "wktLiteral"
MAX_POINTS = 200  # points one map may carry (a request with more is a 400; a result with more shows the first)
MAX_LABEL = 200   # characters of a label kept
_STRINGS = (XSD + "string", RDF + "langString")
GET_LIMIT = 2_000  # a link (GET) up to this many characters of query string; beyond it a form POSTs the points


@dataclass(frozen=True)
class PointRef:
    wkt: str
    iri: str = ""
    label: str = ""


def _is_point(term: Any) -> bool:
    return (isinstance(term, ox.Literal) and term.datatype.value == WKT_LITERAL
            and parse_point(term.value) is not None)


def in_result(rows: Iterable[Sequence[Any]]) -> tuple[list[PointRef], int]:
    """The distinct WKT points of a SELECT result's rows (pyoxigraph terms, None when unbound), each named by its
    row: the first MAX_POINTS of them, and how many there are in all."""
    found: dict[PointRef, None] = {}
    for row in rows:
        wkts = [t.value for t in row if _is_point(t)]
        if not wkts:
            continue
        iri = next((t.value for t in row if isinstance(t, ox.NamedNode)), "")
        label = next((t.value for t in row if isinstance(t, ox.Literal) and not _is_point(t)
                      and t.datatype.value in _STRINGS), "")
        for wkt in wkts:
            found.setdefault(PointRef(wkt, iri, "" if iri else label[:MAX_LABEL]))
    points = list(found)
    return points[:MAX_POINTS], len(points)


def parameters(points: Iterable[PointRef]) -> list[tuple[str, str]]:
    """The request parameters of /map/points for these points: wkt, iri and label for each, in step."""
    return [pair for p in points for pair in (("wkt", p.wkt), ("iri", p.iri), ("label", p.label))]


def places(kg: KnowledgeGraph, wkts: list[str], iris: list[str], labels: list[str]) -> list[Place]:
    """The points of a /map/points request as places to draw. A point named by an IRI takes that IRI's label and
    link (a place of the dataset: its page); else its label, else its WKT. ValueError says what is wrong."""
    if not wkts or len(wkts) > MAX_POINTS:
        raise ValueError(f"give 1 to {MAX_POINTS} wkt=POINT(long lat) parameters (got {len(wkts)})")
    drawn = []
    for i, wkt in enumerate(wkts):
        point = parse_point(wkt)
        if point is None:
            raise ValueError(f"not a WKT point in WGS84 degrees: {wkt[:80]!r}")
        iri = iris[i].strip() if i < len(iris) else ""
        label = labels[i].strip()[:MAX_LABEL] if i < len(labels) else ""
        if iri:
            try:
                node = iri_node(kg, iri)
            except ValueError:
                raise ValueError(f"not an IRI: {iri[:80]!r}") from None
            if label:
                node = replace(node, label=label)
        else:
            node = Node("literal", wkt, label or wkt)
        drawn.append(Place(node, point, wkt))
    return drawn
