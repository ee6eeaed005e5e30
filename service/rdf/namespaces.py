"""Prefixes, the dataset's IRI layout, and the mapping between entity IRIs and the service's URL paths."""

from __future__ import annotations

from typing import Final

DEFAULT_BASE: Final = "https://histkg.example.org/"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
HK: Final = DEFAULT_BASE + "ontology#"

RDF_TYPE: Final = RDF + "type"
RDFS_LABEL: Final = RDFS + "label"
RDFS_COMMENT: Final = RDFS + "comment"
SKOS_ALT_LABEL: Final = SKOS + "altLabel"
RDF_STATEMENT: Final = RDF + "Statement"
HK_STATEMENT: Final = HK + "Statement"

# The prefixes every serialisation, query editor and JSON-LD context starts from. A local context, never a remote one.
PREFIXES: Final[dict[str, str]] = {
    "hk": HK,
    "id": DEFAULT_BASE + "id/",
    "st": DEFAULT_BASE + "statement/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
}


class GraphNames:
    """The named graphs the loader makes. SPARQL sees their union by default."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.ontology = base + "graph/ontology"
        self.facts = base + "graph/facts"
        self.statements = base + "graph/statements"
        self.inferred = base + "graph/inferred"

    @property
    def asserted(self) -> list[str]:
        return [self.ontology, self.facts, self.statements]

    @property
    def all(self) -> list[str]:
        return [*self.asserted, self.inferred]


def iri_to_path(iri: str, base: str = DEFAULT_BASE) -> str | None:
    """The service path serving `iri`, or None when the IRI is not under the dataset's base."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base):]
    # Fragments (the ontology's hk:Term) are served by their document: /ontology#Term.
    return "/" + rest


def path_to_iri(path: str, base: str = DEFAULT_BASE) -> str:
    """The entity IRI served at `path` (a URL path beginning with '/')."""
    return base + path.lstrip("/")


def shorten(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """A prefixed name (hk:Person) where a prefix fits and the rest is a plain local name; else the IRI."""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                return f"{prefix}:{local}"
    return iri


def expand(name: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """The inverse of `shorten`: `hk:Person` -> its IRI when the prefix is known; anything else (an IRI, whose
    "scheme:" looks like a prefix, or plain text) as it is."""
    prefix, colon, local = name.partition(":")
    return prefixes[prefix] + local if colon and prefix in prefixes and not local.startswith("//") else name
