"""A SPARQL query request answered, in one place: the Flask view (service.web.sparql.endpoint) and the Flask-free
fast path for plain GETs (service.web.sparql.fast_path) both call it, so they vet, negotiate, run and label the
answer the same way, header for header.

    request = SparqlRequest(query, base_iri, infer=..., explicit_format=..., accept=..., timeout=...)
    chosen = plan(kg, request, held)   # vetted (QueryError / QueryRefused / UpdateRefused) and negotiated (406)
    reply(kg, chosen, request, held)   # a data format: status, headers and body (QueryTimeout ...)
    run(kg, chosen, request)           # the HTML page: the result, for the view to render (then `headers`)

No Flask here: the request arrives parsed. The headers are the representation's own (Content-Type, Vary and the
two X-Histkg headers); what every answer gets (security, CORS, ETag, Cache-Control) is added by the app's hooks or,
on the fast path, from the same constants.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.query.executor import Answer, execute
from service.query.sparql import Dataset, PreparedQuery, prepare
from service.rdf import formats
from service.rdf.formats import Format, Kind
from service.store.graph import KnowledgeGraph
from service.web.negotiation import HTML, NotAcceptable, negotiate

TRUNCATED_HEADER = "X-Histkg-Truncated"
UNKNOWN_GRAPHS_HEADER = "X-Histkg-Unknown-Graphs"
RESULTS: tuple[Format, ...] = tuple(formats.of_kind(Kind.RESULTS))   # SELECT, ASK
RDF: tuple[Format, ...] = tuple(formats.rdf_formats())               # CONSTRUCT, DESCRIBE
HTML_CONTENT_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class SparqlRequest:
    query: str
    base_iri: str                          # the endpoint's URL as reached: the base for relative IRIs
    infer: bool = True
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    explicit_format: str | None = None     # format= or output=
    accept: str | None = None
    timeout: float | None = None           # asked for; never above the service's limit


@dataclass(frozen=True)
class Plan:
    query: PreparedQuery
    choice: Format | str  # a Format, or HTML (the query page)
    dataset: Dataset


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def plan(kg: KnowledgeGraph, request: SparqlRequest, held: set[str]) -> Plan:
    """The query vetted and the representation chosen; raises the domain error or NotAcceptable (406)."""
    query = prepare(request.query, held, kg.settings.max_query_length)
    offered = RDF if query.is_graph_form else RESULTS
    choice = negotiate(request.accept, request.explicit_format, offered, html=True)
    if choice is None:
        raise NotAcceptable(offered, html=True)
    return Plan(query, choice, Dataset(request.infer, list(request.default_graph_uris),
                                       list(request.named_graph_uris)))


def run(kg: KnowledgeGraph, chosen: Plan, request: SparqlRequest) -> Answer:
    """The query run under its limits (in a query process), written in the chosen format if it is one."""
    return execute(kg, chosen.query, chosen.dataset, limit=kg.settings.result_limit, timeout=request.timeout,
                   base_iri=request.base_iri, fmt=chosen.choice if isinstance(chosen.choice, Format) else None)


def reply(kg: KnowledgeGraph, chosen: Plan, request: SparqlRequest, held: set[str]) -> Reply:
    """A data answer (the plan chose a Format): 200, its headers and the bytes the query process wrote."""
    assert isinstance(chosen.choice, Format)
    answer = run(kg, chosen, request)
    return Reply(200, headers(formats.content_type(chosen.choice), answer, chosen.dataset, held), answer.body or b"")


def headers(content_type: str, answer: Answer, dataset: Dataset, held: set[str]) -> list[tuple[str, str]]:
    """The representation's headers: its type, `Vary: Accept` (negotiated), a truncation and unknown graphs."""
    out = [("Content-Type", content_type), ("Vary", "Accept")]
    if answer.truncated_at is not None:
        out.append((TRUNCATED_HEADER, str(answer.truncated_at)))
    if dataset.default_graph_uris or dataset.named_graph_uris:  # the common request names none: skip the work
        unknown = [g for g in (*dataset.default_graph_uris, *dataset.named_graph_uris) if g not in held]
        if unknown:
            out.append((UNKNOWN_GRAPHS_HEADER, " ".join(f"<{g}>" for g in dict.fromkeys(unknown))))
    return out


__all__ = ["HTML", "HTML_CONTENT_TYPE", "Plan", "Reply", "SparqlRequest", "headers", "plan", "reply", "run"]
