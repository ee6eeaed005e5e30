"""Store snapshots: the finished store written once to disk, reopened read-only at every later start.

Why. Indexing is most of a warm start on a large archive: 500k input triples become 2.4M quads (named graphs,
closure, the default view's union), and pyoxigraph's in-memory store takes ~11 s to index them on every start
(bench/results.md, start-up). An on-disk pyoxigraph store (RocksDB) holding the same quads opens in ~20 ms and
answers the benchmark queries as fast as the in-memory store once the OS has its pages cached; its pages live in
the page cache, shared by every process, instead of in each process's heap.

A snapshot is a directory in the cache folder named after the inputs' key (the same digest as the closure cache:
the bytes of every input file, the reasoner's version) and the pyoxigraph version that wrote it. It is built in a
temporary directory and renamed into place last, with its manifest inside, so a directory at the final name is
always complete; one that cannot be opened is moved aside and built again. It is only ever opened read-only: the
served dataset cannot change under a running service.

Blank nodes keep their labels (the loader's deterministic `f<i>b<n>`): the engine's bulk loader would rename them,
so quads holding one are added as terms, the rest stream through the bulk loader as N-Quads.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

log = logging.getLogger(__name__)

FORMAT_VERSION = "2"  # bump when what a snapshot holds changes: older ones are then ignored (and pruned)
MANIFEST = "histkg-snapshot.json"
_PREFIX = "store-"
_CHUNK = 200_000  # quads serialised at a time into the bulk loader's input file
_KEEP_OTHERS = 1  # snapshots of other inputs kept besides the current one (the previous dataset, for a rollback)


@dataclass
class Manifest:
    key: str
    quads: int
    union_copy: bool
    extra_graphs: list[str] = field(default_factory=list)
    size_estimate: int = 0  # what `auto` compared with its threshold when it chose to write this snapshot
    asserted_union: str | None = None  # the hidden graph holding the asserted graphs' union (service.store.builder)
    format: str = FORMAT_VERSION
    pyoxigraph: str = ox.__version__


def location(cache_dir: Path, key: str, union_copy: bool) -> Path:
    view = "union" if union_copy else "graphs"
    return cache_dir / f"{_PREFIX}{key[:32]}-{view}-v{FORMAT_VERSION}-ox{ox.__version__}"


def read_manifest(path: Path) -> Manifest | None:
    """The manifest of the snapshot at `path`, if there is a complete one this version of histkg can open."""
    try:
        manifest = Manifest(**json.loads((path / MANIFEST).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as error:
        log.warning("store snapshot %s has an unreadable manifest (%s); building it again", path, error)
        _discard(path)
        return None
    if manifest.format != FORMAT_VERSION or manifest.pyoxigraph != ox.__version__:
        return None
    return manifest


def open_store(path: Path) -> ox.Store | None:
    """The snapshot at `path` (its manifest read: see read_manifest) opened read-only, or None if it cannot be."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        log.warning("store snapshot %s cannot be opened (%s); building it again", path, error)
        _discard(path)
        return None


def write_snapshot(path: Path, quads: Iterable[ox.Quad], closure_nt: bytes | None, closure_graph: ox.NamedNode,
                   manifest: Manifest, finish: Callable[[ox.Store], None] | None = None) -> None:
    """Build the snapshot of `quads` (+ the closure's N-Triples, into `closure_graph`) and, when `union_copy`, of
    their union in the default graph; `finish` adds what the builder derives inside the engine; atomically in place
    at `path`. Older snapshots are pruned."""
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent))
    try:
        database = work / "store"
        store = ox.Store(str(database))
        if closure_nt and b"_:" in closure_nt:  # blank nodes: as terms, so their labels stay the asserted ones
            quads = chain(quads, (ox.Quad(t.subject, t.predicate, t.object, closure_graph)
                                  for t in ox.parse(closure_nt, format=ox.RdfFormat.N_TRIPLES)))
            closure_nt = None
        stream = work / "bulk.nq"
        with stream.open("wb") as out:
            blank = _write_plain(out, quads, manifest.union_copy)
            if closure_nt:
                _write_closure(out, closure_nt, closure_graph, manifest.union_copy)
        store.bulk_load(path=str(stream), format=ox.RdfFormat.N_QUADS)
        stream.unlink()
        store.bulk_extend(blank)
        if finish is not None:
            finish(store)
        store.optimize()  # compacted: ~25% faster queries than the loader's own layout (bench: 500k)
        store.flush()
        manifest.quads = len(store)
        del store  # closes the database: the rename below must move a closed store
        (database / MANIFEST).write_text(json.dumps(asdict(manifest)), encoding="utf-8")
        try:
            database.rename(path)
        except OSError:  # another process finished the same snapshot first: theirs is as good
            if not (path / MANIFEST).is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    prune(path)


def _write_plain(out: BinaryIO, quads: Iterable[ox.Quad], union_copy: bool) -> list[ox.Quad]:
    """Quads without blank nodes as N-Quads into `out` (and their default-graph copies); the others returned."""
    blank: list[ox.Quad] = []
    iterator = iter(quads)
    while chunk := list(islice(iterator, _CHUNK)):
        plain = []
        for quad in chunk:
            if _has_blank_node(quad):
                blank.append(quad)
                if union_copy:
                    blank.append(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
            else:
                plain.append(quad)
        _write(out, plain)
        if union_copy:
            _write(out, (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in plain))
    return blank


def _write_closure(out: BinaryIO, closure_nt: bytes, graph: ox.NamedNode, union_copy: bool) -> None:
    """The cached closure's N-Triples lines as N-Quads of `graph` (and as default-graph triples), bytes only."""
    suffix = f" <{graph.value}> .\n".encode()
    lines = closure_nt.splitlines()
    out.write(b"".join(line[:line.rindex(b".")].rstrip() + suffix for line in lines if line.strip()))
    if union_copy:
        out.write(closure_nt if closure_nt.endswith(b"\n") else closure_nt + b"\n")


def _write(out: BinaryIO, quads: Iterable[ox.Quad]) -> None:
    data = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS)
    if data:
        out.write(data)


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode) \
        or isinstance(quad.graph_name, ox.BlankNode)


def prune(current: Path) -> None:
    """Remove snapshots of other inputs beyond the newest `_KEEP_OTHERS`. A process still serving from a removed
    snapshot keeps reading it: its open files outlive the directory."""
    others = sorted((p for p in _snapshots(current.parent) if p != current), key=_mtime, reverse=True)
    for stale in others[_KEEP_OTHERS:]:
        shutil.rmtree(stale, ignore_errors=True)


def _snapshots(folder: Path) -> Iterator[Path]:
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.name.startswith(_PREFIX) and entry.is_dir() and not entry.name.endswith(".tmp"):
                yield entry


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _discard(path: Path) -> None:
    aside = path.with_name(f"{path.name}.{os.getpid()}.broken.tmp")
    with contextlib.suppress(OSError):
        path.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
