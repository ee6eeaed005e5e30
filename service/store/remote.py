"""The store over any SPARQL 1.1 server (Oxigraph server, Jena Fuseki, GraphDB, Virtuoso, Neptune).

`RemoteStore` implements the store interface (service.store.base) by SPARQL over HTTP through SPARQLWrapper, so every
feature works unchanged in this mode. Graph
lists travel as the protocol's default-graph-uri / named-graph-uri; pre-bound variables as a trailing VALUES
clause. Loading pushes each named graph with SPARQL Update.

Every request is a round trip, so features that look many terms up at once (an entity page's statements and
labels) ask for them together (its capabilities say so): `quads_for_subjects`, and VALUES blocks
(service.store.batches) for their own queries.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.error import HTTPError, URLError

import pyoxigraph as ox
from SPARQLWrapper import POST, POSTDIRECTLY, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from service.errors import QueryError, QuerySyntaxError, QueryTimeout, RemoteError
from service.rdf.serialize import tsv_term
from service.store.base import Capabilities, Store
from service.store.batches import chunks, values_block, values_clause

log = logging.getLogger(__name__)

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_CHUNK = 20_000  # triples per INSERT DATA request
_CACHE_SIZE = 4096  # answers kept: the served dataset does not change, so an answer stays right
# Longer queries (a page's batches) go as the request's body (application/sparql-query) rather than as a form field:
# not URL-encoded, and not subject to the form-size limits of servlet containers (Jetty's default is 200 kB).
_FORM_LIMIT = 16_000


REMOTE = Capabilities(batched_lookups=True, answers_in_query_process=False, writes_answers=False,
                      binds_blank_nodes=False)


class RemoteStore(Store):
    capabilities = REMOTE

    def __init__(self, query_url: str, update_url: str | None = None, timeout: float = 30) -> None:
        self.query_url = query_url
        self.peers = (query_url,)
        self.update_url = update_url
        self.timeout = timeout
        self._answers: OrderedDict[tuple[Any, ...], tuple[bytes, str]] = OrderedDict()

    # --- queries ------------------------------------------------------------------------------------------------
    def query(self, text: str, *, default_graph: list[Any] | None = None,
              named_graphs: list[Any] | None = None, substitutions: dict[Any, Any] | None = None,
              base_iri: str | None = None, timeout: float | None = None) -> Any:
        """`timeout`: seconds for this query's answer (default: the store's), past which QueryTimeout is raised. The
        server may keep evaluating: set its own limit too (Fuseki, GraphDB and Virtuoso have one)."""
        if base_iri and "BASE" not in text.upper():
            text = f"BASE <{base_iri}>\n{text}"
        client = self._client(self.query_url, timeout)
        client.setQuery(text + values_clause(substitutions))
        # SPARQLWrapper guesses the form from keywords and takes a comment's "move" or "load" for an update (sent as
        # update=, refused by the server). Only queries come here (the guard refuses updates); Accept is set below.
        client.queryType = SELECT
        client.setRequestMethod(URLENCODED if len(client.queryString) <= _FORM_LIMIT else POSTDIRECTLY)
        for graph in default_graph or ():
            client.addParameter("default-graph-uri", graph.value)
        for graph in named_graphs or ():
            client.addParameter("named-graph-uri", graph.value)
        client.addCustomHttpHeader("Accept", _ACCEPT)
        # A digest, not the text: batched queries (a page's terms in a VALUES block) run to many kilobytes.
        key = (hashlib.sha256(client.queryString.encode("utf-8")).digest(),
               tuple(client.parameters.get("default-graph-uri", ())),
               tuple(client.parameters.get("named-graph-uri", ())))
        body, content_type = self._cached(key, client)
        if content_type.startswith("application/n-triples"):
            return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph: Any = None) -> Iterator[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": obj, "g": graph}
        if any(isinstance(t, ox.BlankNode) for t in terms.values()):
            # A blank node written into a query stands for any node: the server's blank nodes cannot be named, so
            # nothing can be said about them here (rather than everything about every node).
            return
        pattern = " ".join(tsv_term(t) if t is not None else f"?{k}" for k, t in terms.items() if k != "g")
        graph_term = tsv_term(graph) if graph is not None else "?g"
        solutions = self.query(f"SELECT * WHERE {{ GRAPH {graph_term} {{ {pattern} }} }}")
        for row in solutions:
            values = {k: t if t is not None else row[k] for k, t in terms.items()}
            yield ox.Quad(values["s"], values["p"], values["o"], values["g"])

    def quads_for_subjects(self, subjects: Iterable[Any], predicates: Sequence[ox.NamedNode] = ()) -> list[ox.Quad]:
        """The quads (of every named graph) whose subject is one of `subjects` and, if given, whose predicate is one
        of `predicates`: one request per VALUES_CHUNK subjects where `quads_for_pattern` costs one per subject.
        Blank nodes cannot be asked about by name, so they are left out."""
        named = [s for s in dict.fromkeys(subjects) if isinstance(s, ox.NamedNode)]
        only = values_block(["p"], [(p,) for p in predicates]) if predicates else ""
        quads = []
        for chunk in chunks(named):
            text = f"SELECT ?s ?p ?o ?g WHERE {{ {values_block(['s'], [(s,) for s in chunk])} {only} " \
                   "GRAPH ?g { ?s ?p ?o } }"
            quads += [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in self.query(text)]
        return quads

    def __len__(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0]["n"].value)

    def __contains__(self, quad: ox.Quad) -> bool:
        if any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object, quad.graph_name)):
            return False  # see quads_for_pattern
        graph = tsv_term(quad.graph_name) if isinstance(quad.graph_name, ox.NamedNode) else "?g"
        triple = f"{tsv_term(quad.subject)} {tsv_term(quad.predicate)} {tsv_term(quad.object)}"
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ {triple} }} }}"))

    def graph_names(self) -> list[str]:
        return [row["g"].value for row in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")]

    # --- loading ------------------------------------------------------------------------------------------------
    def replace_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        """DROP the graph, then INSERT its triples in chunks. Triples with blank nodes go in one request, so each
        blank node stays one node (INSERT DATA makes fresh blank nodes per request)."""
        if self.update_url is None:
            raise RemoteError("loading needs the server's SPARQL Update URL")
        self.update(f"DROP SILENT GRAPH <{graph}>")
        plain = [t for t in triples if not _has_blank_node(t)]
        blank = [t for t in triples if _has_blank_node(t)]
        requests = [plain[i:i + _CHUNK] for i in range(0, len(plain), _CHUNK)] + ([blank] if blank else [])
        for chunk in requests:
            body = (ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")

    def update(self, text: str) -> None:
        assert self.update_url is not None
        client = self._client(self.update_url)
        client.setQuery(text)
        client.setRequestMethod(POSTDIRECTLY)
        client.queryType = "INSERT"  # SPARQLWrapper: send as an update, whatever the first keyword
        self._send(client)

    def _cached(self, key: tuple[Any, ...], client: SPARQLWrapper) -> tuple[bytes, str]:
        if key in self._answers:
            self._answers.move_to_end(key)
            return self._answers[key]
        answer = self._send(client)
        self._answers[key] = answer
        if len(self._answers) > _CACHE_SIZE:
            self._answers.popitem(last=False)
        return answer

    # --- plumbing -----------------------------------------------------------------------------------------------
    def _client(self, url: str, timeout: float | None = None) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setMethod(POST)
        # Set directly: setTimeout() and the annotation say whole seconds, but urlopen takes fractions (timeout=0.3).
        client.timeout = timeout if timeout and timeout > 0 else self.timeout  # type: ignore[assignment]
        return client

    def _send(self, client: SPARQLWrapper) -> tuple[bytes, str]:
        try:
            response = client.query().response
            return response.read(), response.headers.get("Content-Type", "")
        except TimeoutError:
            raise QueryTimeout(float(client.timeout or self.timeout)) from None
        except HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            if error.code == 400:
                raise QuerySyntaxError(f"the SPARQL server refused the query: {detail}") from None
            raise QueryError(f"the SPARQL server answered {error.code}: {detail}") from None
        except URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise QueryTimeout(float(client.timeout or self.timeout)) from None
            raise RemoteError(f"cannot reach the SPARQL server at {client.endpoint}: {error}") from None
        except (OSError, SPARQLWrapperException) as error:
            raise RemoteError(f"cannot reach the SPARQL server at {client.endpoint}: {error}") from None


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
