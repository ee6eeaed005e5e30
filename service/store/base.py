"""What the loaded graph asks of its engine, whatever kind it is: the in-memory pyoxigraph store, an on-disk snapshot
of one, or a remote SPARQL server.

Features never ask which kind of store they have. Where behaviour must differ, they ask what the store can do
(`Capabilities`): whether each lookup is a round trip worth batching, whether a forked query process can answer with
it, whether its engine writes a SELECT answer itself, whether a query can be bound to its blank nodes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox


@dataclass(frozen=True)
class Capabilities:
    # Every lookup is a request over the network: ask for many terms at once (VALUES blocks), bring labels along
    # with a page's own queries, never collect the whole archive's labels for one page.
    batched_lookups: bool
    # A forked query process can answer queries with this store (its engine lives in this process's memory or in
    # files it can reopen), so a query's time limit is that process's life.
    answers_in_query_process: bool
    # The engine serialises a SELECT answer itself, in one call (service.query.sparql.write_by_engine).
    writes_answers: bool
    # A query can be bound (substitutions) to the store's own blank nodes; a remote server's cannot even be named.
    binds_blank_nodes: bool


class Store(ABC):
    """A read-only RDF dataset and its SPARQL engine."""

    capabilities: Capabilities
    # The URLs serving requires this store to reach (the request guard lets those connections through, no others).
    peers: tuple[str, ...] = ()

    @abstractmethod
    def query(self, text: str, *, default_graph: list[Any] | None = None,
              named_graphs: list[Any] | None = None, substitutions: dict[Any, Any] | None = None,
              base_iri: str | None = None, timeout: float | None = None) -> Any:
        """Solutions, a boolean or triples, as pyoxigraph gives them. `timeout` bounds an answer that comes over the
        network; an embedded engine is bounded by its query process instead (service.query.executor)."""

    @abstractmethod
    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph: Any = None) -> Iterator[ox.Quad]:
        """Quads matching the pattern (None: any), in `graph` or in every graph."""

    def quads_for_subjects(self, subjects: Iterable[Any], predicates: Sequence[ox.NamedNode] = ()) -> list[ox.Quad]:
        """The quads of every named graph whose subject is one of `subjects` and, if given, whose predicate is one of
        `predicates`. Here one lookup per subject and predicate; a store whose lookups are requests batches them."""
        wanted: Sequence[ox.NamedNode | None] = predicates or [None]
        return [q for s in dict.fromkeys(subjects) for p in wanted for q in self.quads_for_pattern(s, p, None, None)
                if not isinstance(q.graph_name, ox.DefaultGraph)]

    @abstractmethod
    def __len__(self) -> int:
        """Quads in the store (counting may walk it: see KnowledgeGraph.quad_count)."""

    @abstractmethod
    def __contains__(self, quad: ox.Quad) -> bool: ...
