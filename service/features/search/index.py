"""The search index: every labelled entity's names folded for matching, its type, description and importance.

Built once per loaded graph, by a handful of SPARQL queries (so it is built the same way over the embedded store
and over a remote SPARQL server, in one request each), and kept in a small cache keyed by the graph's version.

Folding: Unicode NFKD with combining marks dropped, casefolded; an English possessive dropped ("Belenko's" ->
"belenko"); punctuation inside a word joins its parts ("MiG-25" -> "mig25", one word with parts "mig" and "25");
anything else separates words. A name's `compact` form is its words run together ("mig25"), so spaces and
punctuation never matter: `MiG 25`, `mig25` and `MiG-25` fold to the same.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.features.nodes import unlabelled_name
from service.rdf.namespaces import (
    HK,
    OWL,
    RDF,
    RDF_TYPE,
    RDFS,
    RDFS_COMMENT,
    RDFS_LABEL,
    SKOS,
    SKOS_ALT_LABEL,
)
from service.store.graph import KnowledgeGraph

# Not searchable: the provenance machinery (statement nodes) and time-spans are reached through what they describe.
SKIP_TYPES = frozenset({HK + "Statement", HK + "TimeSpan"})
# Name predicates: the first two give the display label (rdfs:label before skos:prefLabel), every one is searched.
NAME_PREDICATES = (RDFS_LABEL, SKOS + "prefLabel", SKOS_ALT_LABEL)
DESCRIPTION_PREDICATES = (RDFS_COMMENT, SKOS + "definition", "https://schema.org/description",
                          "http://purl.org/dc/terms/description", "http://purl.org/dc/elements/1.1/description")
DESCRIPTION_CHARS = 160
KEY_CHARS = 32  # a word-start key keeps this many characters; longer queries are checked against the whole name
_CACHED_GRAPHS = 4
# The ontology's own terms are searchable too, typed in words rather than as "owl:ObjectProperty".
_METACLASSES = {OWL + "Class": "class", RDFS + "Class": "class", OWL + "Ontology": "ontology",
                **{kind: "property" for kind in (RDF + "Property", OWL + "ObjectProperty", OWL + "DatatypeProperty",
                                                 OWL + "AnnotationProperty", OWL + "TransitiveProperty",
                                                 OWL + "SymmetricProperty", OWL + "FunctionalProperty",
                                                 OWL + "InverseFunctionalProperty", OWL + "AsymmetricProperty",
                                                 OWL + "IrreflexiveProperty", OWL + "ReflexiveProperty")}}

_POSSESSIVE = re.compile(r"(?<=\w)['\u2019\u02bc]s\b")
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011'\u2019\u02bc.][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Folded:
    """A text folded for matching: its words (parts joined), and in `compact` where parts and words begin and end."""

    words: tuple[str, ...]
    compact: str
    part_starts: tuple[int, ...]
    word_starts: frozenset[int]
    word_ends: frozenset[int]
    parts: tuple[str, ...]


def folded(text: str) -> Folded:
    words: list[str] = []
    parts: list[str] = []
    part_starts: list[int] = []
    word_starts: set[int] = set()
    word_ends: set[int] = set()
    offset = 0
    for match in _WORD.finditer(_POSSESSIVE.sub("", fold(text))):
        word_starts.add(offset)
        pieces = _PART.findall(match.group())
        for piece in pieces:
            part_starts.append(offset)
            parts.append(piece)
            offset += len(piece)
        word_ends.add(offset)
        words.append("".join(pieces))
    return Folded(tuple(words), "".join(words), tuple(part_starts), frozenset(word_starts), frozenset(word_ends),
                  tuple(parts))


@dataclass(frozen=True)
class Entity:
    iri: str
    label: str
    type_iri: str | None
    type_label: str
    description: str
    degree: int


@dataclass(frozen=True)
class Name:
    number: int  # index into SearchIndex.names: names are numbered in the order of their entities' importance
    entity: int  # index into SearchIndex.entities
    text: str
    main: bool   # the display label (else an alternative label)
    form: Folded


@dataclass
class SearchIndex:
    """Entities ordered by importance (more links in and out first, then the shorter label): an entity's position is
    its tie-breaker. Names are found by where a part begins (`keys`, sorted, with `key_names` and `key_starts`
    alongside), whole names by their compact form (`exact`), and words by spelling for fuzzy matching (`vocabulary`,
    `postings`)."""

    entities: list[Entity]
    names: list[Name]
    keys: list[str] = field(default_factory=list)
    key_names: list[int] = field(default_factory=list)
    key_starts: list[int] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    # folded type label -> (label, the classes shown by that label, how many entities)
    types: dict[str, tuple[str, frozenset[str], int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        entries: list[tuple[str, int, int]] = []
        words: dict[str, set[int]] = {}
        for number, name in enumerate(self.names):
            form = name.form
            self.exact.setdefault(form.compact, []).append(number)
            entries.extend((form.compact[s:s + KEY_CHARS], number, s) for s in form.part_starts)
            for word in (*form.words, *form.parts):
                words.setdefault(word, set()).add(number)
        entries.sort()
        self.keys = [key for key, _, _ in entries]
        self.key_names = [number for _, number, _ in entries]
        self.key_starts = [start for _, _, start in entries]
        self.vocabulary = sorted(words)
        self.postings = {word: sorted(numbers) for word, numbers in words.items()}
        counts = Counter(e.type_label for e in self.entities)
        iris: dict[str, set[str]] = {}
        for e in self.entities:
            iris.setdefault(e.type_label, set()).update([e.type_iri] if e.type_iri else [])
        self.types = {fold(label): (label, frozenset(iris[label]), n) for label, n in sorted(counts.items())}

    def starting_with(self, prefix: str) -> tuple[list[int], list[int]]:
        """(names, offsets): every name in which a part begins with `prefix` (a compact folded text), and where.
        Slices of the sorted keys, so that a short prefix matching thousands of names costs little."""
        key = prefix[:KEY_CHARS]
        low = bisect_left(self.keys, key)
        high = bisect_left(self.keys, key + "\U0010ffff", low)
        numbers, starts = self.key_names[low:high], self.key_starts[low:high]
        if len(prefix) > KEY_CHARS:  # the keys were cut: check the rest on the names themselves
            kept = [(n, s) for n, s in zip(numbers, starts, strict=True)
                    if self.names[n].form.compact.startswith(prefix, s)]
            numbers, starts = [n for n, _ in kept], [s for _, s in kept]
        return numbers, starts

    def names_starting_with(self, prefix: str) -> set[int]:
        return set(self.starting_with(prefix)[0])


# --- building ---------------------------------------------------------------------------------------------------

_lock = threading.Lock()
_built: OrderedDict[str, tuple[object, SearchIndex]] = OrderedDict()


def index_for(kg: KnowledgeGraph) -> SearchIndex:
    """The graph's index, built at the first search and kept while the graph is among the last few served (keyed by
    the dataset's version; the store is compared too, in case two stores were loaded from the same inputs)."""
    with _lock:
        found = _built.get(kg.version)
        if found is not None and found[0] is kg.store:
            _built.move_to_end(kg.version)
            return found[1]
        index = build(kg)
        _built[kg.version] = (kg.store, index)
        while len(_built) > _CACHED_GRAPHS:
            _built.popitem(last=False)
        return index


