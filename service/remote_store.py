"""The store over any SPARQL 1.1 server (Oxigraph server, Jena Fuseki, GraphDB, Virtuoso, Neptune).

`RemoteStore` answers the small part of pyoxigraph's `Store` API the service uses — `query`, `quads_for_pattern`,
`len`, `in` — by SPARQL over HTTP through SPARQLWrapper, so every feature works unchanged in this mode. Graph
lists travel as the protocol's default-graph-uri / named-graph-uri; pre-bound variables as a trailing VALUES
clause. Loading pushes each named graph with SPARQL Update.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.error import HTTPError, URLError

import pyoxigraph as ox
from SPARQLWrapper import POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from service.errors import HistkgError, QueryError, QuerySyntaxError
from service.serialize import tsv_term

log = logging.getLogger(__name__)

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_CHUNK = 20_000  # triples per INSERT DATA request
_CACHE_SIZE = 4096  # answers kept: the served dataset does not change, so an answer stays right


class RemoteError(HistkgError):
    """The remote SPARQL server could not be reached or refused a request."""


def values_clause(substitutions: dict[Any, Any] | None) -> str:
    if not substitutions:
        return ""
    names = " ".join(f"?{getattr(v, 'value', v)}" for v in substitutions)
    values = " ".join(tsv_term(t) for t in substitutions.values())
    return f"\nVALUES ({names}) {{ ({values}) }}\n"


class RemoteStore:
    def __init__(self, query_url: str, update_url: str | None = None, timeout: float = 30) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.timeout = timeout
        self._answers: OrderedDict[tuple[Any, ...], tuple[bytes, str]] = OrderedDict()

    # --- queries ------------------------------------------------------------------------------------------------
    def query(self, text: str, *, default_graph: Iterable[Any] | None = None,
              named_graphs: Iterable[Any] | None = None, substitutions: dict[Any, Any] | None = None,
              base_iri: str | None = None) -> Any:
        if base_iri and "BASE" not in text.upper():
            text = f"BASE <{base_iri}>\n{text}"
        client = self._client(self.query_url)
        client.setQuery(text + values_clause(substitutions))
        client.setRequestMethod(URLENCODED)
        for graph in default_graph or ():
            client.addParameter("default-graph-uri", graph.value)
        for graph in named_graphs or ():
            client.addParameter("named-graph-uri", graph.value)
        client.addCustomHttpHeader("Accept", _ACCEPT)
        key = (client.queryString, tuple(client.parameters.get("default-graph-uri", ())),
               tuple(client.parameters.get("named-graph-uri", ())))
        body, content_type = self._cached(key, client)
        if content_type.startswith("application/n-triples"):
            return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph: Any = None) -> Iterator[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": obj, "g": graph}
        pattern = " ".join(tsv_term(t) if t is not None else f"?{k}" for k, t in terms.items() if k != "g")
        graph_term = tsv_term(graph) if graph is not None else "?g"
        solutions = self.query(f"SELECT * WHERE {{ GRAPH {graph_term} {{ {pattern} }} }}")
        for row in solutions:
            values = {k: t if t is not None else row[k] for k, t in terms.items()}
            yield ox.Quad(values["s"], values["p"], values["o"], values["g"])

    def __len__(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0]["n"].value)

    def __contains__(self, quad: ox.Quad) -> bool:
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
        chunks = [plain[i:i + _CHUNK] for i in range(0, len(plain), _CHUNK)] + ([blank] if blank else [])
        for chunk in chunks:
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
    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setMethod(POST)
        client.setTimeout(int(max(1, self.timeout)))
        return client

    def _send(self, client: SPARQLWrapper) -> tuple[bytes, str]:
        try:
            response = client.query().response
            return response.read(), response.headers.get("Content-Type", "")
        except HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            if error.code == 400:
                raise QuerySyntaxError(f"the SPARQL server refused the query: {detail}") from None
            raise QueryError(f"the SPARQL server answered {error.code}: {detail}") from None
        except (URLError, OSError, SPARQLWrapperException) as error:
            raise RemoteError(f"cannot reach the SPARQL server at {client.endpoint}: {error}") from None


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
