"""One table of every format histkg reads or writes. Formats are values: look them up, don't branch on strings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    GRAPH = "graph"      # RDF triples (CONSTRUCT/DESCRIBE results, entity descriptions)
    DATASET = "dataset"  # RDF quads: keeps named graphs (exports)
    RESULTS = "results"  # SPARQL SELECT/ASK results


@dataclass(frozen=True)
class Format:
    name: str             # the canonical short name used in CLI options and `format=`
    media_type: str
    extension: str        # file suffix without the dot
    kind: Kind
    rdflib_key: str | None = None  # rdflib parser/serialiser name, where rdflib handles it
    aliases: tuple[str, ...] = ()
    charset: bool = True  # add "; charset=utf-8" to Content-Type
    title: str = ""       # what people call it (the export page's column heads)
    w3c: str = ""         # its local name under http://www.w3.org/ns/formats/ (the service description)
    dump: bool = False    # offered as a whole-dataset download (/export, VoID's dataDump)


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", Kind.GRAPH, "turtle", ("ttl",),
           title="Turtle", w3c="Turtle", dump=True),
    Format("jsonld", "application/ld+json", "jsonld", Kind.GRAPH, "json-ld", ("json-ld",),
           title="JSON-LD", w3c="JSON-LD", dump=True),
    Format("ntriples", "application/n-triples", "nt", Kind.GRAPH, "nt", ("nt", "n-triples"),
           title="N-Triples", w3c="N-Triples", dump=True),
    # Not a dump: RDF/XML cannot write every graph (a predicate's IRI must end in an XML name).
    Format("rdfxml", "application/rdf+xml", "rdf", Kind.GRAPH, "xml", ("rdf", "xml-rdf", "rdf-xml", "owl"),
           title="RDF/XML", w3c="RDF_XML"),
    Format("trig", "application/trig", "trig", Kind.DATASET, "trig", title="TriG", w3c="TriG", dump=True),
    Format("nquads", "application/n-quads", "nq", Kind.DATASET, "nquads", ("nq", "n-quads"),
           title="N-Quads", w3c="N-Quads", dump=True),
    Format("json", "application/sparql-results+json", "srj", Kind.RESULTS, None, ("srj",),
           title="SPARQL JSON", w3c="SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", "srx", Kind.RESULTS, None, ("srx",),
           title="SPARQL XML", w3c="SPARQL_Results_XML"),
    Format("csv", "text/csv", "csv", Kind.RESULTS, None, title="CSV", w3c="SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", Kind.RESULTS, None, title="TSV", w3c="SPARQL_Results_TSV"),
)

_BY_NAME = {alias: f for f in FORMATS for alias in (f.name, *f.aliases)}
_BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}
_BY_EXTENSION = {f.extension: f for f in FORMATS}
# Extensions accepted on input files beyond each format's canonical one.
_INPUT_EXTENSIONS = {"turtle": "ttl", "json": "jsonld", "n3": "ttl", "owl": "rdf", "xml": "rdf", "nquads": "nq"}


def by_name(name: str) -> Format | None:
    return _BY_NAME.get(name.strip().lower())


def by_media_type(media_type: str) -> Format | None:
    return _BY_MEDIA_TYPE.get(media_type.split(";")[0].strip().lower())


def by_extension(extension: str) -> Format | None:
    ext = extension.lower().lstrip(".")
    return _BY_EXTENSION.get(_INPUT_EXTENSIONS.get(ext, ext))


def of_kind(*kinds: Kind) -> list[Format]:
    return [f for f in FORMATS if f.kind in kinds]


def rdf_formats() -> list[Format]:
    """Formats that can carry triples: graph formats and dataset formats (a graph is a dataset's default graph)."""
    return of_kind(Kind.GRAPH, Kind.DATASET)


def dump_formats() -> list[Format]:
    """The formats the whole dataset is offered in (/export and the VoID description list the same ones)."""
    return [f for f in FORMATS if f.dump]


def content_type(fmt: Format) -> str:
    return f"{fmt.media_type}; charset=utf-8" if fmt.charset else fmt.media_type
