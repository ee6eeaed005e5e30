"""The VoID description as a page for a person: what a browser gets at /.well-known/void (conneg, as for entities).

The same statistics as the RDF description (service.web.sparql.service_description), shown with labels: counts, the
named graphs, the vocabularies the data uses, classes with their sizes, example resources, and links to the RDF
forms and the dumps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Response, render_template, request

from service.features.nodes import Node, iri_node
from service.rdf import formats
from service.rdf.namespaces import HK, PREFIXES
from service.store.graph import KnowledgeGraph

if TYPE_CHECKING:  # the description module calls this one: types only, no import cycle
    from service.web.sparql.service_description import Links, Statistics

TITLE = "histkg knowledge graph"
DESCRIPTION = ("Historical facts with their sources and quotes, claims kept apart as statements, and the OWL 2 RL "
               "closure in its own graph.")


@dataclass(frozen=True)
class GraphRow:
    name: str
    comment: str
    triples: int


@dataclass(frozen=True)
class Vocabulary:
    prefix: str
    namespace: str
    classes: int
    properties: int


@dataclass(frozen=True)
class VoidPage:
    title: str
    description: str
    infer: bool
    counts: list[tuple[str, int]]
    uri_space: str
    endpoint: str
    rdf_links: list[tuple[str, str, str]]          # media type, title, href
    with_inferred: str
    graphs: list[GraphRow]
    dumps: list[tuple[str, list[tuple[str, str]]]]  # part, [(format title, href)]
    vocabularies: list[Vocabulary]
    classes: list[tuple[Node, int]]
    examples: list[Node]


def page(kg: KnowledgeGraph, links: Links, stats: Statistics, infer: bool) -> Response:
    body = render_template("void.html", v=_void_page(kg, links, stats, infer))
    response = Response(body, mimetype="text/html")
    response.vary.add("Accept")
    return response


def _void_page(kg: KnowledgeGraph, links: Links, stats: Statistics, infer: bool) -> VoidPage:
    here = request.base_url
    counts = [("triples", stats.triples), ("entities (IRIs under the URI space)", stats.entities),
              ("classes", stats.classes), ("properties", stats.properties),
              ("distinct subjects", stats.distinct_subjects), ("distinct objects", stats.distinct_objects)]
    rdf_links = [(f.media_type, f.title or f.name, f"{here}?{urlencode({'format': f.name})}")
                 for f in formats.rdf_formats()]
    parts = ["all", "asserted", "inferred"] if infer else ["asserted"]
    dumps = [(part, [(f.title or f.name, links.dump(part, f.name)) for f in formats.dump_formats()])
             for part in parts]
    graphs = [GraphRow(name, _graph_comment(kg, name), kg.graph_size(name)) for name in kg.graph_names()
              if infer or name != kg.graphs.inferred]
    return VoidPage(TITLE, DESCRIPTION + ("" if infer else " Counts here are of the asserted graphs only."), infer,
                    counts, kg.settings.base, links.endpoint, rdf_links, f"{here}?infer=true", graphs, dumps,
                    _vocabularies(stats), _classes(kg, stats),
                    [iri_node(kg, e) for e in stats.examples])


def _classes(kg: KnowledgeGraph, stats: Statistics) -> list[tuple[Node, int]]:
    """The dataset's own classes first, largest first; then the aligned vocabularies' classes the reasoner added."""
    ordered = sorted(stats.class_partitions, key=lambda pair: (not pair[0].startswith(HK), -pair[1], pair[0]))
    return [(iri_node(kg, iri), count) for iri, count in ordered]


def _graph_comment(kg: KnowledgeGraph, name: str) -> str:
    g = kg.graphs
    return {g.ontology: "The ontology: classes and properties, each with a label and a comment.",
            g.facts: "Accepted facts, as plain triples: what reasoning runs on.",
            g.statements: "Statement nodes: each fact's source and quote; claims with claimant, status and the "
                          "source's assessment.",
            g.inferred: "What the OWL 2 RL reasoner added to the asserted graphs."}.get(name, "A graph loaded "
                                                                                           "from its own file.")


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1] if cut >= 0 else iri


def _vocabularies(stats: Statistics) -> list[Vocabulary]:
    classes = Counter(_namespace(c) for c, _ in stats.class_partitions)
    properties = Counter(_namespace(p) for p, _ in stats.property_partitions)
    names = {namespace: prefix for prefix, namespace in PREFIXES.items()}
    used = sorted(set(classes) | set(properties), key=lambda ns: (-(classes[ns] + properties[ns]), ns))
    return [Vocabulary(names.get(ns, ""), ns, classes[ns], properties[ns]) for ns in used]
