"""Search that forgives: names matched whatever their case, accents, punctuation and spacing, words in any order,
and typos up to edit distance 2 (rapidfuzz); results ranked, typed and described.

Ranking, best first (service.features.search.index folds the names and orders entities by importance):

1. exact   — the label is the query (`MiG 25`, `mig25` and `MiG-25` all are the label "MiG-25"), or an alternative
             label is ("exact alias": `foxbat` is the MiG-25's skos:altLabel "Foxbat");
2. prefix  — the label starts with the query (`hak` -> "Hakodate"), or one of its words does ("word": `belenk`
             in "Viktor Belenko": a name inside a longer label is as good as its start); shorter names first
             (a person's or a place's name before the long label of an event that mentions it);
3. alias   — an alternative label (skos:altLabel, a second label) starts with the query or has it as whole words;
4. partial — each word of the query begins a word of one name, in any order (`Belenko MiG`, `25`);
5. fuzzy   — as partial, but some words within an edit distance of 1 (words of 4-5 letters) or 2 (6 or more) of a
             word of the name (`Belenco`, `Chuguevka`, `zuev`); fewer typos first. Looked for only when the better
             kinds leave room in the answer.

Ties go to the more important entity: more links in and out among the asserted facts (counted once, when the
index is built), then the shorter label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from service.features.nodes import link_for
from service.features.search.index import SearchIndex, fold, folded, index_for
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
    tiers = _whole_query(index, form.compact)
    if len(form.words) > 1:
        common = set.intersection(*(index.names_starting_with(word) for word in form.words))
        tiers[PARTIAL].extend((number, "partial") for number in common)
    found = _Found(index, type_label, limit)
    for tier, candidates in enumerate(tiers):
        if found.full:
            break
        if tier == PREFIX:  # shorter names first: a name begun by the query, before an event's long description
            found.offer_in_order(tier, 0, sorted(candidates, key=lambda c: (len(index.names[c[0]].form.words), c)),
                                 by_length=True)
        else:
            found.offer_in_order(tier, 0, sorted(candidates))
    if not found.full:
        _fuzzy(index, form.words, found)
    hits = []
    for tier, distance, _, number, kind in sorted(found.best.values()):
        name = index.names[number]
        entity = index.entities[name.entity]
        hits.append(Hit(entity.iri, entity.label, entity.type_label, entity.type_iri,
                        link_for(entity.iri, kg.settings.base), entity.description, name.text, kind,
                        round(1.0 - 0.2 * tier - 0.05 * distance, 2)))
    return hits


class _Found:
    """The best match of each entity, up to `limit` entities: (tier, typos, name, kind), which sorts best first.

    Candidates come tier by tier, each tier (and typo count) in the order of the names' numbers, which is the order
    of their entities' importance: so the first `limit` entities found are the answer, and a short prefix matching
    thousands of names stops early. Entities of other types than the one asked for are passed over."""

    def __init__(self, index: SearchIndex, type_label: str | None, limit: int) -> None:
        self.index = index
        self.type_label = type_label
        self.limit = limit
        self.best: dict[int, tuple[int, int, int, int, str]] = {}  # (tier, typos, words or 0, name, kind)

    @property
    def full(self) -> bool:
        return len(self.best) >= self.limit

    def offer_in_order(self, tier: int, distance: int, candidates: Iterable[tuple[int, str]],
                       by_length: bool = False) -> None:
        names, entities, wanted, best = self.index.names, self.index.entities, self.type_label, self.best
        for number, kind in candidates:
            if len(best) >= self.limit:
                return
            position = names[number].entity
            if position in best or (wanted is not None and entities[position].type_label != wanted):
                continue
            best[position] = (tier, distance, len(names[number].form.words) if by_length else 0, number, kind)


def _whole_query(index: SearchIndex, compact: str) -> list[list[tuple[int, str]]]:
    """Names in which the query, as one compact text, begins a part, by tier: how each matches decides its tier.
    List comprehensions rather than one loop with branches: a two-letter prefix can match thousands of names."""
    size = len(compact)
    names = index.names
    numbers, starts = index.starting_with(compact)
    pairs = list(zip(numbers, starts, strict=True))
    at_start = [names[n] for n, s in pairs if s == 0]
    inside = [(names[n], s) for n, s in pairs if s]
    # A word inside a name begun by the query ranks with the name's start: `belenk` finds "Viktor Belenko" as soon as
    # "Belenko's flight ..." (the more important entity first), not after every label that starts with "Belenko".
    whole = [name for name, s in inside if s in name.form.word_starts]
    whole_numbers = {name.number for name in whole}
    tiers: list[list[tuple[int, str]]] = [[] for _ in range(FUZZY)]
    for name in at_start:
        if size == len(name.form.compact):
            tiers[EXACT].append((name.number, "exact" if name.main else "exact alias"))
        else:
            tiers[PREFIX if name.main else ALIAS].append((name.number, "prefix" if name.main else "alias"))
    for name in whole:
        tiers[PREFIX if name.main else ALIAS].append((name.number, "word" if name.main else "alias"))
    tiers[PARTIAL].extend((name.number, "partial") for name, _ in inside if name.number not in whole_numbers)
    return tiers


def allowed_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 6 else 2


def _fuzzy(index: SearchIndex, words: tuple[str, ...], found: _Found) -> None:
    """Names in which every query word begins a word, or is within its allowed typos of a word, with some typo."""
    exact: list[set[int]] = []
    typos: list[dict[int, int]] = []
    for word in words:
        exact.append(index.names_starting_with(word))
        near: dict[int, int] = {}
        allowed = allowed_typos(word)
        if allowed:
            for spelled, distance, _ in process.extract(word, index.vocabulary, scorer=Levenshtein.distance,
                                                       score_cutoff=allowed, limit=None):
                for number in index.postings[spelled]:
                    if number not in exact[-1] and near.get(number, _UNKNOWN) > distance:
                        near[number] = int(distance)
        if not exact[-1] and not near:
            return
        typos.append(near)
    common = exact[0] | typos[0].keys()
    for found_exactly, near in zip(exact[1:], typos[1:], strict=True):
        common &= found_exactly | near.keys()
    by_typos: dict[int, list[tuple[int, str]]] = {}
    for number in common:
        distance = sum(near.get(number, 0) for near in typos)
        if distance:
            by_typos.setdefault(distance, []).append((number, "fuzzy"))
    for distance in sorted(by_typos):
        found.offer_in_order(FUZZY, distance, sorted(by_typos[distance]))
