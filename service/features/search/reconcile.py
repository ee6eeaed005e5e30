"""The Reconciliation Service API 0.2 (W3C Entity Reconciliation Community Group, 2023) over the dataset: what
OpenRefine and other clients ask to match a column of names against histkg. No HTTP here (the web side is
service.web.pages.reconcile); answers are plain JSON-ready dicts, checked against the specification's JSON Schemas
by tests/test_reconcile.py. Data extension (`extend`, property proposals) is in search.reconcile_extend.

Identifiers: an entity's id is its IRI without the identifier space (`{base}id/`): `viktor-belenko`; an entity
outside that space keeps its whole IRI. Types and properties are identified by their IRIs; short names (`hk:Person`)
and, for types, the labels the search page shows (`person`) are accepted too.

Candidates come from the search page's forgiving search (service.features.search.matching): its score (1.0 exact, 0.8 a
prefix or a whole word ...) times 100 is the name's part of the score. A type narrows the search to the type and its
subclasses; property values (`properties`) lower the score of candidates whose data does not have them.
`match` is true only when the decision is unambiguous: the best candidate has the query as its name or alias (or as
whole words of it, "Belenko" in "Viktor Belenko"), no other candidate scores as well, and every property given
agrees.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyoxigraph as ox

from service.features.nodes import display_label
from service.features.search import matching as label_search
from service.features.search.index import fold, folded, index_for
from service.rdf.namespaces import HK, RDFS, expand, shorten
from service.store.graph import KnowledgeGraph

T = TypeVar("T")
VERSIONS = ["0.2"]
MAX_BATCH = 100          # queries in one batch (the manifest's batchSize); more is a 400
DEFAULT_LIMIT = 10
MAX_LIMIT = label_search.MAX_LIMIT
MAX_PROPERTIES = 20      # property constraints per query
MAX_VALUES = 20          # values per property constraint
PROPERTY_WEIGHT = 0.5    # the share of the score property agreement decides, when properties are given
# The ontology's own terms (typed so by the search index) are not reconciled against: entities are.
_ENTITY_SKIP = frozenset({"class", "property", "ontology"})
_QUERY_FIELDS = {"query", "type", "limit", "properties", "type_strict"}


class ReconcileError(ValueError):
    """A request the API cannot answer as sent (the web side makes it a 400 with this message)."""


def identifier_space(kg: KnowledgeGraph) -> str:
    return kg.settings.base + "id/"


def id_of(kg: KnowledgeGraph, iri: str) -> str:
    space = identifier_space(kg)
    return iri[len(space):] if iri.startswith(space) and len(iri) > len(space) else iri


def iri_of(kg: KnowledgeGraph, entity_id: str) -> str:
    if entity_id.startswith(("http://", "https://", "urn:")):
        return entity_id
    return identifier_space(kg) + entity_id


# --- the manifest -------------------------------------------------------------------------------------------------

def default_types(kg: KnowledgeGraph) -> list[dict[str, str]]:
    """The classes of the dataset's reconcilable entities (as the search page shows them), most populous first."""
    index = index_for(kg)
    counts = Counter(e.type_label for e in index.entities if e.type_iri and _reconcilable_entity(e.iri, e.type_label))
    types = [(counts[label], label, sorted(iris)[0]) for label, iris, _ in index.types.values() if counts[label]]
    return [{"id": iri, "name": label} for count, label, iri in sorted(types, key=lambda t: (-t[0], t[1]))]


def manifest(kg: KnowledgeGraph, root: str) -> dict[str, Any]:
    """The service manifest; `root` is the service's absolute URL without a trailing slash (http://host:5000)."""
    endpoint = root + "/reconcile"
    return {
        "versions": VERSIONS,
        "name": f"histkg: {kg.label(HK.rstrip('#')) or 'historical knowledge graph'}",
        "identifierSpace": identifier_space(kg),
        "schemaSpace": HK,
        "documentation": root + "/ontology",
        "batchSize": MAX_BATCH,
        "defaultTypes": default_types(kg),
        "view": {"url": endpoint + "/view?id={{id}}"},
        "preview": {"url": endpoint + "/preview?id={{id}}", "width": 400, "height": 180},
        "suggest": {name: {"service_url": root, "service_path": f"/reconcile/suggest/{name}"}
                    for name in ("entity", "type", "property")},
        "extend": {"propose_properties": {"service_url": root, "service_path": "/reconcile/propose_properties"},
                   "property_settings": []},
    }


# --- reconciliation queries ---------------------------------------------------------------------------------------

@dataclass
class Query:
    text: str
    types: list[str] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    properties: list[tuple[str, list[Any]]] = field(default_factory=list)


