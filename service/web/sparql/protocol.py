"""Reading a SPARQL 1.1 Protocol request: GET ?query=, POST form, POST application/sparql-query.

Parameters are parsed here, strictly, rather than by werkzeug (which passes undecodable bytes through): a query
string or body that is not UTF-8 is a 400, two `query` parameters are a 400, a POST without one of the two query
media types is a 415, and anything that is SPARQL Update (an `update` parameter, `application/sparql-update`) is
refused with a 403 before it is read further: the service is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Response, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from service.errors import UpdateRefused
from service.web import cors
from service.web.context import graph
from service.web.params import parse_infer

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "SPARQL Update is not supported: this service is read-only and answers queries only"
_MAX_FIELDS = 1000

Params = list[tuple[str, str]]


@dataclass
class ProtocolRequest:
    query: str | None  # None: no query was sent (the service description or the editor is wanted)
    default_graph_uris: list[str] = field(default_factory=list)
    named_graph_uris: list[str] = field(default_factory=list)
    infer: bool = True
    explicit_format: str | None = None  # format= or output= (Fuseki's name), from the URL or the form body


def read_request() -> ProtocolRequest:
    """The query and dataset a GET or POST carries, or an HTTP error / UpdateRefused saying what is wrong."""
    params = parse_params(request.query_string, "the URL's query string")
    body_query = None
    if request.method == "POST":
        body_params, body_query = _read_body()
        params += body_params
    if any(name in ("update", "using-graph-uri", "using-named-graph-uri") for name, _ in params):
        raise UpdateRefused(READ_ONLY)
    queries = [value for name, value in params if name == "query"] + ([body_query] if body_query is not None else [])
    if len(queries) > 1:
        raise BadRequest(f"the request carries {len(queries)} queries; send exactly one "
                         "(one `query` parameter, or the query as an application/sparql-query body)")
    query = queries[0] if queries else None
    if query is not None and not query.strip():
        raise BadRequest("the query is empty")
    if query is None and request.method == "POST":
        raise BadRequest("no query: send it as the `query` form field or as an application/sparql-query body")
    return ProtocolRequest(query=query, default_graph_uris=_graph_iris(params, "default-graph-uri"),
                           named_graph_uris=_graph_iris(params, "named-graph-uri"),
                           infer=parse_infer([value for name, value in params if name == "infer"]),
                           explicit_format=explicit_format(params))


def _read_body() -> tuple[Params, str | None]:
    """(form parameters, the query of a direct POST)."""
    limit = graph().settings.max_query_length * 4 + 64_000  # room for percent-encoding and dataset parameters
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the request body is larger than {limit:,} bytes")
    media_type = request.mimetype
    if media_type == UPDATE:
        raise UpdateRefused(READ_ONLY)
    if media_type not in (FORM, QUERY):
        given = f"Content-Type {media_type}" if media_type else "no Content-Type"
        raise UnsupportedMediaType(f"a POST to the SPARQL endpoint needs Content-Type {FORM} or {QUERY}; "
                                   f"this request has {given}")
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise BadRequest(f"the body must be UTF-8; this request says charset={charset}")
    body = request.get_data(cache=True)
    if len(body) > limit:
        raise RequestEntityTooLarge(f"the request body is larger than {limit:,} bytes")
    if media_type == FORM:
        return parse_params(body, "the form body"), None
    try:
        return [], body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the query is not valid UTF-8 (byte {error.start})") from None


def parse_params(raw: bytes, where: str) -> Params:
    """`a=1&b=2` as (name, value) pairs, percent-decoded as UTF-8: anything else is a 400."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, encoding="utf-8",
                         errors="strict", max_num_fields=_MAX_FIELDS)
    except UnicodeDecodeError:
        raise BadRequest(f"{where} is not UTF-8 (percent-encoded UTF-8 is required)") from None
    except ValueError:
        raise BadRequest(f"{where} has more than {_MAX_FIELDS} parameters") from None


def explicit_format(params: Params) -> str | None:
    """The first `format=` value, else (absent or blank) the first `output=` (Fuseki's name); None without either.
    The app's view and the fast path both read it here, so they pick the same representation."""
    first = {name: value for name, value in reversed(params) if name in ("format", "output")}
    return first.get("format") or first.get("output") or None


def _graph_iris(params: Params, name: str) -> list[str]:
    iris = [value for key, value in params if key == name]
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise BadRequest(f"{name}={iri!r} is not an absolute IRI") from None
    return iris


# --- CORS: a public, read-only endpoint that browser clients (YASGUI and the like) may call (service.web.cors) ------
EXPOSED_HEADERS = "X-Histkg-Truncated, X-Histkg-Unknown-Graphs, ETag"
CORS_HEADERS = cors.answer_headers(EXPOSED_HEADERS)
preflight = cors.preflight


def add_cors(response: Response) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers[name] = value
    return response
