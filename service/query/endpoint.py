"""Queries against any SPARQL 1.1 endpoint through SPARQLWrapper, answered in the same shape as local ones."""

from __future__ import annotations

import time
from typing import Any
from urllib.error import HTTPError, URLError

import pyoxigraph as ox
from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from service.errors import HistkgError, QueryError
from service.query.sparql import QueryResult, query_form
from service.store.batches import values_clause

_RDF_ACCEPT = "text/turtle"


def query_endpoint(url: str, text: str, bindings: dict[str, Any] | None = None, timeout: float = 60,
                   infer: bool = True) -> QueryResult:
    form = query_form(text)
    client = SPARQLWrapper(url)
    if not infer:
        # The reasoning switch histkg and GraphDB share; other servers ignore an unknown parameter.
        client.addParameter("infer", "false")
    client.setQuery(text + values_clause(bindings))  # the protocol has no substitutions: a trailing VALUES
    client.setMethod("POST")
    client.setTimeout(int(timeout))
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat("turtle" if graph_form else "json")
    if graph_form:
        client.addCustomHttpHeader("Accept", _RDF_ACCEPT)
    started = time.perf_counter()
    try:
        body = client.query().response.read()
    except HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:500]
        raise QueryError(f"{url} answered {error.code}: {detail}") from None
    except (URLError, OSError, SPARQLWrapperException) as error:
        raise HistkgError(f"cannot query {url}: {error}") from None
    result = _parse(form, body)
    result.seconds = time.perf_counter() - started
    return result


def _parse(form: str, body: bytes) -> QueryResult:
    result = QueryResult(form)
    if form in ("CONSTRUCT", "DESCRIBE"):
        result.triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
        return result
    try:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except SyntaxError as error:
        raise HistkgError(f"the endpoint's answer is not SPARQL JSON results: {error}") from None
    if isinstance(parsed, ox.QueryBoolean):
        result.boolean = bool(parsed)
        return result
    result.variables = [v.value for v in parsed.variables]
    result.rows = [[solution[v] for v in result.variables] for solution in parsed]
    return result
