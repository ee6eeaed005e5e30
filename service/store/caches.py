"""Answers derived from the loaded graph and kept beside it: valid as long as the graph, whose data never changes.

Each is a typed, bounded object the graph owns (`KnowledgeGraph.labels`, `KnowledgeGraph.derived(kind)`), never a
string key in a shared dictionary. Bounds are crude but thread-safe under the GIL: a full cache is emptied, and later
pages ask again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import pyoxigraph as ox

from service.rdf.namespaces import RDFS_LABEL, SKOS

K = TypeVar("K")
V = TypeVar("V")

# The label predicates with their rank (lower wins): rdfs:label, then skos:prefLabel; a language other than English
# (or none) ranks one lower than its predicate.
LABEL_RANKS = {RDFS_LABEL: 0, SKOS + "prefLabel": 2}
LABEL_PREDICATES = tuple(LABEL_RANKS)


def best_labels(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """One display label per IRI, from its label triples: rdfs:label before skos:prefLabel, English or untagged
    before other languages; between equals, the first in code-point order (so every store gives the same)."""
    best: dict[str, tuple[int, str]] = {}
    for quad in quads:
        literal, rank = quad.object, LABEL_RANKS.get(quad.predicate.value)
        if rank is None or not isinstance(quad.subject, ox.NamedNode) or not isinstance(literal, ox.Literal):
            continue
        english = literal.language in (None, "en") or str(literal.language).startswith("en")
        candidate = (rank + (0 if english else 1), literal.value)
        current = best.get(quad.subject.value)
        if current is None or candidate < current:
            best[quad.subject.value] = candidate
    return {iri: text for iri, (_, text) in best.items()}


@dataclass
class BoundedCache(Generic[K, V]):
    """A dictionary of at most `max_size` entries; emptied when an update would pass that."""

    max_size: int = 10_000
    entries: dict[K, V] = field(default_factory=dict)

    def __contains__(self, key: K) -> bool:
        return key in self.entries

    def __getitem__(self, key: K) -> V:
        return self.entries[key]

    def __len__(self) -> int:
        return len(self.entries)

    def update(self, found: Mapping[K, V]) -> None:
        if len(self.entries) + len(found) > self.max_size:
            self.entries.clear()
        self.entries.update(found)


@dataclass
class LabelCache:
    """The display labels of the graph's IRIs.

    Where lookups are cheap (an embedded store) every label is collected at the first ask. Where each lookup is a
    request (a remote archive, perhaps far too large for that), a page that knows which IRIs it shows fetches their
    labels together, or its own query brings them along, and they are remembered here (`remember`); a label asked for
    that no page fetched makes the graph collect them all after all (`collected`), the fallback of pages that still
    ask one label at a time."""

    known: BoundedCache[str, str | None] = field(default_factory=lambda: BoundedCache(100_000))
    everything: dict[str, str] | None = None  # every label of the graph, once collected

    @property
    def collected(self) -> bool:
        return self.everything is not None

    def unknown(self, iris: Iterable[str]) -> list[str]:
        """`iris` (each once) whose label is not known yet."""
        return [iri for iri in dict.fromkeys(iris) if iri not in self.known]

    def remember(self, iris: Iterable[str], label_quads: Iterable[ox.Quad]) -> None:
        """The labels of `iris` from their label triples `label_quads`: an IRI without one there has none."""
        found = best_labels(label_quads)
        self.known.update({iri: found.get(iri) for iri in dict.fromkeys(iris)})

    def get(self, iri: str, collect: Callable[[], dict[str, str]]) -> str | None:
        """The label of `iri`: remembered, or from every label of the graph (`collect`ed once)."""
        everything = self.everything
        if everything is None:
            if iri in self.known:
                return self.known[iri]
            everything = self.everything = collect()
        return everything.get(iri)
