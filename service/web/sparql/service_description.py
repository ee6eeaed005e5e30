"""What the endpoint says about itself: a SPARQL 1.1 Service Description and a VoID description of the dataset.

Both are built as triples from the loaded graph (statistics come from SPARQL over the same dataset a query sees) and
written in whichever RDF format the client negotiates. The statistics are computed once per graph and switch.

Entailment: the closure is OWL 2 RL materialised by the OWL 2 RL/RDF rules, which are a partial axiomatisation of
the OWL 2 RDF-Based Semantics (not of the Direct Semantics). So the regime is ent:OWL-RDF-Based with the supported
profile owl-profile:RL, as the SPARQL 1.1 Entailment Regimes and Service Description recommendations name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, request, url_for

from service.rdf import formats
from service.rdf.formats import Format
from service.rdf.namespaces import HK, RDF_TYPE
from service.rdf.serialize import rdf
from service.store.graph import KnowledgeGraph
from service.web.context import graph
from service.web.downloads import download
from service.web.negotiation import HTML, choose
from service.web.params import infer_param
from service.web.sparql import void_page
from service.web.sparql.protocol import preflight

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
FORMATS_NS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/OWL-RDF-Based"
PROFILE_RL = "http://www.w3.org/ns/owl-profile/RL"

PREFIXES = {"sd": SD, "void": VOID, "dcterms": DCTERMS, "formats": FORMATS_NS,
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "xsd": "http://www.w3.org/2001/XMLSchema#"}

blueprint = Blueprint("void", __name__)

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal


class Triples:
    """A small builder: add(s, p, o) with plain Python values turned into terms."""

    def __init__(self) -> None:
        self.items: list[ox.Triple] = []

    def add(self, subject: Subject, predicate: str, obj: Object | str | int) -> None:
        if isinstance(obj, bool):
            raise TypeError("booleans are not used here")
        if isinstance(obj, int):
            obj = ox.Literal(str(obj), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        elif isinstance(obj, str):
            obj = ox.NamedNode(obj)
        self.items.append(ox.Triple(subject, ox.NamedNode(predicate), obj))

    def literal(self, subject: Subject, predicate: str, text: str, language: str | None = None) -> None:
        self.items.append(ox.Triple(subject, ox.NamedNode(predicate), ox.Literal(text, language=language)))


# --- statistics ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Statistics:
    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    class_partitions: list[tuple[str, int]] = field(default_factory=list)
    property_partitions: list[tuple[str, int]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def _count(kg: KnowledgeGraph, infer: bool, pattern: str) -> int:
    solutions = list(kg.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", infer=infer))
    return int(solutions[0]["n"].value) if solutions else 0


def _pairs(kg: KnowledgeGraph, infer: bool, query: str) -> list[tuple[str, int]]:
    return [(row["k"].value, int(row["n"].value)) for row in kg.query(query, infer=infer)]


# The default graph is a union of named graphs: count distinct triples, not one per graph that holds them.
_DISTINCT = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"


@lru_cache(maxsize=8)
def statistics(kg: KnowledgeGraph, infer: bool) -> Statistics:
    base = kg.settings.base.replace("\\", "\\\\").replace('"', '\\"')
    return Statistics(
        triples=_count(kg, infer, f"{{ {_DISTINCT} }}"),
        entities=_count(kg, infer, f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && '
                                   f'STRSTARTS(STR(?s), "{base}")) }}'),
        classes=_count(kg, infer, f"SELECT DISTINCT ?c WHERE {{ ?s <{RDF_TYPE}> ?c }}"),
        properties=_count(kg, infer, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"),
        distinct_subjects=_count(kg, infer, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"),
        distinct_objects=_count(kg, infer, "SELECT DISTINCT ?o WHERE { ?s ?p ?o }"),
        class_partitions=_pairs(kg, infer, f"SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?k "
                                           f"FILTER(isIRI(?k)) }} GROUP BY ?k ORDER BY ?k"),
        property_partitions=_pairs(kg, infer, f"SELECT ?k (COUNT(*) AS ?n) WHERE {{ {{ {_DISTINCT} }} "
                                              f"BIND(?p AS ?k) }} GROUP BY ?k ORDER BY ?k"),
        examples=[row["s"].value for row in kg.query(
            f'SELECT ?s WHERE {{ GRAPH <{kg.graphs.facts}> {{ ?s ?p ?o }} FILTER(isIRI(?s) && '
            f'STRSTARTS(STR(?s), "{base}")) }} GROUP BY ?s ORDER BY DESC(COUNT(*)) ?s LIMIT 3', infer=infer)],
    )


# --- the Service Description --------------------------------------------------------------------------------------
def service_description(kg: KnowledgeGraph, endpoint: str, dataset_iri: str) -> list[ox.Triple]:
    out = Triples()
    service = ox.NamedNode(endpoint + "#service")
    out.add(service, RDF_TYPE, SD + "Service")
    out.add(service, SD + "endpoint", endpoint)
    out.add(service, SD + "supportedLanguage", SD + "SPARQL11Query")
    for fmt in formats.FORMATS:
        out.add(service, SD + "resultFormat", FORMATS_NS + fmt.w3c)
    out.add(service, SD + "feature", SD + "UnionDefaultGraph")
    out.add(service, SD + "defaultEntailmentRegime", ENTAILMENT)
    out.add(service, SD + "defaultSupportedEntailmentProfile", PROFILE_RL)
    out.literal(service, "http://www.w3.org/2000/01/rdf-schema#comment",
                "Read-only SPARQL 1.1 Query endpoint. The default graph is the union of every graph, with the "
                "OWL 2 RL closure; infer=false leaves the inferred graph out. default-graph-uri and named-graph-uri "
                "select from the graphs listed here (any other graph is empty, and the X-Histkg-Unknown-Graphs "
                "response header names it); no graph is ever fetched. SERVICE, FROM / FROM NAMED naming a graph "
                "not listed here, and SPARQL Update are refused.", "en")
    dataset = ox.NamedNode(dataset_iri)
    out.add(service, SD + "defaultDataset", dataset)
    out.add(dataset, RDF_TYPE, SD + "Dataset")
    default_graph = ox.BlankNode()
    out.add(dataset, SD + "defaultGraph", default_graph)
    out.add(default_graph, RDF_TYPE, SD + "Graph")
    out.add(default_graph, VOID + "triples", statistics(kg, True).triples)
    for name in kg.graph_names():
        named, described = ox.BlankNode(), ox.BlankNode()
        out.add(dataset, SD + "namedGraph", named)
        out.add(named, RDF_TYPE, SD + "NamedGraph")
        out.add(named, SD + "name", name)
        out.add(named, SD + "graph", described)
        out.add(described, RDF_TYPE, SD + "Graph")
        out.add(described, VOID + "triples", kg.graph_size(name))
    return out.items


# --- VoID ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Links:
    """Where things are served, as absolute URLs."""

    root: str          # the service root, ending in "/"
    endpoint: str      # the SPARQL endpoint
    dataset_iri: str   # the IRI naming the dataset (in the VoID document)

    def dump(self, graph_name: str, format_name: str) -> str:
        return f"{self.root}export?{urlencode({'graph': graph_name, 'format': format_name})}"


def void_description(kg: KnowledgeGraph, links: Links, infer: bool = True) -> list[ox.Triple]:
    out = Triples()
    dataset = ox.NamedNode(links.dataset_iri)
    stats = statistics(kg, infer)
    out.add(dataset, RDF_TYPE, VOID + "Dataset")
    out.literal(dataset, DCTERMS + "title", "histkg knowledge graph", "en")
    out.literal(dataset, DCTERMS + "description",
                "Historical facts with their sources and quotes, claims kept apart as statements, and the OWL 2 RL "
                "closure in its own graph." + ("" if infer else " Counts here are of the asserted graphs only."), "en")
    out.add(dataset, VOID + "sparqlEndpoint", links.endpoint)
    out.literal(dataset, VOID + "uriSpace", kg.settings.base)
    out.add(dataset, VOID + "vocabulary", HK)
    for name, value in (("triples", stats.triples), ("entities", stats.entities), ("classes", stats.classes),
                        ("properties", stats.properties), ("distinctSubjects", stats.distinct_subjects),
                        ("distinctObjects", stats.distinct_objects)):
        out.add(dataset, VOID + name, value)
    for fmt in formats.dump_formats():  # what /export writes: /export?graph=asserted|inferred|all&format=NAME
        out.add(dataset, VOID + "dataDump", links.dump("all" if infer else "asserted", fmt.name))
        out.add(dataset, VOID + "feature", FORMATS_NS + fmt.w3c)
    for example in stats.examples:
        out.add(dataset, VOID + "exampleResource", example)
    _partitions(out, dataset, stats)
    _subsets(out, dataset, kg, links, infer)
    return out.items


def _partitions(out: Triples, dataset: ox.NamedNode, stats: Statistics) -> None:
    for cls, entities in stats.class_partitions:
        partition = ox.BlankNode()
        out.add(dataset, VOID + "classPartition", partition)
        out.add(partition, VOID + "class", cls)
        out.add(partition, VOID + "entities", entities)
    for prop, triples in stats.property_partitions:
        partition = ox.BlankNode()
        out.add(dataset, VOID + "propertyPartition", partition)
        out.add(partition, VOID + "property", prop)
        out.add(partition, VOID + "triples", triples)


def _subsets(out: Triples, dataset: ox.NamedNode, kg: KnowledgeGraph, links: Links, infer: bool) -> None:
    parts = [("asserted", "The asserted graphs: ontology, facts and statements.", statistics(kg, False).triples)]
    if infer:
        parts.append(("inferred", "The OWL 2 RL closure: triples inferred from the asserted graphs.",
                      kg.graph_size(kg.graphs.inferred)))
    for name, comment, size in parts:
        subset = ox.NamedNode(f"{links.dataset_iri}-{name}")
        out.add(dataset, VOID + "subset", subset)
        out.add(subset, RDF_TYPE, VOID + "Dataset")
        out.literal(subset, DCTERMS + "description", comment, "en")
        out.add(subset, VOID + "triples", size)
        out.add(subset, VOID + "sparqlEndpoint", links.endpoint)
        for fmt in formats.dump_formats():
            out.add(subset, VOID + "dataDump", links.dump(name, fmt.name))


# --- HTTP ---------------------------------------------------------------------------------------------------------
def links() -> Links:
    return Links(root=request.url_root, endpoint=url_for("sparql.endpoint", _external=True),
                 dataset_iri=url_for("sparql.void.void_document", _external=True) + "#dataset")


def describe_service(fmt: Format) -> Response:
    here = links()
    body = rdf(service_description(graph(), here.endpoint, here.dataset_iri), fmt, PREFIXES)
    return download(body, fmt)


@blueprint.route("/.well-known/void", methods=["GET", "OPTIONS"])
def void_document() -> Response:
    """The VoID description of the dataset, in the negotiated RDF format (Turtle by default); a page for a browser."""
    if request.method == "OPTIONS":
        return preflight()
    fmt = choose(formats.rdf_formats(), html=True)  # 406 when nothing fits
    if fmt == HTML:  # what a browser asks for first: the same description, readable (Vary: Accept set there)
        return void_page.page(graph(), links(), statistics(graph(), infer_param()), infer_param())
    assert isinstance(fmt, Format)
    body = rdf(void_description(graph(), links(), infer_param()), fmt, {**PREFIXES, "hk": HK})
    return download(body, fmt)  # ETag and 304s: service.web.caching, hooked on the endpoint's blueprint
