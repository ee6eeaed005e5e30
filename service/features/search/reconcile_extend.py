"""Reconciliation API 0.2, data extension and property suggestions: the properties the ontology declares, proposed
for a type (by their rdfs:domain, the type's superclasses included, then by use among the type's entities) and
fetched for reconciled entities (`extend`). Values: an entity under the identifier space as {id, name}; any other
IRI, and literals, as {str}; numbers as {int} / {float}; an xsd:date as {date} at midnight UTC (the API's date form
needs a time; the data's day is kept as is, the time says nothing); a boolean as {str} "true" / "false".
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from service.features.nodes import display_label
from service.features.search.reconcile import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ReconcileError,
    by_prefix,
    id_of,
    identifier_space,
    iri_of,
)
from service.features.vocabulary import Term, vocabulary
from service.rdf.namespaces import RDFS, XSD, expand
from service.store.graph import KnowledgeGraph

MAX_IDS = 200
MAX_PROPERTIES = 50
MAX_VALUES_PER_CELL = 50
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                               "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}


def _properties(kg: KnowledgeGraph) -> list[Term]:
    return vocabulary(kg).properties


def _described(term: Term) -> dict[str, str]:
    item = {"id": term.node.value, "name": term.node.label}
    if term.comment:
        item["description"] = term.comment
    return item


def suggest_properties(kg: KnowledgeGraph, prefix: str, cursor: int = 0, limit: int = DEFAULT_LIMIT
                       ) -> dict[str, list[dict[str, str]]]:
    found = by_prefix(prefix, _properties(kg), lambda t: (t.node.label, t.node.value))
    return {"result": [_described(t) for t in found[cursor:cursor + limit]]}


def propose_properties(kg: KnowledgeGraph, type_id: str, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The properties to fetch for entities of `type_id`: those whose domain is the type or a superclass of it, then
    those its entities use, each once, declared ones first."""
    iri = expand(type_id.strip())
    try:
        term = ox.NamedNode(iri)
    except ValueError:
        raise ReconcileError(f"type {type_id[:80]!r} is not a type id (a class IRI or a short name like hk:Person)")\
            from None
    supers = {row["d"].value for row in kg.query(f"SELECT ?d WHERE {{ {term} <{RDFS}subClassOf>* ?d }}")}
    if not any(True for _ in kg.triples(term)) and not any(True for _ in kg.triples(None, None, term)):
        raise ReconcileError(f"unknown type {type_id[:80]!r}: see /reconcile/suggest/type")
    used = {row["p"].value for row in kg.query(
        f"SELECT DISTINCT ?p WHERE {{ ?s a {term} ; ?p ?o }}", infer=False)}
    declared = [t for t in _properties(kg) if {d.value for d in t.domain} & supers]
    by_use = [t for t in _properties(kg) if t.node.value in used and t not in declared]
    proposed = [_described(t) for t in [*declared, *by_use]][:limit]
    return {"type": type_id, "limit": limit, "properties": proposed}


def parse_extend(raw: object) -> tuple[list[str], list[str]]:
    """(entity ids, property IRIs) of a data extension query; ReconcileError says what is wrong."""
    if not isinstance(raw, dict) or not isinstance(raw.get("ids"), list) or not isinstance(raw.get("properties"), list):
        raise ReconcileError("extend must be a JSON object with 'ids' (a list of entity ids) and 'properties' "
                             "(a list of {id} objects)")
    ids, properties = raw["ids"], raw["properties"]
    if len(ids) > MAX_IDS or len(properties) > MAX_PROPERTIES:
        raise ReconcileError(f"extend: at most {MAX_IDS} ids and {MAX_PROPERTIES} properties at a time")
    if not all(isinstance(i, str) and 0 < len(i) <= 300 for i in ids):
        raise ReconcileError("extend: every id must be a non-empty string")
    if not all(isinstance(p, dict) and isinstance(p.get("id"), str) and 0 < len(p["id"]) <= 300 for p in properties):
        raise ReconcileError("extend: every property must be an object with an 'id'")
    return [str(i) for i in ids], [expand(p["id"]) for p in properties]


def extend(kg: KnowledgeGraph, ids: list[str], properties: list[str]) -> dict[str, Any]:
    """The data extension response: for each id, for each property, its values (inferred facts included)."""
    declared = {t.node.value: t for t in _properties(kg)}
    unknown = [p for p in properties if p not in declared]
    if unknown:
        raise ReconcileError(f"extend: {unknown[0][:80]!r} is not a property the ontology declares "
                             f"(see /reconcile/suggest/property)")
    meta = []
    for pid in properties:
        item: dict[str, Any] = {"id": pid, "name": declared[pid].node.label}
        ranges = [r for r in declared[pid].range if not r.value.startswith(XSD)]
        if ranges:
            item["type"] = {"id": ranges[0].value, "name": ranges[0].label}
        meta.append(item)
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entity_id in dict.fromkeys(ids):
        try:
            subject = ox.NamedNode(iri_of(kg, entity_id))
        except ValueError:
            raise ReconcileError(f"extend: {entity_id[:80]!r} is not an entity id") from None
        rows[entity_id] = {pid: _cell(kg, subject, pid) for pid in properties}
    return {"meta": meta, "rows": rows}


def _cell(kg: KnowledgeGraph, subject: ox.NamedNode, pid: str) -> list[dict[str, Any]]:
    rows = kg.query(f"SELECT DISTINCT ?o WHERE {{ {subject} {ox.NamedNode(pid)} ?o }} ORDER BY ?o "
                    f"LIMIT {MAX_VALUES_PER_CELL}")
    return [_value(kg, row["o"]) for row in rows]


def _value(kg: KnowledgeGraph, term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(identifier_space(kg)):
            return {"id": id_of(kg, term.value), "name": display_label(kg, term.value)}
        return {"str": term.value}
    if not isinstance(term, ox.Literal):
        return {"str": str(term)}
    datatype = term.datatype.value
    try:
        if datatype in _INTEGERS:
            return {"int": int(term.value)}
        if datatype in _FLOATS and term.value.lower() not in ("nan", "inf", "-inf", "+inf"):
            return {"float": float(term.value)}
    except ValueError:
        pass
    if datatype == XSD + "date" and len(term.value) == 10:
        return {"date": term.value + "T00:00:00Z"}
    if datatype == XSD + "dateTime":
        return {"date": term.value}
    return {"str": term.value}


__all__ = ["MAX_LIMIT", "extend", "parse_extend", "propose_properties", "suggest_properties"]
