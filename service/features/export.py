"""The whole dataset as a file: asserted, inferred or all, in any RDF format (named graphs kept where it can)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum

import pyoxigraph as ox

from service.rdf import serialize
from service.rdf.formats import Format, Kind
from service.store.graph import KnowledgeGraph


class Part(Enum):
    ASSERTED = "asserted"
    INFERRED = "inferred"
    ALL = "all"


def graphs_of(kg: KnowledgeGraph, part: Part) -> list[str]:
    asserted = [*kg.graphs.asserted, *kg.extra_graphs]
    return {Part.ASSERTED: asserted, Part.INFERRED: [kg.graphs.inferred],
            Part.ALL: [*asserted, kg.graphs.inferred]}[part]


def quads(kg: KnowledgeGraph, part: Part) -> Iterator[ox.Quad]:
    for name in graphs_of(kg, part):
        yield from kg.triples(graph=name)


def export(kg: KnowledgeGraph, part: Part, fmt: Format) -> bytes:
    """Dataset formats (TriG, N-Quads) keep the named graphs; graph formats get their union, without repeats."""
    if fmt.kind is Kind.DATASET:
        return serialize.rdf(quads(kg, part), fmt)
    if fmt.kind is Kind.GRAPH:
        return serialize.rdf(dict.fromkeys(q.triple for q in quads(kg, part)), fmt)
    raise ValueError(f"{fmt.name} is not an RDF format")


def filename(kg: KnowledgeGraph, part: Part, fmt: Format) -> str:
    stem = kg.settings.data_files[0].stem if kg.settings.data_files else "histkg"
    return f"{stem}-{part.value}.{fmt.extension}"
