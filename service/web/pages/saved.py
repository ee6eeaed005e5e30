"""/queries: the saved queries listed; /queries/<name>: description, parameter form, SPARQL, results, downloads.

Results are in every SPARQL result format at `/queries/<name>.json` (`.csv`, `.tsv`, `.xml`) with the same
parameters; CONSTRUCT/DESCRIBE queries in every RDF format. Saved queries are not capped: they are ours.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, render_template, request

from service.features import query_text
from service.features import saved_queries as queries
from service.features.nodes import node
from service.query import sparql
from service.query.executor import execute
from service.rdf import formats
from service.rdf.formats import Format, Kind
from service.web import caching
from service.web.context import graph, saved_queries
from service.web.downloads import download
from service.web.errors import error_response
from service.web.negotiation import choose, wants_html
from service.web.pages import parameters
from service.web.params import infer_param
from service.web.security import requested_timeout

blueprint = Blueprint("saved", __name__)
blueprint.after_request(caching.cache)

RESULT_FORMATS = formats.of_kind(Kind.RESULTS)
GRAPH_FORMATS = formats.of_kind(Kind.GRAPH)


@blueprint.get("/queries")
def index() -> Response:
    saved = saved_queries()
    if wants_html(default=True):
        response = Response(render_template("queries.html", saved=saved), mimetype="text/html")
    else:
        response = jsonify([{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                             "url": f"/queries/{q.name}"} for q in saved.values()])
    response.vary.add("Accept")
    return response


def _format_for_suffix(suffix: str, graph_form: bool) -> Format:
    """`.ttl`, `.jsonld` ... for a CONSTRUCT/DESCRIBE; `.json` (`.srj`), `.xml` (`.srx`), `.csv`, `.tsv` for results."""
    fmt = formats.by_extension(suffix) if graph_form else formats.by_name(suffix)
    offered = GRAPH_FORMATS if graph_form else RESULT_FORMATS
    if fmt not in offered:
        abort(404, description=f"no such result format for this query: .{suffix[:40]}; offered: "
                               + ", ".join(f".{_suffix(f, graph_form)}" for f in offered))
    assert fmt is not None
    return fmt


@blueprint.get("/queries/<name>")
def query_page(name: str) -> Response:
    stem, dot, suffix = name.partition(".")
    saved = queries.get(saved_queries(), stem)
    kg = graph()
    prepared = sparql.prepare(saved.text, set(kg.graph_names()))
    if dot:
        chosen: Format | str = _format_for_suffix(suffix, prepared.is_graph_form)
    else:  # 406 when nothing fits
        chosen = choose(GRAPH_FORMATS if prepared.is_graph_form else RESULT_FORMATS, html=True)
    infer = infer_param()
    values = {p.name: request.args.get(p.name, "") for p in saved.parameters}
    resolved = parameters.resolve(kg, saved, values)  # entity parameters: a label, a name or an IRI
    if resolved.problems:
        return _unresolved(saved, resolved, infer, html=not isinstance(chosen, Format))
    result = execute(kg, prepared, sparql.Dataset(infer=infer), limit=None, timeout=requested_timeout(),
                     substitutions=saved.bind(resolved.values)).result  # not cut: saved queries are ours
    assert result is not None
    if isinstance(chosen, Format):
        return download(sparql.write_result(result, chosen), chosen, f"{saved.name}.{chosen.extension}")
    return _page(saved, resolved, result, prepared.is_graph_form, infer)


def _page(saved: queries.SavedQuery, resolved: parameters.Resolved, result: sparql.QueryResult, graph_form: bool,
          infer: bool) -> Response:
    kg = graph()
    rows = [[node(kg, t) if t is not None else None for t in row] for row in result.rows]
    triples = [[node(kg, t.subject), node(kg, t.predicate), node(kg, t.object)] for t in result.triples]
    query_string = request.query_string.decode("utf-8", "replace")
    suffix = f"?{query_string}" if query_string else ""
    links = [(f, f"/queries/{saved.name}.{_suffix(f, graph_form)}{suffix}")
             for f in (GRAPH_FORMATS if graph_form else RESULT_FORMATS)]
    body = render_template("query.html", q=saved, values=resolved.shown, result=result, rows=rows, triples=triples,
                           links=links, infer=infer,
                           # "Open in the SPARQL editor" keeps the parameters: the text with their values in it.
                           editor_query=query_text.with_values(saved.text, saved.bind(resolved.values)))
    return Response(body, mimetype="text/html")


def _unresolved(saved: queries.SavedQuery, resolved: parameters.Resolved, infer: bool, html: bool) -> Response:
    """400: an entity parameter names nothing, or several things. A browser gets the form back with candidates."""
    if not html:
        return error_response(400, "Bad Request", " ".join(p.text() for p in resolved.problems))
    args = request.args.to_dict()
    choices = {p.parameter: [(c, f"/queries/{saved.name}?{urlencode({**args, p.parameter: c.name})}")
                             for c in p.candidates] for p in resolved.problems}
    body = render_template("query.html", q=saved, values=resolved.shown, result=None, rows=[], triples=[], links=[],
                           infer=infer, problems=resolved.problems, choices=choices, editor_query=saved.text)
    return Response(body, status=400, mimetype="text/html")


def _suffix(fmt: Format, graph_form: bool) -> str:
    """The URL suffix of a format: an RDF format's extension, a result format's name (`.json`, not `.srj`)."""
    return fmt.extension if graph_form else fmt.name
