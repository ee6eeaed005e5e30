"""RDF terms made ready for display: a label, a link (or none), and what kind of term it is.

A link is a local path for an IRI under the dataset's base, the IRI itself for other http(s) IRIs, and nothing for
any other scheme (`javascript:`, `data:`, `file:` ...): such an IRI is shown, never linked.

Labels: the in-memory store collects every label once. Over a remote store, whose archive may be far too large for
that, a page that knows which IRIs it shows (an entity page) fetches their labels in one request
(`prefetch_labels`), and they are remembered; a page whose own query brings the labels along (home, timeline)
hands them over (`remember_labels`). Any other label falls back to `KnowledgeGraph.label`, which collects them all:
the pages that still ask one label at a time (search, ontology, query results) would otherwise cost a request per
label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from service.rdf.namespaces import RDFS_LABEL, SKOS, iri_to_path, shorten
from service.store.graph import KnowledgeGraph
from service.store.remote import RemoteStore

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Label predicates with their rank (lower wins), as KnowledgeGraph.label ranks them: rdfs:label, then skos:prefLabel.
_LABEL_RANKS = {RDFS_LABEL: 0, SKOS + "prefLabel": 2}
_LABELS_KEPT = 100_000  # remote labels remembered per dataset


@dataclass(frozen=True)
class Node:
    kind: str                 # "iri", "bnode" or "literal"
    value: str                # the IRI, the blank node id or the literal's lexical form
    label: str                # what to show
    href: str | None = None   # where to link, if anywhere
    datatype: str | None = None
    language: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

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
    label = _label(kg, iri)
    if label:
        return label
    short = shorten(iri)
    if short != iri:
        return short
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def node(kg: KnowledgeGraph, term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return Node("iri", term.value, display_label(kg, term.value), link_for(term.value, kg.settings.base))
    if isinstance(term, ox.BlankNode):
        return Node("bnode", term.value, f"_:{term.value}")
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype and not term.language else None
        if datatype == XSD_STRING:
            datatype = None
        return Node("literal", term.value, term.value, None, datatype, term.language)
    return Node("literal", str(term), str(term))


def graph_of(quad: ox.Quad) -> str:
    """The quad's graph name ("" for the default graph)."""
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


def iri_node(kg: KnowledgeGraph, iri: str) -> Node:
    return node(kg, ox.NamedNode(iri))


def prefetch_labels(kg: KnowledgeGraph, iris: Iterable[str]) -> None:
    """Over a remote store, fetch the labels of `iris` not yet known, together (one request per VALUES_CHUNK).
    In memory, or once every label has been collected, they are at hand already."""
    if not isinstance(kg.store, RemoteStore) or kg.memo.get("labels collected"):
        return
    known: dict[str, str | None] = kg.memo.setdefault("labels", {})
    wanted = [iri for iri in dict.fromkeys(iris) if iri not in known]
    if not wanted:
        return
    remember_labels(kg, wanted, kg.store.quads_for_subjects([ox.NamedNode(iri) for iri in wanted],
                                                            [ox.NamedNode(p) for p in _LABEL_RANKS]))


def remember_labels(kg: KnowledgeGraph, iris: Iterable[str], label_quads: Iterable[ox.Quad]) -> None:
    """Over a remote store, remember the labels of `iris` from `label_quads` (their rdfs:label / skos:prefLabel
    triples, which a page fetched with its own query): an IRI without one there has none. In memory, a no-op."""
    if not isinstance(kg.store, RemoteStore) or kg.memo.get("labels collected"):
        return
    known: dict[str, str | None] = kg.memo.setdefault("labels", {})
    wanted = list(dict.fromkeys(iris))
    found = _best_labels(label_quads)
    if len(known) + len(wanted) > _LABELS_KEPT:
        known.clear()  # crude but thread-safe under the GIL; later pages fetch again
    known.update((iri, found.get(iri)) for iri in wanted)


def _label(kg: KnowledgeGraph, iri: str) -> str | None:
    if isinstance(kg.store, RemoteStore):
        known: dict[str, str | None] = kg.memo.get("labels", {})
        if iri in known:
            return known[iri]
        kg.memo["labels collected"] = True  # from here on KnowledgeGraph.label holds them all
    return kg.label(iri)


def _best_labels(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """One label per IRI: rdfs:label before skos:prefLabel, English or untagged before other languages; between
    equals, the first in code-point order (so every server gives the same)."""
    best: dict[str, tuple[int, str]] = {}
    for quad in quads:
        literal = quad.object
        if not isinstance(quad.subject, ox.NamedNode) or not isinstance(literal, ox.Literal):
            continue
        english = literal.language in (None, "en") or str(literal.language).startswith("en")
        candidate = (_LABEL_RANKS[quad.predicate.value] + (0 if english else 1), literal.value)
        current = best.get(quad.subject.value)
        if current is None or candidate < current:
            best[quad.subject.value] = candidate
    return {iri: text for iri, (_, text) in best.items()}