def build(kg: KnowledgeGraph) -> SearchIndex:
    names = _names(kg)
    types = _types(kg, names)
    descriptions = _descriptions(kg)
    degrees = _degrees(kg)
    entities: list[Entity] = []
    for iri, texts in names.items():
        if iri not in types:
            continue
        type_iri = types[iri]
        type_label = _METACLASSES.get(type_iri or "") or (_label_of(names, type_iri) if type_iri else "resource")
        entities.append(Entity(iri, _display(texts), type_iri, type_label, descriptions.get(iri, ""),
                               degrees.get(iri, 0)))
    entities.sort(key=lambda e: (-e.degree, len(e.label), e.label, e.iri))
    forms = [(position, text, text == entity.label, folded(text))
             for position, entity in enumerate(entities)
             for text, _ in sorted(names[entity.iri].items(), key=lambda item: (item[1], item[0]))]
    kept = [form for form in forms if form[3].compact]
    return SearchIndex(entities, [Name(number, *form) for number, form in enumerate(kept)])


def _values(predicates: Iterable[str]) -> str:
    return " ".join(f"<{p}>" for p in predicates)


def _names(kg: KnowledgeGraph) -> dict[str, dict[str, int]]:
    """Every IRI's names with their rank: rdfs:label 0, skos:prefLabel 2, skos:altLabel 4; one more when the
    language is neither English nor none. The lowest-ranked name is the display label."""
    ranks = {RDFS_LABEL: 0, SKOS + "prefLabel": 2, SKOS_ALT_LABEL: 4}
    rows = kg.query(f"SELECT ?s ?p ?name WHERE {{ VALUES ?p {{ {_values(NAME_PREDICATES)} }} ?s ?p ?name "
                    "FILTER(isIRI(?s) && isLiteral(?name)) }")
    names: dict[str, dict[str, int]] = {}
    for row in rows:
        literal = row["name"]
        language = str(literal.language or "")
        rank = ranks[row["p"].value] + (0 if language in ("", "en") or language.startswith("en-") else 1)
        texts = names.setdefault(row["s"].value, {})
        texts[literal.value] = min(rank, texts.get(literal.value, rank))
    return names


