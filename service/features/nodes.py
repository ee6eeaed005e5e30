"""RDF terms made ready for display: a label, a link (or none), and what kind of term it is.

A link is a local path for an IRI under the dataset's base, the IRI itself for other http(s) IRIs, and nothing for
any other scheme (`javascript:`, `data:`, `file:` ...): such an IRI is shown, never linked.

Labels come from the graph (KnowledgeGraph.label, one ranking rule: service.store.caches.best_labels). Where lookups
are requests (a remote store), a page that knows which IRIs it shows fetches their labels together first
(`prefetch_labels`), and a page whose own query brings the labels along hands them over (`remember_labels`); where
every label is at hand, both are no-ops.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from service.rdf.display import show
from service.rdf.namespaces import iri_to_path, shorten
from service.store.graph import KnowledgeGraph


@dataclass(frozen=True)
class Node:
    kind: str                 # "iri", "bnode" or "literal"
    value: str                # the IRI, the blank node id or the literal's lexical form
    label: str                # what to show
    href: str | None = None   # where to link, if anywhere
    datatype: str | None = None
    language: str | None = None

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def short(self) -> str:
        return shorten(self.value) if self.kind == "iri" else self.value


def link_for(iri: str, base: str) -> str | None:
    """The local page of an IRI under `base`, an external http(s) IRI as is, else None (never linked)."""
    local = iri_to_path(iri, base)
    if local is not None:
        return local
    try:
        scheme = urlsplit(iri).scheme.lower()
    except ValueError:
        return None
    return iri if scheme in ("http", "https") else None


def display_label(kg: KnowledgeGraph, iri: str) -> str:
    return kg.label(iri) or unlabelled_name(iri)


def unlabelled_name(iri: str) -> str:
    """What shows an IRI without a label: its prefixed name, else its last path segment or fragment."""
    short = shorten(iri)
    if short != iri:
        return short
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def node(kg: KnowledgeGraph, term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return Node("iri", term.value, display_label(kg, term.value), link_for(term.value, kg.settings.base))
    shown = show(term)  # a blank node or literal is shown as everywhere else (service.rdf.display)
    return Node(shown.kind, shown.value, shown.text, None, shown.datatype, shown.language)


def graph_of(quad: ox.Quad) -> str:
    """The quad's graph name ("" for the default graph)."""
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


def iri_node(kg: KnowledgeGraph, iri: str) -> Node:
    return node(kg, ox.NamedNode(iri))


def prefetch_labels(kg: KnowledgeGraph, iris: Iterable[str]) -> None:
    """Make the labels of `iris` at hand before a page shows them (KnowledgeGraph.prefetch_labels)."""
    kg.prefetch_labels(iris)


def remember_labels(kg: KnowledgeGraph, iris: Iterable[str], label_quads: Iterable[ox.Quad]) -> None:
    """Hand over the labels of `iris` a page's own query brought along (KnowledgeGraph.remember_labels)."""
    kg.remember_labels(iris, label_quads)
