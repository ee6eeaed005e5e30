"""/sparql: the SPARQL 1.1 Protocol for queries, the query page for browsers, the Service Description for RDF clients.

- A query (GET ?query=, POST form, POST application/sparql-query) is vetted by service.query.sparql.prepare (updates ->
  403, SERVICE and FROM naming a graph we do not hold -> 400; nothing is ever fetched), run with the result cap,
  and written in the negotiated format: SELECT/ASK as SPARQL results (JSON by default, XML, CSV, TSV),
  CONSTRUCT/DESCRIBE as RDF (Turtle by default, JSON-LD, N-Triples, N-Quads, RDF/XML, TriG), or as an HTML page.
  `format=` / `output=` beat Accept; nothing acceptable -> 406 naming what is offered.
  The answer comes from service.web.sparql.answer, which the Flask-free fast path for plain GETs calls too.
- default-graph-uri / named-graph-uri pick the dataset from the graphs the service holds. A graph it does not hold
  is an empty graph (never fetched); the response names such graphs in `X-Histkg-Unknown-Graphs`.
- `infer=false` answers from the asserted graphs only.
- No query: HTML preferred -> the query page; RDF acceptable (or no Accept) -> the Service Description;
  otherwise 400 (a query is missing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest

from service.errors import QuerySyntaxError
from service.features.geo import points as geo_points
from service.features.nodes import link_for
from service.query.sparql import QueryResult
from service.rdf import formats
from service.rdf.display import show
from service.rdf.formats import Format, Kind
from service.rdf.namespaces import PREFIXES
from service.web import caching
from service.web.context import graph
from service.web.negotiation import NotAcceptable, choose
from service.web.security import requested_timeout
from service.web.sparql import answer, service_description
from service.web.sparql.answer import SparqlRequest
from service.web.sparql.protocol import ProtocolRequest, add_cors, preflight, read_request

blueprint = Blueprint("sparql", __name__)
blueprint.register_blueprint(service_description.blueprint)
# The data changes only with the dataset: GET answers (results, descriptions) get an ETag and may be 304s.
blueprint.after_request(caching.cache)

CORS_PATHS = ("/sparql", "/sparql/", "/.well-known/void")
# The editor starts with the project's prefixes declared and a first question to run.
EDITOR_PREFIXES = ("hk", "id", "st", "rdf", "rdfs", "owl", "xsd", "skos")
EXAMPLE_QUERY = """SELECT ?entity ?label WHERE {{
  ?entity a hk:Person ;
          rdfs:label ?label .
}}
ORDER BY ?label
LIMIT 20
"""


@blueprint.route("/sparql/", methods=["GET", "POST", "OPTIONS"])
@blueprint.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response | str:
    if request.method == "OPTIONS":
        return preflight()
    protocol_request = read_request()
    if protocol_request.query is None:
        return _without_query(protocol_request)
    return _answer(protocol_request)


@blueprint.after_app_request
def _cors(response: Response) -> Response:
    """Every response on the endpoint's paths, errors included, may be read by a page on any origin."""
    if request.path in CORS_PATHS:
        add_cors(response)
    return response


def _without_query(protocol_request: ProtocolRequest) -> Response | str:
    try:
        choice = choose(formats.rdf_formats(), html=True)
    except NotAcceptable:
        raise BadRequest("no query: send ?query=... (or POST one); for the service description, accept an RDF "
                         "format such as text/turtle") from None
    if isinstance(choice, Format):
        return service_description.describe_service(choice)
    return render_editor(None, protocol_request.infer)


def _answer(protocol_request: ProtocolRequest) -> Response:
    """The query answered by service.web.sparql.answer, the one path the fast path takes too."""
    kg = graph()
    assert protocol_request.query is not None
    sparql_request = SparqlRequest(
        protocol_request.query, request.base_url, protocol_request.infer,
        tuple(protocol_request.default_graph_uris), tuple(protocol_request.named_graph_uris),
        protocol_request.explicit_format, request.headers.get("Accept"), requested_timeout())
    held = set(kg.graph_names())
    chosen = answer.plan(kg, sparql_request, held)
    if isinstance(chosen.choice, Format):
        data = answer.reply(kg, chosen, sparql_request, held)
        return Response(data.body, status=data.status, headers=data.headers)
    try:
        ran = answer.run(kg, chosen, sparql_request)
    except QuerySyntaxError as error:  # a browser gets its query back in the editor, the error readable under it
        page = render_editor(protocol_request.query, protocol_request.infer, error=syntax_problem(str(error)))
        response = Response(page, status=400, mimetype="text/html")
        response.vary.add("Accept")
        return response
    page = render_editor(protocol_request.query, protocol_request.infer, ran.result)
    return Response(page, headers=answer.headers(answer.HTML_CONTENT_TYPE, ran, chosen.dataset, held))


