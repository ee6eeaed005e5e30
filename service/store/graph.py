"""The knowledge graph: files loaded into named graphs, the OWL RL closure beside them, one query engine.

The engine is a pyoxigraph store (see bench/ for why: it parses and answers queries one to two orders of magnitude
faster than rdflib's engine): in memory, or for large datasets an on-disk snapshot of the finished store reopened
read-only at each start (service.store.snapshot); or any SPARQL server through service.store.remote. Graphs: ontology,
facts, statements, inferred, plus any named graphs the input files carry. SPARQL sees their union by default;
`infer=False` leaves the inferred graph out.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from service.config import Settings
from service.errors import DataFileError
from service.rdf.loading import LoadedData, load_files, read_inputs
from service.rdf.namespaces import RDFS_LABEL, SKOS, GraphNames
from service.reasoning import reasoner
from service.store import snapshot
from service.store.remote import RemoteStore

log = logging.getLogger(__name__)



@dataclass
class LoadReport:
    phases: list[tuple[str, float]] = field(default_factory=list)
    closure_from_cache: bool = False

    def add(self, phase: str, seconds: float) -> None:
        self.phases.append((phase, seconds))
        log.info("%s in %.3f s", phase, seconds)


class StoreLike(Protocol):
    """What the service asks of a store: pyoxigraph's in-memory Store, or a RemoteStore over HTTP."""

    def query(self, query: str, *, default_graph: Any = ..., named_graphs: Any = ..., substitutions: Any = ...,
              base_iri: str | None = ...) -> Any: ...

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = ...) -> Any: ...

    def __len__(self) -> int: ...

    def __contains__(self, quad: Any) -> bool: ...