def _display(texts: dict[str, int]) -> str:
    return min(texts.items(), key=lambda item: (item[1], item[0]))[0]


def _label_of(names: dict[str, dict[str, int]], iri: str) -> str:
    if iri in names:
        return _display(names[iri])
    return unlabelled_name(iri)  # not display_label: over a remote store, that would fetch every label


def _types(kg: KnowledgeGraph, names: dict[str, dict[str, int]]) -> dict[str, str | None]:
    """The asserted class shown for each named IRI (the dataset's own classes before imported ones; inferred
    alignment classes never), None for an untyped one; statement nodes and time-spans are left out."""
    classes: dict[str, list[str]] = {}
    for row in kg.query(f"SELECT ?s ?c WHERE {{ ?s <{RDF_TYPE}> ?c FILTER(isIRI(?s) && isIRI(?c)) }}", infer=False):
        if row["s"].value in names:
            classes.setdefault(row["s"].value, []).append(row["c"].value)
    own = (HK, kg.settings.base)
    chosen: dict[str, str | None] = {}
    for iri in names:
        found = sorted(classes.get(iri, ()))
        if any(c in SKIP_TYPES for c in found):
            continue
        local = [c for c in found if c.startswith(own)] or found
        chosen[iri] = local[0] if local else None
    return chosen


def _descriptions(kg: KnowledgeGraph) -> dict[str, str]:
    """One line per IRI: its rdfs:comment (or skos:definition, schema:description, Dublin Core description), English
    or untagged first, whitespace collapsed, cut at a word boundary."""
    order = {p: i for i, p in enumerate(DESCRIPTION_PREDICATES)}
    best: dict[str, tuple[int, str]] = {}
    rows = kg.query(f"SELECT ?s ?p ?d WHERE {{ VALUES ?p {{ {_values(DESCRIPTION_PREDICATES)} }} ?s ?p ?d "
                    "FILTER(isIRI(?s) && isLiteral(?d)) }", infer=False)
    for row in rows:
        language = str(row["d"].language or "")
        rank = order[row["p"].value] * 2 + (0 if language in ("", "en") or language.startswith("en-") else 1)
        text = " ".join(row["d"].value.split())
        current = best.get(row["s"].value)
        if text and (current is None or (rank, text) < current):
            best[row["s"].value] = (rank, text)
    return {iri: shorten_text(text) for iri, (_, text) in best.items()}


def shorten_text(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-\u2013\u2014 ")
    return cut + "…"


def _degrees(kg: KnowledgeGraph) -> dict[str, int]:
    """Links in and out of each IRI among the asserted facts (the facts graph and any graph the input files named;
    rdf:type is not a link), counted once here."""
    graphs = [kg.graphs.facts, *kg.extra_graphs]
    rows = kg.query(f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ {{ ?x ?p ?o FILTER(isIRI(?o)) }} UNION "
                    f"{{ ?s ?p ?x FILTER(isIRI(?s)) }} FILTER(isIRI(?x) && ?p != <{RDF_TYPE}>) }} GROUP BY ?x",
                    default_graph=graphs)
    return {row["x"].value: int(row["n"].value) for row in rows}
