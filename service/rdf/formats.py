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


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", Kind.GRAPH, "turtle", ("ttl",)),
    Format("jsonld", "application/ld+json", "jsonld", Kind.GRAPH, "json-ld", ("json-ld",)),
    Format("ntriples", "application/n-triples", "nt", Kind.GRAPH, "nt", ("nt", "n-triples")),
    Format("rdfxml", "application/rdf+xml", "rdf", Kind.GRAPH, "xml", ("rdf", "xml-rdf", "rdf-xml", "owl")),
    Format("trig", "application/trig", "trig", Kind.DATASET, "trig"),
    Format("nquads", "application/n-quads", "nq", Kind.DATASET, "nquads", ("nq", "n-quads")),
    Format("json", "application/sparql-results+json", "srj", Kind.RESULTS, None, ("srj",)),
    Format("xml", "application/sparql-results+xml", "srx", Kind.RESULTS, None, ("srx",)),
    Format("csv", "text/csv", "csv", Kind.RESULTS, None),
    Format("tsv", "text/tab-separated-values", "tsv", Kind.RESULTS, None),
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


def content_type(fmt: Format) -> str:
    return f"{fmt.media_type}; charset=utf-8" if fmt.charset else fmt.media_type