def parse_batch(batch: object) -> dict[str, Query]:
    """A query batch (already decoded from JSON) checked field by field; ReconcileError says what is wrong."""
    if not isinstance(batch, dict):
        raise ReconcileError("queries must be a JSON object mapping query ids to queries")
    if len(batch) > MAX_BATCH:
        raise ReconcileError(f"the batch holds {len(batch)} queries; at most {MAX_BATCH} at a time")
    return {str(key): parse_query(str(key), value) for key, value in batch.items()}


def parse_query(key: str, raw: object) -> Query:
    where = f"query {key[:40]!r}"
    if not isinstance(raw, dict):
        raise ReconcileError(f"{where}: must be a JSON object")
    unknown = set(raw) - _QUERY_FIELDS
    if unknown:
        raise ReconcileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))[:100]}; "
                             f"the fields are {', '.join(sorted(_QUERY_FIELDS))}")
    text = raw.get("query", "")
    if not isinstance(text, str):
        raise ReconcileError(f"{where}: 'query' must be a string")
    if len(text) > label_search.MAX_QUERY_CHARS:
        raise ReconcileError(f"{where}: 'query' is {len(text)} characters long; at most "
                             f"{label_search.MAX_QUERY_CHARS}")
    types = raw.get("type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) and 0 < len(t) <= 300 for t in types) \
            or len(types) > 20:
        raise ReconcileError(f"{where}: 'type' must be a type id or a list of at most 20 type ids")
    properties = _properties(where, raw.get("properties", []))
    if not text.strip() and not properties:
        raise ReconcileError(f"{where}: give a non-empty 'query' or at least one property value")
    return Query(text, types, parse_limit(raw.get("limit", DEFAULT_LIMIT), where), properties)


def parse_limit(value: object, where: str = "limit") -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else \
        int(value) if isinstance(value, float) and math.isfinite(value) and value.is_integer() else 0
    if not 1 <= number <= MAX_LIMIT:
        raise ReconcileError(f"{where}: 'limit' must be a whole number from 1 to {MAX_LIMIT}")
    return number


def _properties(where: str, raw: object) -> list[tuple[str, list[Any]]]:
    if not isinstance(raw, list) or len(raw) > MAX_PROPERTIES:
        raise ReconcileError(f"{where}: 'properties' must be a list of at most {MAX_PROPERTIES} {{pid, v}} objects")
    out: list[tuple[str, list[Any]]] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item \
                or not 0 < len(item["pid"]) <= 300:
            raise ReconcileError(f"{where}: each property must be an object with 'pid' (a property id) and 'v'")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        if not values or len(values) > MAX_VALUES or not all(_is_value(v) for v in values):
            raise ReconcileError(f"{where}: property {item['pid'][:60]!r}: 'v' must be a string, number, boolean or "
                                 f"{{id}} object, or a list of 1 to {MAX_VALUES} of them")
        out.append((expand(item["pid"]), values))
    return out


def _is_value(v: object) -> bool:
    if isinstance(v, dict):
        return isinstance(v.get("id"), str) and 0 < len(v["id"]) <= 300
    return isinstance(v, str | int | float | bool) and len(str(v)) <= 300


def reconcile(kg: KnowledgeGraph, queries: dict[str, Query]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The result batch: each query answered on its own, candidates best first."""
    return {key: {"result": candidates(kg, query)} for key, query in queries.items()}


def type_labels(kg: KnowledgeGraph, wanted: list[str]) -> list[str]:
    """The search types (labels of asserted classes) that the requested types and their subclasses cover.
    ReconcileError for a type that is neither such a label nor a class of the ontology."""
    index_types = index_for(kg).types
    labels: list[str] = []
    for raw in wanted:
        found = label_search.resolve_type(kg, raw)
        iri = expand(raw.strip())
        subclasses = _subclasses(kg, iri) if iri.startswith(("http://", "https://")) else set()
        if found is None and not subclasses:
            raise ReconcileError(f"unknown type {raw[:80]!r}: use a class IRI (see /reconcile/suggest/type) or one "
                                 f"of the types the manifest lists")
        labels += [found] if found else []
        labels += [label for label, iris, _ in index_types.values() if iris & subclasses]
    return list(dict.fromkeys(labels))


def _subclasses(kg: KnowledgeGraph, iri: str) -> set[str]:
    """The class and its subclasses, if it is a class the graph knows (as a class or by its members)."""
    try:
        term = ox.NamedNode(iri)
    except ValueError:
        return set()
    rows = kg.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {term} "
                    f"FILTER EXISTS {{ {{ ?c a ?k }} UNION {{ ?x a ?c }} UNION {{ ?c <{RDFS}subClassOf> ?y }} }} }}")
    return {row["c"].value for row in rows if isinstance(row["c"], ox.NamedNode)}


def candidates(kg: KnowledgeGraph, query: Query) -> list[dict[str, Any]]:
    labels: list[str | None] = list(type_labels(kg, query.types)) if query.types else [None]
    if query.types and not labels:
        return []  # a class of the ontology that no reconcilable entity has
    hits: list[label_search.Hit] = []
    if query.text.strip():
        for label in labels:
            # more than asked for: candidates the search ranks alike are then ordered by how much name they cover
            hits += label_search.search(kg, query.text, limit=min(MAX_LIMIT, query.limit * 3), type_label=label)
    else:
        hits = _by_properties(kg, query, labels)
    hits = [h for h in dict((h.iri, h) for h in hits).values() if _reconcilable(h)]
    agreement = _agreement(kg, [h.iri for h in hits], query.properties)
    scored = []
    for hit in hits:
        agreed = agreement.get(hit.iri, [])
        share = sum(agreed) / len(agreed) if agreed else 1.0
        name_score = _name_score(query.text, hit) if query.text.strip() else 1.0
        score = 100 * name_score * (1 - PROPERTY_WEIGHT + PROPERTY_WEIGHT * share if query.properties else 1)
        scored.append((round(score, 1), hit, agreed))
    scored.sort(key=lambda s: -s[0])
    scored = scored[:query.limit]
    return [_candidate(kg, score, hit, agreed, query, i == 0 and _unambiguous(scored, query))
            for i, (score, hit, agreed) in enumerate(scored)]


def _reconcilable(hit: label_search.Hit) -> bool:
    return _reconcilable_entity(hit.iri, hit.type)


def _reconcilable_entity(iri: str, type_label: str) -> bool:
    return type_label not in _ENTITY_SKIP and not iri.startswith(HK)


def _coverage(text: str, hit: label_search.Hit) -> float:
    """How much of the matched name the query spells out: "Belenko" covers more of "Viktor Belenko" than of
    "KGB overseer of Belenko's unit"."""
    name = len(folded(hit.matched).compact)
    return min(1.0, len(folded(text).compact) / name) if name else 0.0


def _name_score(text: str, hit: label_search.Hit) -> float:
    """The search's score, less up to 0.1 for the part of the name the query leaves out: orders the candidates the
    search ranks alike, never lifts one above a better kind of match (kinds are 0.2 apart)."""
    return hit.score - 0.1 * (1 - _coverage(text, hit))


def _unambiguous(scored: list[tuple[float, label_search.Hit, list[bool]]], query: Query) -> bool:
    """The best candidate is the query's name (or has it as whole words), no other has as good a match by name and
    by the properties given, and all its properties agree."""
    _, best, agreed = scored[0]
    by_name = best.match in ("exact", "exact alias", "word") or not query.text.strip()
    rivals = [hit for _, hit, others in scored[1:] if hit.score >= best.score and all(others)]
    return by_name and not rivals and all(agreed)


def _candidate(kg: KnowledgeGraph, score: float, hit: label_search.Hit, agreed: list[bool], query: Query,
               match: bool) -> dict[str, Any]:
    features: list[dict[str, Any]] = [{"id": "name", "value": hit.score},
                                      {"id": "name_coverage", "value": round(_coverage(query.text, hit), 3)}
                                      ] if query.text.strip() else []
    features += [{"id": f"property:{pid}", "value": ok} for (pid, _), ok in zip(query.properties, agreed, strict=True)]
    candidate: dict[str, Any] = {"id": id_of(kg, hit.iri), "name": hit.label}
    if hit.description:
        candidate["description"] = hit.description
    candidate["type"] = [{"id": hit.type_iri, "name": hit.type}] if hit.type_iri else []
    candidate.update({"score": score, "features": features, "match": match})
    return candidate


def _values_of(kg: KnowledgeGraph, iris: list[str], pid: str) -> dict[str, list[tuple[Any, str | None]]]:
    """Each entity's values of `pid` (inferred included), with the label of an IRI value."""
    found: dict[str, list[tuple[Any, str | None]]] = {}
    if not iris:
        return found
    try:
        prop = ox.NamedNode(pid)
    except ValueError:
        raise ReconcileError(f"property {pid[:80]!r} is not a property id (an IRI or a short name like hk:rank)")\
            from None
    subjects = " ".join(str(ox.NamedNode(i)) for i in iris)
    rows = kg.query(f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {subjects} }} ?s {prop} ?o }}")
    for row in rows:
        value = row["o"]
        label = display_label(kg, value.value) if isinstance(value, ox.NamedNode) else None
        found.setdefault(row["s"].value, []).append((value, label))
    return found