# --- the HTML page ------------------------------------------------------------------------------------------------
@dataclass
class Cell:
    text: str
    href: str | None = None
    note: str = ""  # language tag or datatype of a literal
    kind: str = "literal"  # iri, bnode, literal, unbound
    iri: str = ""  # an IRI's full form, shown on hover where the text is a short name


@dataclass
class ResultView:
    """A query result as the template shows it: column names and rows of cells, or a boolean."""

    form: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    truncated_at: int | None = None
    seconds: float = 0.0
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (format name, media type)
    # The result's WKT points as /map/points parameters (none: no map offered), how many there are in all, and
    # whether they fit a link (GET) or need a form's POST.
    map_parameters: list[tuple[str, str]] = field(default_factory=list)
    map_total: int = 0
    map_method: str = "get"


def cell(term: Any, base: str) -> Cell:
    shown = show(term)
    # Local IRIs link to their pages, http(s) ones to themselves; any other scheme (javascript:) is not linked.
    iri = shown.kind == "iri"
    return Cell(shown.text, link_for(shown.value, base) if iri else None, shown.note, shown.kind,
                shown.value if iri else "")


def result_view(result: QueryResult, base: str) -> ResultView:
    view = ResultView(result.form, boolean=result.boolean, truncated_at=result.truncated_at, seconds=result.seconds)
    if result.form == "SELECT":
        view.columns = list(result.variables)
        view.rows = [[cell(term, base) for term in row] for row in result.rows]
        points, view.map_total = geo_points.in_result(result.rows)
        view.map_parameters = geo_points.parameters(points)
        view.map_method = "get" if len(urlencode(view.map_parameters)) <= geo_points.GET_LIMIT else "post"
    elif result.form in ("CONSTRUCT", "DESCRIBE"):
        view.columns = ["subject", "predicate", "object"]
        view.rows = [[cell(t.subject, base), cell(t.predicate, base), cell(t.object, base)] for t in result.triples]
    kinds = (Kind.GRAPH, Kind.DATASET) if result.form in ("CONSTRUCT", "DESCRIBE") else (Kind.RESULTS,)
    view.downloads = [(f.name, f.media_type) for f in formats.of_kind(*kinds)]
    return view


@dataclass
class SyntaxProblem:
    """A syntax error as the page shows it: a sentence, and the position the editor marks (1-based)."""

    text: str
    line: int | None = None
    column: int | None = None


_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)$", re.DOTALL)


def syntax_problem(message: str) -> SyntaxProblem:
    """The engine's "syntax error: error at 1:36: expected one of LATERAL, SERVICE, [_]" as a sentence. Its
    character classes ("['A' ..= 'Z' | ...]") mean a name or a value may go on there (static/editor.js does the same
    for the answers it fetches)."""
    found = _ENGINE_POSITION.search(message)
    if found is None:
        return SyntaxProblem(message)
    line, column, detail = int(found[1]), int(found[2]), found[3].strip()
    if detail.startswith("expected"):
        items = [i.strip() for i in re.split(r",\s*(?![^\[]*\])", re.sub(r"^expected (one of )?", "", detail))]
        words = [i for i in items if i and not i.startswith("[")]
        words += ["a name or a value"] if len(words) < len(items) else []
        detail = "expected " + ("one of " if len(words) > 1 else "") + ", ".join(words)
        if "Prefix not found" in words:
            detail = "a prefix used here is not declared (add PREFIX name: <namespace>)"
    return SyntaxProblem(f"Syntax error at line {line}, column {column}: {detail}", line, column)


def _example_query() -> str:
    declarations = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in EDITOR_PREFIXES)
    return declarations + "\n" + EXAMPLE_QUERY.format()


def render_editor(query: str | None, infer: bool, result: QueryResult | None = None,
                  error: SyntaxProblem | None = None) -> str:
    """The query page: a form (query, reasoning switch) and, when a query ran, its result as a table or its error."""
    kg = graph()
    return render_template(
        "sparql.html", query=query if query is not None else _example_query(), error=error,
        infer=infer, ran=query is not None, result=result_view(result, kg.settings.base) if result else None,
        graphs=kg.graph_names(), prefixes=list(PREFIXES.items()))  # the editor completes and shortens with them
