"""The knowledge graph: files loaded into named graphs, the OWL RL closure beside them, one query engine.

The engine sits behind the store interface (service.store.base): pyoxigraph in memory, or for large datasets an
on-disk snapshot of the finished store reopened read-only at each start (service.store.embedded, .snapshot; see
bench/ for why pyoxigraph: it parses and answers queries one to two orders of magnitude faster than rdflib's engine);
or any SPARQL server (service.store.remote). service.store.builder makes a KnowledgeGraph; this module is the loaded,
immutable graph. Graphs: ontology, facts, statements, inferred, plus any named graphs the input files carry. SPARQL
sees their union by default; `infer=False` leaves the inferred graph out.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from service.config import Settings
from service.rdf.namespaces import GraphNames
from service.store.base import Store
from service.store.caches import LABEL_PREDICATES, LabelCache, best_labels

if TYPE_CHECKING:
    from service.store.remote import RemoteStore

log = logging.getLogger(__name__)

C = TypeVar("C")
# The hidden graphs holding a union of graphs, each triple once (see service.store.builder): the asserted graphs', and
# (on a remote server, which has no default-graph copy) every graph's. Not among the dataset's named graphs: never
# listed, exported or pushed as one.
ASSERTED_UNION = "urn:x-histkg:graph:asserted-union"
UNION = "urn:x-histkg:graph:union"


@dataclass
class LoadReport:
    phases: list[tuple[str, float]] = field(default_factory=list)
    closure_from_cache: bool = False

    def add(self, phase: str, seconds: float) -> None:
        self.phases.append((phase, seconds))
        log.info("%s in %.3f s", phase, seconds)


class KnowledgeGraph:
    """A loaded, reasoned, immutable dataset. Build one with `KnowledgeGraph.load(settings)` (service.store.builder).

    `union_in_default_graph`: the store keeps the union of the default view (every graph, inferred included) in its
    default graph, each triple once. `asserted_union` and `union_graph`: the names of hidden graphs holding the union
    of the asserted graphs, and of every graph, each triple once, where some triple is in two of them (else the list
    of graphs is that union already). `snapshot_path`: the on-disk snapshot served from, or None."""

    def __init__(self, settings: Settings, store: Store, graphs: GraphNames, version: str,
                 extra_graphs: list[str], report: LoadReport, *, union_in_default_graph: bool = False,
                 asserted_union: str | None = None, union_graph: str | None = None, snapshot_path: Path | None = None,
                 quad_count: int | None = None) -> None:
        self.settings = settings
        self.store = store
        self.graphs = graphs
        self.version = version
        self.extra_graphs = extra_graphs
        self.report = report
        self.union_in_default_graph = union_in_default_graph
        self.asserted_union = asserted_union
        self.union_graph = union_graph
        self._hidden = {ox.NamedNode(g) for g in (asserted_union, union_graph) if g is not None}
        self.snapshot_path = snapshot_path
        self._quad_count = quad_count
        self._graph_sizes: dict[str, int] | None = None
        self.labels = LabelCache()
        self._derived: dict[type[Any], Any] = {}

    @classmethod
    def load(cls, settings: Settings) -> KnowledgeGraph:
        from service.store import builder
        return builder.load(settings)

    @classmethod
    def connect(cls, settings: Settings, query_url: str) -> KnowledgeGraph:
        """The graph held by a remote SPARQL server, loaded there by `push` (`histkg load --into`)."""
        from service.store import builder
        return builder.connect(settings, query_url)

    def push(self, target: RemoteStore) -> list[tuple[str, int]]:
        """Copy every graph (ontology, facts, statements, inferred, extras) into a remote store, replacing it."""
        from service.store import builder
        return builder.push(self, target)

    def with_settings(self, **changes: object) -> KnowledgeGraph:
        """The same loaded graph (same store, same version, same caches) under changed settings, e.g. a shorter time
        limit."""
        clone = copy.copy(self)
        clone.settings = self.settings.with_(**changes)
        return clone

    def derived(self, kind: type[C]) -> C:
        """The cache of answers of type `kind` derived from this graph (explanations, ...), made on first use: a
        feature's typed, bounded object, valid as long as the graph."""
        found = self._derived.get(kind)
        if found is None:
            found = self._derived.setdefault(kind, kind())
        return found  # type: ignore[no-any-return]

    @property
    def quad_count(self) -> int:
        """Quads in the store (named graphs and the union copies), counted once: counting an on-disk store walks it."""
        if self._quad_count is None:
            self._quad_count = len(self.store)
        return self._quad_count

    # --- graphs -------------------------------------------------------------------------------------------------
    def default_graphs(self, infer: bool = True) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
        """The graphs whose union is a query's default graph."""
        names = [*self.graphs.asserted, *self.extra_graphs]
        if infer:
            names.append(self.graphs.inferred)
        return [ox.NamedNode(n) for n in names]

    def graph_names(self) -> list[str]:
        return [*self.graphs.all, *self.extra_graphs]

    def graph_size(self, name: str) -> int:
        """Triples in the graph `name` (0 for a graph the dataset does not hold)."""
        return self.graph_sizes().get(name, 0)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph of the dataset, counted once (the data never changes) and in one query: a union
        of per-graph counts, which in memory beats a GROUP BY over the store, and over a remote store is one request
        for all of them."""
        if self._graph_sizes is None:
            names = self.graph_names()
            counts = " UNION ".join(f"{{ {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} }} "
                                    f"BIND(<{g}> AS ?g) }}" for g in names)
            found = {row["g"].value: int(row["n"].value)
                     for row in self.store.query(f"SELECT ?g ?n WHERE {{ {counts} }}")}
            self._graph_sizes = {name: found.get(name, 0) for name in names}
        return self._graph_sizes

    # --- queries ------------------------------------------------------------------------------------------------
    def query(self, text: str, *, infer: bool = True, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, substitutions: dict[ox.Variable, Any] | None = None,
              base_iri: str | None = None, timeout: float | None = None) -> Any:
        """Run an already-vetted query (see service.query.sparql for the guard). Graph lists name graphs we hold;
        `base_iri` resolves relative IRIs in a query that declares no BASE (the protocol's service-defined base);
        `timeout` bounds a remote store's answer (the embedded engine is bounded by its query process instead)."""
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
        if default_graph is not None:
            default = [ox.NamedNode(g) for g in default_graph]
        elif infer and self.union_in_default_graph:
            default = [ox.DefaultGraph()]  # the union, stored once: 2-3x faster than a list of graphs (bench/)
        elif (union := self.union_graph if infer else self.asserted_union) is not None:
            # The engine reads a list of graphs as a bag (a triple held by two graphs would match twice); the default
            # graph is their RDF merge, a set: the hidden copy holds each triple once.
            default = [ox.NamedNode(union)]
        else:
            default = self.default_graphs(infer)
        named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in named_graphs] if named_graphs is not None \
            else [ox.NamedNode(g) for g in self.graph_names() if infer or g != self.graphs.inferred]
        return self.store.query(text, default_graph=default, named_graphs=named, substitutions=substitutions,
                                base_iri=base_iri, timeout=timeout)

    def triples(self, subject: ox.NamedNode | ox.BlankNode | None = None, predicate: ox.NamedNode | None = None,
                obj: Any = None, *, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads in the named graph `graph`, or in every named graph (never the union copies)."""
        if graph is not None:
            return self.store.quads_for_pattern(subject, predicate, obj, ox.NamedNode(graph))
        return self._named(self.store.quads_for_pattern(subject, predicate, obj, None))

    def _named(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """The quads in one of the dataset's named graphs: not in a union copy."""
        hidden = self._hidden
        return (q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name not in hidden)

    def quads_for_subjects(self, subjects: Iterable[Any], predicate: ox.NamedNode | None = None) -> list[ox.Quad]:
        """The quads (of every named graph) of many subjects, with `predicate` if given: together, in one request
        where lookups are requests."""
        return list(self._named(self.store.quads_for_subjects(subjects, [predicate] if predicate is not None else [])))

    def is_inferred(self, subject: Any, predicate: Any, obj: Any) -> bool:
        """True when the triple is in the inferred graph only (not asserted anywhere)."""
        graphs = {q.graph_name for q in self.store.quads_for_pattern(subject, predicate, obj, None)}
        inferred = ox.NamedNode(self.graphs.inferred)
        return inferred in graphs and not graphs & set(self.default_graphs(infer=False))

    # --- labels -------------------------------------------------------------------------------------------------
    def label(self, iri: str) -> str | None:
        return self.labels.get(iri, self._collect_labels)

    def prefetch_labels(self, iris: Iterable[str]) -> None:
        """Where lookups are requests, fetch the labels of `iris` not yet known, together (one request per
        VALUES_CHUNK). Elsewhere, or once every label has been collected, they are at hand already."""
        if not self.store.capabilities.batched_lookups or self.labels.collected:
            return
        wanted = self.labels.unknown(iris)
        if wanted:
            self.labels.remember(wanted, self.store.quads_for_subjects(
                [ox.NamedNode(iri) for iri in wanted], [ox.NamedNode(p) for p in LABEL_PREDICATES]))

    def remember_labels(self, iris: Iterable[str], label_quads: Iterable[ox.Quad]) -> None:
        """Where lookups are requests, remember the labels of `iris` from `label_quads` (their label triples, which a
        page fetched with its own query): an IRI without one there has none. Elsewhere a no-op."""
        if self.store.capabilities.batched_lookups and not self.labels.collected:
            self.labels.remember(iris, label_quads)

    def _collect_labels(self) -> dict[str, str]:
        """Every label of the graph, ranked (service.store.caches.best_labels)."""
        return best_labels(q for p in LABEL_PREDICATES
                           for q in self.store.quads_for_pattern(None, ox.NamedNode(p), None, None))