def _agreement(kg: KnowledgeGraph, iris: list[str], properties: list[tuple[str, list[Any]]]
               ) -> dict[str, list[bool]]:
    """For each entity, for each property constraint: does its data hold one of the values asked for?"""
    out: dict[str, list[bool]] = {iri: [] for iri in iris}
    for pid, wanted in properties:
        values = _values_of(kg, iris, pid)
        for iri in iris:
            out[iri].append(any(_same(kg, v, have) for v in wanted for have in values.get(iri, [])))
    return out


def _same(kg: KnowledgeGraph, wanted: Any, have: tuple[Any, str | None]) -> bool:
    term, label = have
    if isinstance(wanted, dict):
        return isinstance(term, ox.NamedNode) and term.value == iri_of(kg, wanted["id"])
    if isinstance(term, ox.NamedNode):
        text = str(wanted)
        return term.value in (text, iri_of(kg, text)) or (label is not None and fold(label) == fold(text.strip()))
    if isinstance(wanted, bool) or not isinstance(wanted, int | float):
        return fold(term.value.strip()) == fold(str(wanted).strip())
    try:
        return float(term.value) == float(wanted)
    except ValueError:
        return False


def _by_properties(kg: KnowledgeGraph, query: Query, labels: list[str | None]) -> list[label_search.Hit]:
    """A query with property values only: the entities holding the first property's values (then scored by all)."""
    pid, wanted = query.properties[0]
    ids = [v["id"] for v in wanted if isinstance(v, dict)]
    texts = [str(v) for v in wanted if not isinstance(v, dict)]
    hits: list[label_search.Hit] = []
    for iri in _holders(kg, pid, [iri_of(kg, i) for i in ids], texts):
        for label in labels:
            found = [h for h in label_search.search(kg, display_label(kg, iri), limit=MAX_LIMIT, type_label=label)
                     if h.iri == iri]
            hits += found[:1]
        if len(hits) >= query.limit * 4:
            break
    return hits


