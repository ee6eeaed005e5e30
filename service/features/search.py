"""Search that forgives: names matched whatever their case, accents, punctuation and spacing, words in any order,
and typos up to edit distance 2 (rapidfuzz); results ranked, typed and described.

Ranking, best first (service.features.search_index folds the names and orders entities by importance):

1. exact   — the label is the query (`MiG 25`, `mig25` and `MiG-25` all are the label "MiG-25"), or an alternative
             label is ("exact alias": `foxbat` is the MiG-25's skos:altLabel "Foxbat");
2. prefix  — the label starts with the query (`hak` -> "Hakodate"), or has it as whole words ("word": `belenko`
             in "Viktor Belenko": a name inside a longer label is as good as its start);
3. alias   — an alternative label (skos:altLabel, a second label) starts with the query or has it as whole words;
4. partial — each word of the query begins a word of one name, in any order (`Belenko MiG`, `25`);
5. fuzzy   — as partial, but some words within an edit distance of 1 (words of 4-5 letters) or 2 (6 or more) of a
             word of the name (`Belenco`, `Chuguevka`, `zuev`); fewer typos first. Looked for only when the better
             kinds leave room in the answer.

Ties go to the more important entity: more links in and out among the asserted facts (counted once, when the
index is built), then the shorter label.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from service.features.nodes import link_for
from service.features.search_index import SearchIndex, fold, folded, index_for
from service.rdf.namespaces import shorten
from service.store.graph import KnowledgeGraph

MAX_RESULTS = 20
MAX_LIMIT = 100
MAX_QUERY_CHARS = 200

EXACT, PREFIX, ALIAS, PARTIAL, FUZZY = range(5)
_UNKNOWN = 1 << 30


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    type: str                # the label of the entity's asserted class
    type_iri: str | None
    url: str | None
    description: str         # one line, perhaps cut ("…"), perhaps empty
    matched: str             # the name (label or alternative label) that matched
    match: str               # exact, exact alias, prefix, word, alias, partial or fuzzy
    score: float             # 1.0 for an exact label, less for each kind down the list, less for each typo

    def as_json(self) -> dict[str, str | float | None]:
        return {"iri": self.iri, "label": self.label, "type": self.type, "url": self.url,
                "class": self.type_iri, "description": self.description, "matched": self.matched,
                "match": self.match, "score": self.score}


@dataclass(frozen=True)
class TypeOption:
    label: str  # as results show it (the label of the asserted class); what `type=` takes
    count: int  # searchable entities of this type


def type_options(kg: KnowledgeGraph) -> list[TypeOption]:
    """The types results can be filtered by (the asserted classes of searchable entities), by label."""
    return [TypeOption(label, count) for label, _, count in index_for(kg).types.values()]


def resolve_type(kg: KnowledgeGraph, value: str) -> str | None:
    """The type a `type=` filter names, as results show it: by its label ("person", any case), or its class by IRI or
    short name ("hk:Person"); None when no searchable entity has it."""
    wanted = value.strip()
    types = index_for(kg).types
    if fold(wanted) in types:
        return types[fold(wanted)][0]
    return next((label for label, iris, _ in types.values() if wanted in iris or wanted in map(shorten, iris)), None)


def search(kg: KnowledgeGraph, query: str, limit: int = MAX_RESULTS, type_label: str | None = None) -> list[Hit]:
    """The best `limit` matches of `query`, of the type labelled `type_label` (see resolve_type) if given."""
    index = index_for(kg)
    form = folded(query[:MAX_QUERY_CHARS])
    if not form.compact:
        return []
    found = _Found(index, type_label)
    for number, start in index.starting_with(form.compact):
        found.offer(number, *_kind(index, number, form.compact, start))
    if len(form.words) > 1:
        common = set.intersection(*({n for n, _ in index.starting_with(word)} for word in form.words))
        for number in common:
            found.offer(number, PARTIAL, "partial")
    if len(found.best) < limit:
        _fuzzy(index, form.words, found)
    ordered = sorted(found.best.items(), key=lambda item: (item[1][0], item[1][1], item[0]))[:limit]
    hits = []
    for position, (tier, distance, number, kind) in ordered:
        entity, name = index.entities[position], index.names[number]
        hits.append(Hit(entity.iri, entity.label, entity.type_label, entity.type_iri,
                        link_for(entity.iri, kg.settings.base), entity.description, name.text, kind,
                        round(1.0 - 0.2 * tier - 0.05 * distance, 2)))
    return hits


class _Found:
    """The best match so far of each entity: (tier, typos, name, kind); entities of other types are passed over."""

    def __init__(self, index: SearchIndex, type_label: str | None) -> None:
        self.index = index
        self.type_label = type_label
        self.best: dict[int, tuple[int, int, int, str]] = {}

    def offer(self, number: int, tier: int, kind: str, distance: int = 0) -> None:
        position = self.index.names[number].entity
        if self.type_label is not None and self.index.entities[position].type_label != self.type_label:
            return
        candidate = (tier, distance, number, kind)
        current = self.best.get(position)
        if current is None or candidate < current:
            self.best[position] = candidate


def _kind(index: SearchIndex, number: int, compact: str, start: int) -> tuple[int, str]:
    """How a name matches the whole query found at `start` in it (a part's start)."""
    name = index.names[number]
    form = name.form
    end = start + len(compact)
    if start == 0 and end == len(form.compact):
        return (EXACT, "exact") if name.main else (EXACT, "exact alias")
    if start == 0 or (start in form.word_starts and end in form.word_ends):
        if not name.main:
            return ALIAS, "alias"
        return PREFIX, "prefix" if start == 0 else "word"
    return PARTIAL, "partial"


def allowed_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 6 else 2


def _fuzzy(index: SearchIndex, words: tuple[str, ...], found: _Found) -> None:
    """Names in which every query word begins a word, or is within its allowed typos of one, with some typo."""
    per_word: list[dict[int, int]] = []
    for word in words:
        distances = {number: 0 for number, _ in index.starting_with(word)}
        typos = allowed_typos(word)
        if typos:
            for spelled, distance, _ in process.extract(word, index.vocabulary, scorer=Levenshtein.distance,
                                                       score_cutoff=typos, limit=None):
                for number in index.postings[spelled]:
                    if distances.get(number, _UNKNOWN) > distance:
                        distances[number] = int(distance)
        if not distances:
            return
        per_word.append(distances)
    common = set(per_word[0]).intersection(*per_word[1:])
    for number in common:
        distance = sum(d[number] for d in per_word)
        if distance:
            found.offer(number, FUZZY, "fuzzy", distance)