class KnowledgeGraph:
    """A loaded, reasoned, immutable dataset. Build one with `KnowledgeGraph.load(settings)`."""

    def __init__(self, settings: Settings, store: StoreLike, graphs: GraphNames, version: str,
                 extra_graphs: list[str], report: LoadReport) -> None:
        self.settings = settings
        self.store = store
        self.graphs = graphs
        self.version = version
        self.extra_graphs = extra_graphs
        self.report = report
        self._labels: dict[str, str] | None = None
        # Derived answers features may keep (explanations, ...): valid as long as this object, whose data never
        # changes. Each feature bounds its own entry.
        self.memo: dict[str, Any] = {}
        # Whether the store keeps the union of the default view in its default graph (see _build_store).
        self.union_in_default_graph = False
        # The on-disk store snapshot served from (service.store.snapshot), or None for an in-memory or remote store.
        self.snapshot_path: Path | None = None
        self._quad_count: int | None = None

    def with_settings(self, **changes: object) -> KnowledgeGraph:
        """The same loaded graph (same store, same version) under changed settings, e.g. a shorter time limit."""
        clone = copy.copy(self)
        clone.settings = self.settings.with_(**changes)
        return clone

    @property
    def quad_count(self) -> int:
        """Quads in the store (named graphs and the union copy), counted once: counting an on-disk store walks it."""
        if self._quad_count is None:
            self._quad_count = len(self.store)
        return self._quad_count

    @classmethod
    def load(cls, settings: Settings) -> KnowledgeGraph:
        report = LoadReport()
        contents = None
        if settings.storage != "memory" and settings.cache_dir is not None:
            started = time.perf_counter()
            fingerprints, contents = read_inputs(settings.ontology_files, settings.data_files, settings.graph_files)
            reopened = cls._reopen(settings, reasoner.cache_key(fingerprints), started, report)
            if reopened is not None:
                return reopened
        started = time.perf_counter()
        files = [*settings.ontology_files, *settings.data_files, *(path for _, path in settings.graph_files)]
        loaded = load_files(settings.ontology_files, settings.data_files, settings.graph_files, contents)
        key = reasoner.cache_key(loaded.fingerprints)
        report.add(f"parsed {len(files)} file(s)", time.perf_counter() - started)

        started = time.perf_counter()
        reasoning_input = loaded.facts + [t for ts in loaded.named.values() for t in ts]
        inferred, report.closure_from_cache = reasoner.closure(
            loaded.ontology, reasoning_input, key, settings.cache_dir, settings.reasoner, settings.reasoner_threshold)
        what = "closure read from cache" if report.closure_from_cache else "OWL 2 RL closure computed"
        count = inferred.count(b"\n") if isinstance(inferred, bytes) else len(inferred)
        report.add(f"{what} ({count} inferred triples)", time.perf_counter() - started)

        graphs = GraphNames(settings.base)
        if _wants_snapshot(settings, loaded.size() + count):
            kg = cls._snapshot(settings, loaded, inferred, graphs, key, _size_estimate(settings, loaded.size() + count),
                               report)
            if kg is not None:
                return kg
        started = time.perf_counter()
        store = _build_store(loaded, inferred, graphs, settings.union_copy)
        kept = "the named graphs and their union" if settings.union_copy else "the named graphs"
        kg = cls(settings, store, graphs, key[:16], sorted(loaded.named), report)
        report.add(f"indexed {kg.quad_count} quads ({kept}) in memory", time.perf_counter() - started)
        kg.union_in_default_graph = settings.union_copy
        return kg

    @classmethod
    def _reopen(cls, settings: Settings, key: str, started: float, report: LoadReport) -> KnowledgeGraph | None:
        """The graph from its store snapshot, when one exists for exactly these input files (`key`, their digest):
        no parsing, no reasoning, no indexing."""
        assert settings.cache_dir is not None
        path = snapshot.location(settings.cache_dir, key, settings.union_copy)
        manifest = snapshot.read_manifest(path)
        # "auto" decides by size alone, whatever snapshots an earlier "disk" run left: the same files, the same store.
        if manifest is None or (settings.storage == "auto" and manifest.size_estimate < settings.disk_threshold):
            return None
        store = snapshot.open_store(path)
        if store is None:
            return None
        report.closure_from_cache = True
        report.add(f"opened the store snapshot {path.name} ({manifest.quads} quads)", time.perf_counter() - started)
        return cls._from_snapshot(settings, store, manifest, path, report)

    @classmethod
    def _snapshot(cls, settings: Settings, loaded: LoadedData, inferred: list[ox.Triple] | bytes,
                  graphs: GraphNames, key: str, estimate: int, report: LoadReport) -> KnowledgeGraph | None:
        """Write the store snapshot and serve from it; None (the in-memory store is built) if it cannot be written."""
        assert settings.cache_dir is not None
        started = time.perf_counter()
        path = snapshot.location(settings.cache_dir, key, settings.union_copy)
        closure_graph = ox.NamedNode(graphs.inferred)
        quads: Iterable[ox.Quad] = loaded.quads(graphs)
        closure_nt = inferred if isinstance(inferred, bytes) else None
        if not isinstance(inferred, bytes):
            quads = chain(quads, (ox.Quad(t.subject, t.predicate, t.object, closure_graph) for t in inferred))
        manifest = snapshot.Manifest(key, 0, settings.union_copy, sorted(loaded.named), estimate)
        try:
            snapshot.write_snapshot(path, quads, closure_nt, closure_graph, manifest)
        except OSError as error:  # a full or read-only disk costs memory and start-up time, not correctness
            log.warning("could not write the store snapshot %s (%s); indexing in memory", path, error)
            return None
        store = snapshot.open_store(path)
        if store is None:
            return None
        report.add(f"wrote and opened the store snapshot {path.name} ({manifest.quads} quads)",
                   time.perf_counter() - started)
        return cls._from_snapshot(settings, store, manifest, path, report)

    @classmethod
    def _from_snapshot(cls, settings: Settings, store: ox.Store, manifest: snapshot.Manifest, path: Path,
                       report: LoadReport) -> KnowledgeGraph:
        kg = cls(settings, store, GraphNames(settings.base), manifest.key[:16], manifest.extra_graphs, report)
        kg.union_in_default_graph = manifest.union_copy
        kg.snapshot_path = path
        kg._quad_count = manifest.quads
        return kg

    @classmethod
    def connect(cls, settings: Settings, query_url: str) -> KnowledgeGraph:
        """The graph held by a remote SPARQL server, loaded there by `push` (`histkg load --into`)."""
        report = LoadReport()
        started = time.perf_counter()
        remote = RemoteStore(query_url, timeout=settings.query_timeout)
        sizes = {row["g"].value: int(row["n"].value) for row in remote.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        graphs = GraphNames(settings.base)
        missing = [g for g in graphs.all if g not in sizes]
        if missing:
            raise DataFileError(query_url, f"the server holds no graph {missing[0]}; load it with `histkg load`")
        # The remote dataset is immutable while served; its version is a digest of its graphs and their sizes.
        version = reasoner.cache_key([f"{g} {n}".encode() for g, n in sorted(sizes.items())])[:16]
        report.add(f"connected to {query_url} ({sum(sizes.values())} quads)", time.perf_counter() - started)
        extra = sorted(g for g in sizes if g not in graphs.all)
        return cls(settings, remote, graphs, version, extra, report)

    def push(self, target: RemoteStore) -> list[tuple[str, int]]:
        """Copy every graph (ontology, facts, statements, inferred, extras) into a remote store, replacing it."""
        pushed = []
        for name in self.graph_names():
            triples = [q.triple for q in self.triples(graph=name)]
            target.replace_graph(name, triples)
            pushed.append((name, len(triples)))
        return pushed

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
        rows = list(self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"))
        return int(rows[0]["n"].value)

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
        else:
            default = self.default_graphs(infer)
        named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in named_graphs] if named_graphs is not None \
            else [ox.NamedNode(g) for g in self.graph_names() if infer or g != self.graphs.inferred]
        if isinstance(self.store, RemoteStore):  # the embedded engine's limit is the query process (executor)
            return self.store.query(text, default_graph=default, named_graphs=named, substitutions=substitutions,
                                    base_iri=base_iri, timeout=timeout)
        return self.store.query(text, default_graph=default, named_graphs=named, substitutions=substitutions,
                                base_iri=base_iri)

    def triples(self, subject: ox.NamedNode | ox.BlankNode | None = None, predicate: ox.NamedNode | None = None,
                obj: Any = None, *, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads in the named graph `graph`, or in every named graph (never the default graph's union copy)."""
        if graph is not None:
            return iter(self.store.quads_for_pattern(subject, predicate, obj, ox.NamedNode(graph)))
        return (q for q in self.store.quads_for_pattern(subject, predicate, obj, None)
                if not isinstance(q.graph_name, ox.DefaultGraph))

    def is_inferred(self, subject: Any, predicate: Any, obj: Any) -> bool:
        """True when the triple is in the inferred graph only (not asserted anywhere)."""
        graphs = {q.graph_name for q in self.store.quads_for_pattern(subject, predicate, obj, None)}
        inferred = ox.NamedNode(self.graphs.inferred)
        return inferred in graphs and not graphs & set(self.default_graphs(infer=False))

    # --- labels -------------------------------------------------------------------------------------------------
    def label(self, iri: str) -> str | None:
        if self._labels is None:
            self._labels = self._collect_labels()
        return self._labels.get(iri)

    def _collect_labels(self) -> dict[str, str]:
        """One display label per IRI: rdfs:label, then skos:prefLabel; English or untagged preferred."""
        labels: dict[str, tuple[int, str]] = {}
        for predicate, rank in ((RDFS_LABEL, 0), (SKOS + "prefLabel", 2)):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
                literal = quad.object
                if not isinstance(quad.subject, ox.NamedNode) or not isinstance(literal, ox.Literal):
                    continue
                score = rank + (0 if literal.language in (None, "en") or str(literal.language).startswith("en")
                                else 1)
                current = labels.get(quad.subject.value)
                if current is None or score < current[0]:
                    labels[quad.subject.value] = (score, literal.value)
        return {iri: text for iri, (_, text) in labels.items()}


def _wants_snapshot(settings: Settings, named_quads: int) -> bool:
    """Whether to serve from an on-disk snapshot: asked for ("disk"), or ("auto") from `disk_threshold` quads on,
    where indexing in memory at every start costs seconds (bench/results.md). Needs a cache folder."""
    if settings.cache_dir is None or settings.storage == "memory":
        return False
    return settings.storage == "disk" or _size_estimate(settings, named_quads) >= settings.disk_threshold


def _size_estimate(settings: Settings, named_quads: int) -> int:
    """The store's quads before it is built: the named graphs, twice with the union copy."""
    return named_quads * (2 if settings.union_copy else 1)


def _build_store(loaded: LoadedData, inferred: list[ox.Triple] | bytes, graphs: GraphNames,
                 union_copy: bool) -> ox.Store:
    store = ox.Store()  # in memory
    store.extend(loaded.quads(graphs))
    inferred_graph = ox.NamedNode(graphs.inferred)
    if isinstance(inferred, bytes) and b"_:" not in inferred:
        # The cached closure, loaded by the engine itself. Only without blank nodes: the engine's loader renames
        # them, which would cut an inferred triple off the asserted node it is about.
        store.load(inferred, format=ox.RdfFormat.N_TRIPLES, to_graph=inferred_graph)
    else:
        if isinstance(inferred, bytes):
            inferred = [q.triple for q in ox.parse(inferred, format=ox.RdfFormat.N_TRIPLES)]
        store.extend(ox.Quad(t.subject, t.predicate, t.object, inferred_graph) for t in inferred)
    # The default view (every graph, inferred included) also goes into the store's default graph, once: the engine
    # answers over one graph 2-3x faster than over a list of graphs (bench/results.md), and a triple held by two
    # graphs counts once, as the union of an RDF dataset's graphs should. infer=false queries use the list. It
    # doubles the store's memory and indexing time: Settings.union_copy=False trades that back for large archives.
    if not union_copy:
        return store
    # Inside the engine (no Python objects): 2.5x faster than building the quads here (bench: 500k, 3.8 -> 1.5 s).
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store