def _holders(kg: KnowledgeGraph, pid: str, iris: list[str], texts: list[str]) -> list[str]:
    try:
        prop = ox.NamedNode(pid)
        objects = [ox.NamedNode(i) for i in iris]
    except ValueError:
        raise ReconcileError(f"property {pid[:80]!r} or a value id is not an IRI") from None
    literals = [ox.Literal(t) for t in texts]
    values = " ".join(str(o) for o in objects)
    strings = " ".join(str(t) for t in literals)
    rows = kg.query(f"SELECT DISTINCT ?s WHERE {{ {{ VALUES ?o {{ {values} }} ?s {prop} ?o }} UNION "
                    f"{{ VALUES ?t {{ {strings} }} ?s {prop} ?v FILTER(isLiteral(?v) && LCASE(STR(?v)) = LCASE(?t)) }}"
                    f" UNION {{ VALUES ?t {{ {strings} }} ?s {prop} ?o2 . ?o2 <{RDFS}label> ?l "
                    f"FILTER(LCASE(STR(?l)) = LCASE(?t)) }} FILTER(isIRI(?s)) }} ORDER BY ?s LIMIT {MAX_LIMIT}")
    return [row["s"].value for row in rows]


# --- suggest ------------------------------------------------------------------------------------------------------

def suggest_entities(kg: KnowledgeGraph, prefix: str, cursor: int = 0, limit: int = DEFAULT_LIMIT
                     ) -> dict[str, list[dict[str, Any]]]:
    hits = [h for h in label_search.search(kg, prefix, limit=min(cursor + limit, MAX_LIMIT)) if _reconcilable(h)]
    result = []
    for hit in hits[cursor:cursor + limit]:
        item: dict[str, Any] = {"id": id_of(kg, hit.iri), "name": hit.label}
        if hit.description:
            item["description"] = hit.description
        item["notable"] = [{"id": hit.type_iri, "name": hit.type}] if hit.type_iri else []
        result.append(item)
    return {"result": result}


def suggest_types(kg: KnowledgeGraph, prefix: str, cursor: int = 0, limit: int = DEFAULT_LIMIT
                  ) -> dict[str, list[dict[str, Any]]]:
    return {"result": by_prefix(prefix, default_types(kg), lambda t: (t["name"], t["id"]))[cursor:cursor + limit]}


def by_prefix(prefix: str, items: list[T], name_and_iri: Callable[[T], tuple[str, str]]) -> list[T]:
    """The items whose name (or IRI, or short name) starts with `prefix`, then those with a word starting so;
    all of them for an empty prefix. Folded as the search folds."""
    wanted = fold(prefix.strip())
    if not wanted:
        return items
    ranked: list[tuple[int, int, T]] = []
    for position, item in enumerate(items):
        name, iri = (fold(x) for x in name_and_iri(item))
        short = fold(shorten(name_and_iri(item)[1]))
        if name.startswith(wanted) or iri == wanted or short.startswith(wanted):
            ranked.append((0, position, item))
        elif short.split(":", 1)[-1].startswith(wanted) or any(w.startswith(wanted) for w in name.split()):
            ranked.append((1, position, item))
    return [item for _, _, item in sorted(ranked, key=lambda r: (r[0], r[1]))]
