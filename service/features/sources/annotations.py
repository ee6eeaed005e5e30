"""Statements as W3C Web Annotations (Web Annotation Data Model; collections paged as the Web Annotation Protocol's
AnnotationCollection / AnnotationPage), so that annotation clients (Hypothesis and the like) can anchor each fact's
quote on its source and show what it supports.

An annotation is the statement node itself (its id is the statement's IRI): its target is the source, by its URL
where the data gives one (schema:url, foaf:page ... as entities.references reads them) else by its IRI, with
a TextQuoteSelector whose `exact` is hk:quote and `prefix` / `suffix` are hk:quotePrefix / hk:quoteSuffix (the words
around the quote, stored as data); its bodies are the fact or claim in words (a TextualBody) and as data (the
subject, predicate, object, status, claimants, sources and relayed works, linking to our IRIs).

The JSON-LD names the model's context by its URL, as the model requires; the service serves a copy of it
(service/features/contexts/anno.jsonld) and never fetches it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.features.entities.presentation import presentation
from service.features.entities.references import reference
from service.features.entities.sentences import sentence, text
from service.features.nodes import iri_node, node
from service.provenance.statements import ASSERTED, StatementNode, index
from service.rdf.namespaces import HK, PREFIXES, RDF, XSD
from service.store.graph import KnowledgeGraph

CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{CONTEXT_URL}"'
CONTEXT_FILE = Path(__file__).resolve().parents[1] / "contexts" / "anno.jsonld"
PAGE_SIZE = 50
# The model's context, then the terms our bodies use beyond it (a local context: nothing to fetch).
CONTEXT: list[Any] = [CONTEXT_URL, {"hk": HK, "st": PREFIXES["st"]}]


# Read when the module is imported (as the app is made), not during a request: requests may not open files here.
CONTEXT_DOCUMENT: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def context_document() -> dict[str, Any]:
    """The vendored anno.jsonld, as served at /ns/anno.jsonld."""
    return CONTEXT_DOCUMENT


@dataclass(frozen=True)
class Anchor:
    """Where a statement's quote stands in its source: hk:quoteOffset, hk:quotePrefix, hk:quoteSuffix."""
    offset: int | None
    prefix: str | None
    suffix: str | None


def anchors(kg: KnowledgeGraph, iris: list[str]) -> dict[str, Anchor]:
    found: dict[str, Anchor] = {}
    for start in range(0, len(iris), 200):
        values = " ".join(str(ox.NamedNode(i)) for i in iris[start:start + 200])
        rows = kg.query(f"SELECT ?st ?o ?p ?s WHERE {{ VALUES ?st {{ {values} }} "
                        f"OPTIONAL {{ ?st <{HK}quoteOffset> ?o }} OPTIONAL {{ ?st <{HK}quotePrefix> ?p }} "
                        f"OPTIONAL {{ ?st <{HK}quoteSuffix> ?s }} }}", infer=False)
        for row in rows:
            offset = row["o"]
            digits = offset.value if isinstance(offset, ox.Literal) else ""
            found.setdefault(row["st"].value, Anchor(
                int(digits) if digits.lstrip("-").isdigit() else None,
                row["p"].value if isinstance(row["p"], ox.Literal) else None,
                row["s"].value if isinstance(row["s"], ox.Literal) else None))
    return found


def statement(kg: KnowledgeGraph, iri: str) -> StatementNode | None:
    """The statement node `iri` (one with an rdf:subject), else None."""
    try:
        term = ox.NamedNode(iri)
    except ValueError:
        return None
    for quad in kg.triples(term, ox.NamedNode(RDF + "subject")):
        if isinstance(quad.object, ox.NamedNode):
            found = next((st for st in index(kg).about(quad.object.value) if st.iri == iri), None)
            if found is not None:
                return found
    return None


def of_source(kg: KnowledgeGraph, source: str) -> list[tuple[StatementNode, Anchor]]:
    """Every statement quoting `source`, in the order of the text (hk:quoteOffset; those without one last)."""
    rows = kg.query(f"SELECT DISTINCT ?st ?s WHERE {{ ?st <{HK}source> {ox.NamedNode(source)} ; "
                    f"<{RDF}subject> ?s FILTER(isIRI(?st) && isIRI(?s)) }}", infer=False)
    wanted: dict[str, str] = {row["st"].value: row["s"].value for row in rows}
    statements: list[StatementNode] = []
    for st_iri, subject in sorted(wanted.items()):
        found = next((st for st in index(kg).about(subject) if st.iri == st_iri), None)
        if found is not None:
            statements.append(found)
    where = anchors(kg, [st.iri for st in statements])
    ordered = [(st, where.get(st.iri, Anchor(None, None, None))) for st in statements]
    return sorted(ordered, key=lambda pair: (pair[1].offset is None, pair[1].offset or 0, pair[0].iri))


