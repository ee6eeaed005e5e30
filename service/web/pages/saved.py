"""/queries: the saved queries listed; /queries/<name>: description, parameter form, SPARQL, results, downloads.

Results are in every SPARQL result format at `/queries/<name>.json` (`.csv`, `.tsv`, `.xml`) with the same
parameters; CONSTRUCT/DESCRIBE queries in every RDF format. Saved queries are not capped: they are ours.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from service.features import saved_queries as queries
from service.features.nodes import node
from service.query import sparql
from service.query.executor import execute
from service.rdf import formats
from service.rdf.formats import Format, Kind
from service.web import caching
from service.web.context import graph, saved_queries
from service.web.errors import error_response
from service.web.negotiation import HTML, choose
from service.web.pages.representations import wants_infer
from service.web.security import requested_timeout

blueprint = Blueprint("saved", __name__)
blueprint.after_request(caching.cache)

RESULT_FORMATS = formats.of_kind(Kind.RESULTS)
GRAPH_FORMATS = formats.of_kind(Kind.GRAPH)
_EXTENSIONS = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}


@blueprint.get("/queries")
def index() -> Response:
    saved = saved_queries()
    best = request.accept_mimetypes.best_match([HTML, "application/json"], default=HTML)
    if best == "application/json" or request.args.get("format") == "json":
        response = jsonify([{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                             "url": f"/queries/{q.name}"} for q in saved.values()])
    else:
        response = Response(render_template("queries.html", saved=saved), mimetype="text/html")
    response.vary.add("Accept")
    return response


def _format_for_suffix(suffix: str, graph_form: bool) -> Format | None:
    if graph_form:
        fmt = formats.by_extension(suffix)
        return fmt if fmt in GRAPH_FORMATS else None
    name = _EXTENSIONS.get(suffix.lower())
    return formats.by_name(name) if name else None


@blueprint.get("/queries/<name>")
def query_page(name: str) -> Response:
    stem, dot, suffix = name.partition(".")
    saved = queries.get(saved_queries(), stem)
    kg = graph()
    prepared = sparql.prepare(saved.text, set(kg.graph_names()))
    values = {p.name: request.args.get(p.name, "") for p in saved.parameters}
    result = execute(kg, prepared, sparql.Dataset(infer=wants_infer()), limit=None, timeout=requested_timeout(),
                     substitutions=saved.bind(values)).result  # not cut: saved queries are ours
    assert result is not None
    if dot:
        fmt = _format_for_suffix(suffix, prepared.is_graph_form)
    else:
        offered = GRAPH_FORMATS if prepared.is_graph_form else RESULT_FORMATS
        chosen = choose(offered, html=True)
        fmt = None if chosen == HTML else chosen  # type: ignore[assignment]
        if chosen == HTML:
            return _page(saved, values, result, prepared.is_graph_form)
    if fmt is None:
        return error_response(406 if not dot else 404, "Not Acceptable" if not dot else "Not Found",
                              f"no such result format for this query: {suffix or request.headers.get('Accept')}")
    return _download(saved.name, result, fmt)


def _download(name: str, result: sparql.QueryResult, fmt: Format) -> Response:
    response = Response(sparql.write_result(result, fmt), mimetype=fmt.media_type)
    response.headers["Content-Type"] = formats.content_type(fmt)
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt.extension}"'
    return response


def _page(saved: queries.SavedQuery, values: dict[str, str], result: sparql.QueryResult, graph_form: bool) -> Response:
    kg = graph()
    rows = [[node(kg, t) if t is not None else None for t in row] for row in result.rows]
    triples = [[node(kg, t.subject), node(kg, t.predicate), node(kg, t.object)] for t in result.triples]
    query_string = request.query_string.decode("utf-8", "replace")
    suffix = f"?{query_string}" if query_string else ""
    links = [(f, f"/queries/{saved.name}.{f.extension if graph_form else _short(f)}{suffix}")
             for f in (GRAPH_FORMATS if graph_form else RESULT_FORMATS)]
    body = render_template("query.html", q=saved, values=values, result=result, rows=rows, triples=triples,
                           links=links, infer=wants_infer())
    return Response(body, mimetype="text/html")


def _short(fmt: Format) -> str:
    return {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}[fmt.name]
