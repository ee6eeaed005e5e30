"""The builder: parse the input files, reason, index (in memory or into an on-disk snapshot), reopen a snapshot, or
connect to a remote server; each way ends in one fully made KnowledgeGraph (service.store.graph), never patched after.

Union copies. The engine answers over one graph 2-3x faster than over a list of graphs (bench/results.md), and reads
a list of graphs as a bag: a triple held by two graphs would match twice, where the union of an RDF dataset's graphs
holds it once. So the default view (every graph, inferred included) also goes into the store's default graph, once
(Settings.union_copy; it doubles the store's memory and indexing time: False trades that back for large archives).
The asserted-only view (`infer=false`) gets its own copy, a hidden graph, only where a triple is asserted in two
graphs: otherwise the list of asserted graphs is already their merge, and the copy would cost memory for nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from service.config import Settings
from service.errors import DataFileError
from service.rdf.loading import LoadedData, load_files, read_inputs
from service.rdf.namespaces import GraphNames
from service.reasoning import reasoner
from service.store import snapshot
from service.store.embedded import EmbeddedStore
from service.store.graph import ASSERTED_UNION, UNION, KnowledgeGraph, LoadReport
from service.store.remote import RemoteStore

log = logging.getLogger(__name__)


def load(settings: Settings) -> KnowledgeGraph:
    """The graph of the settings' files: from its snapshot if one exists for exactly these files, else parsed,
    reasoned (the closure from its cache when it can) and indexed in memory or into a new snapshot."""
    report = LoadReport()
    contents = None
    if settings.storage != "memory" and settings.cache_dir is not None:
        started = time.perf_counter()
        fingerprints, contents = read_inputs(settings.ontology_files, settings.data_files, settings.graph_files)
        reopened = reopen(settings, reasoner.cache_key(fingerprints), started, report)
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
        kg = write_snapshot(settings, loaded, inferred, graphs, key, _size_estimate(settings, loaded.size() + count),
                            report)
        if kg is not None:
            return kg
    return in_memory(settings, loaded, inferred, graphs, key, report)


def in_memory(settings: Settings, loaded: LoadedData, inferred: list[ox.Triple] | bytes, graphs: GraphNames,
              key: str, report: LoadReport) -> KnowledgeGraph:
    started = time.perf_counter()
    asserted_union = _asserted_union(settings, loaded)
    engine = _build_store(loaded, inferred, graphs, settings.union_copy)
    if asserted_union is not None:
        copy_union(engine, [*graphs.asserted, *loaded.named], asserted_union)
    kg = KnowledgeGraph(settings, EmbeddedStore(engine), graphs, key[:16], sorted(loaded.named), report,
                        union_in_default_graph=settings.union_copy, asserted_union=asserted_union)
    kept = "the named graphs and their union" if settings.union_copy else "the named graphs"
    report.add(f"indexed {kg.quad_count} quads ({kept}) in memory", time.perf_counter() - started)
    return kg


def reopen(settings: Settings, key: str, started: float, report: LoadReport) -> KnowledgeGraph | None:
    """The graph from its store snapshot, when one exists for exactly these input files (`key`, their digest): no
    parsing, no reasoning, no indexing."""
    assert settings.cache_dir is not None
    path = snapshot.location(settings.cache_dir, key, settings.union_copy)
    manifest = snapshot.read_manifest(path)
    # "auto" decides by size alone, whatever snapshots an earlier "disk" run left: the same files, the same store.
    if manifest is None or (settings.storage == "auto" and manifest.size_estimate < settings.disk_threshold):
        return None
    engine = snapshot.open_store(path)
    if engine is None:
        return None
    report.closure_from_cache = True
    report.add(f"opened the store snapshot {path.name} ({manifest.quads} quads)", time.perf_counter() - started)
    return _from_snapshot(settings, engine, manifest, path, report)


def write_snapshot(settings: Settings, loaded: LoadedData, inferred: list[ox.Triple] | bytes, graphs: GraphNames,
                   key: str, estimate: int, report: LoadReport) -> KnowledgeGraph | None:
    """Write the store snapshot and serve from it; None (the in-memory store is built) if it cannot be written."""
    assert settings.cache_dir is not None
    started = time.perf_counter()
    path = snapshot.location(settings.cache_dir, key, settings.union_copy)
    closure_graph = ox.NamedNode(graphs.inferred)
    quads: Iterable[ox.Quad] = loaded.quads(graphs)
    closure_nt = inferred if isinstance(inferred, bytes) else None
    if not isinstance(inferred, bytes):
        quads = chain(quads, (ox.Quad(t.subject, t.predicate, t.object, closure_graph) for t in inferred))
    asserted_union = _asserted_union(settings, loaded)
    manifest = snapshot.Manifest(key, 0, settings.union_copy, sorted(loaded.named), estimate,
                                 asserted_union=asserted_union)
    copy = (lambda engine: copy_union(engine, [*graphs.asserted, *loaded.named], asserted_union)) \
        if asserted_union is not None else None
    try:
        snapshot.write_snapshot(path, quads, closure_nt, closure_graph, manifest, finish=copy)
    except OSError as error:  # a full or read-only disk costs memory and start-up time, not correctness
        log.warning("could not write the store snapshot %s (%s); indexing in memory", path, error)
        return None
    engine = snapshot.open_store(path)
    if engine is None:
        return None
    report.add(f"wrote and opened the store snapshot {path.name} ({manifest.quads} quads)",
               time.perf_counter() - started)
    return _from_snapshot(settings, engine, manifest, path, report)


def _from_snapshot(settings: Settings, engine: ox.Store, manifest: snapshot.Manifest, path: Path,
                   report: LoadReport) -> KnowledgeGraph:
    return KnowledgeGraph(settings, EmbeddedStore(engine, path), GraphNames(settings.base), manifest.key[:16],
                          manifest.extra_graphs, report, union_in_default_graph=manifest.union_copy,
                          asserted_union=manifest.asserted_union, snapshot_path=path, quad_count=manifest.quads)


def connect(settings: Settings, query_url: str) -> KnowledgeGraph:
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
    extra = sorted(g for g in sizes if g not in graphs.all and g not in (ASSERTED_UNION, UNION))
    return KnowledgeGraph(settings, remote, graphs, version, extra, report,
                          asserted_union=ASSERTED_UNION if ASSERTED_UNION in sizes else None,
                          union_graph=UNION if UNION in sizes else None)


def push(kg: KnowledgeGraph, target: RemoteStore) -> list[tuple[str, int]]:
    """Copy every graph (ontology, facts, statements, inferred, extras) into a remote store, replacing it; and, where
    some triple is in two graphs, the hidden union copies of the default view and of the asserted one (the server
    reads a list of graphs as a bag, as the embedded engine does)."""
    pushed = []
    held: dict[str, list[ox.Triple]] = {}
    for name in kg.graph_names():
        held[name] = [q.triple for q in kg.triples(graph=name)]
        target.replace_graph(name, held[name])
        pushed.append((name, len(held[name])))
    asserted = [name for name in held if name != kg.graphs.inferred]
    for hidden, names in ((UNION, list(held)), (ASSERTED_UNION, asserted)):
        target.update(f"DROP SILENT GRAPH <{hidden}>")  # a copy an earlier load left would be stale
        union = list(dict.fromkeys(t for name in names for t in held[name]))
        if len(union) < sum(len(held[name]) for name in names):
            target.replace_graph(hidden, union)
    return pushed


def copy_union(engine: ox.Store, graphs: list[str], into: str) -> None:
    """The union of `graphs` copied into the graph `into`, each triple once; inside the engine (no Python objects)."""
    names = " ".join(f"<{g}>" for g in graphs)
    engine.update(f"INSERT {{ GRAPH <{into}> {{ ?s ?p ?o }} }} "
                  f"WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")


def _asserted_union(settings: Settings, loaded: LoadedData) -> str | None:
    """The hidden asserted-union graph's name if the store needs one: with the union copy (the set-semantics,
    memory-for-speed layout) and where some triple is asserted in two graphs."""
    if not settings.union_copy:
        return None
    # The largest graph is only looked up, never copied into the set: 0.16 s for 500k input triples (bench: 500k).
    graphs = sorted((loaded.ontology, loaded.facts, loaded.statements, *loaded.named.values()), key=len)
    seen: set[ox.Triple] = set()
    for triples in graphs[:-1]:
        if not seen.isdisjoint(triples):
            return ASSERTED_UNION
        seen.update(triples)
    return None if seen.isdisjoint(graphs[-1]) else ASSERTED_UNION


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
    if not union_copy:
        return store
    # The default view's union copy (see the module's comment). Inside the engine (no Python objects): 2.5x faster
    # than building the quads here (bench: 500k, 3.8 -> 1.5 s).
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store