def source_url(kg: KnowledgeGraph, source: str) -> str | None:
    """The source's address where its data gives one (http(s) only), else None."""
    return reference(kg, source, list(kg.triples(ox.NamedNode(source))), "ref").url


def in_words(kg: KnowledgeGraph, st: StatementNode) -> str:
    subject, predicate, obj = node(kg, st.subject), node(kg, st.predicate), node(kg, st.object)
    claimants = [iri_node(kg, c) for c in st.claimants]
    return text(sentence(claimants, st.status or ASSERTED, subject, predicate, obj,
                         presentation(kg).phrase.get(predicate.value)))


def _term(value: Any) -> dict[str, str]:
    if isinstance(value, ox.NamedNode):
        return {"id": value.value}
    if isinstance(value, ox.Literal):
        if value.language:
            return {"@value": value.value, "@language": value.language}
        if value.datatype.value != XSD + "string":
            return {"@value": value.value, "@type": value.datatype.value}
        return {"@value": value.value}
    return {"@value": str(value)}


def annotation(kg: KnowledgeGraph, st: StatementNode, anchor: Anchor, *, with_context: bool = True
               ) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "rdf:Statement", "rdf:subject": _term(st.subject),
                            "rdf:predicate": _term(st.predicate), "rdf:object": _term(st.object),
                            "hk:status": {"id": st.status or ASSERTED}}
    for key, values in (("hk:claimant", st.claimants), ("hk:source", st.sources), ("hk:relays", st.relays)):
        if values:
            data[key] = [{"id": v} for v in values]
    if st.assessment:
        data["hk:assessment"] = st.assessment
    document: dict[str, Any] = {"@context": CONTEXT} if with_context else {}
    document.update({
        "id": st.iri, "type": "Annotation", "motivation": "describing",
        "body": [{"type": "TextualBody", "value": in_words(kg, st), "format": "text/plain", "language": "en",
                  "purpose": "describing"}, data],
        "target": [_target(kg, source, st.quote, anchor) for source in st.sources],
    })
    return document


def _target(kg: KnowledgeGraph, source: str, quote: str | None, anchor: Anchor) -> dict[str, Any]:
    target: dict[str, Any] = {"type": "SpecificResource", "source": source_url(kg, source) or source}
    if quote:
        selector = {"type": "TextQuoteSelector", "exact": quote}
        if anchor.prefix:
            selector["prefix"] = anchor.prefix
        if anchor.suffix:
            selector["suffix"] = anchor.suffix
        target["selector"] = selector
    return target


def collection_iri(kg: KnowledgeGraph, name: str) -> str:
    return f"{kg.settings.base}source/{name}/annotations"


def collection(kg: KnowledgeGraph, source: str, name: str) -> dict[str, Any]:
    """The AnnotationCollection of every statement quoting `source` (its pages by IRI)."""
    total = len(of_source(kg, source))
    pages = max(1, -(-total // PAGE_SIZE))
    iri = collection_iri(kg, name)
    return {"@context": CONTEXT, "id": iri, "type": "AnnotationCollection",
            "label": f"Annotations on {iri_node(kg, source).label}", "total": total,
            "first": f"{iri}?page=1", "last": f"{iri}?page={pages}"}


def page(kg: KnowledgeGraph, source: str, name: str, number: int) -> dict[str, Any] | None:
    """Page `number` (from 1) of the collection, in the order of the text; None past the last page."""
    found = of_source(kg, source)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    if not 1 <= number <= pages:
        return None
    iri = collection_iri(kg, name)
    start = (number - 1) * PAGE_SIZE
    document: dict[str, Any] = {
        "@context": CONTEXT, "id": f"{iri}?page={number}", "type": "AnnotationPage",
        "partOf": {"id": iri, "total": len(found), "label": f"Annotations on {iri_node(kg, source).label}"},
        "startIndex": start}
    if number < pages:
        document["next"] = f"{iri}?page={number + 1}"
    if number > 1:
        document["prev"] = f"{iri}?page={number - 1}"
    document["items"] = [annotation(kg, st, anchor, with_context=False)
                         for st, anchor in found[start:start + PAGE_SIZE]]
    return document
