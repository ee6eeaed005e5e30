"""The embedded store: pyoxigraph's engine in this process, in memory or over an on-disk snapshot (opened read-only).

A thin shell over `pyoxigraph.Store`: each call goes straight to the engine, so the hot paths (a SPARQL request, an
entity page's lookups) cost what they cost before the shell, plus one Python call.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.store.base import Capabilities, Store

EMBEDDED = Capabilities(batched_lookups=False, answers_in_query_process=True, writes_answers=True,
                        binds_blank_nodes=True)


class EmbeddedStore(Store):
    capabilities = EMBEDDED

    def __init__(self, engine: ox.Store, path: Path | None = None) -> None:
        self.engine = engine
        self.path = path  # the on-disk snapshot's folder (service.store.snapshot), None in memory

    def query(self, text: str, *, default_graph: list[Any] | None = None,
              named_graphs: list[Any] | None = None, substitutions: dict[Any, Any] | None = None,
              base_iri: str | None = None, timeout: float | None = None) -> Any:
        return self.engine.query(text, default_graph=default_graph, named_graphs=named_graphs,
                                 substitutions=substitutions, base_iri=base_iri)

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph: Any = None) -> Iterator[ox.Quad]:
        return iter(self.engine.quads_for_pattern(subject, predicate, obj, graph))

    def __len__(self) -> int:
        return len(self.engine)

    def __contains__(self, quad: ox.Quad) -> bool:
        return quad in self.engine
