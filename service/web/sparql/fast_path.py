"""The everyday SPARQL request, `GET /sparql?query=...`, answered without Flask: the cache-miss fast path.

Why. On a response-cache miss, Flask's dispatch, request and response objects and hooks cost about 1.5 ms of CPU per
request here, several times the engine's own work on a typical query (bench/results.md, "HTTP"). This WSGI layer
sits between the response cache and the app and answers the common case through the same request path the app's
view takes (service.web.sparql.answer: vetting, negotiation, running, the representation's headers), adding what the
app's hooks add (security, CORS, ETag, Cache-Control) from the same constants. So the answer is the same, header for
header and byte for byte (tests/test_fast_sparql.py compares them on many requests).

A request takes this path only when it is a GET of exactly /sparql whose query string holds one non-blank `query`
and otherwise only `infer`, `format` or `output`, with no conditional or range header, whose URL is within the
length limit, and which negotiates a data format (not the HTML page). Everything else goes to the app unchanged.
An error met here (a refused query, a syntax error, a time limit, a 406) is not met twice: it is handed to the app
in the WSGI environ and raised there by a `before_request` hook, so the app stays the one place errors get their
shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES, http_date
from werkzeug.wsgi import get_current_url

from service.query import guard
from service.rdf.formats import Format
from service.store.graph import KnowledgeGraph
from service.web.caching import CACHE_CONTROL, etag
from service.web.params import parse_infer
from service.web.security import HEADERS
from service.web.sparql import answer
from service.web.sparql.answer import Reply, SparqlRequest
from service.web.sparql.protocol import CORS_HEADERS, explicit_format, parse_params

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PATH = "/sparql"
HANDED_OVER = "histkg.error"  # environ key: an exception met on the fast path, for the app to raise
_PARAMETERS = frozenset({"query", "infer", "format", "output"})
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE",
                "HTTP_IF_RANGE", "HTTP_RANGE")
# What the app's hooks add to a successful answer on /sparql (security, CORS, caching), from the same constants.
_FIXED_HEADERS = [*HEADERS.items(), *CORS_HEADERS.items(), ("Cache-Control", CACHE_CONTROL)]


class SparqlFastPath:
    def __init__(self, app: WSGIApp, kg: KnowledgeGraph) -> None:
        self.app = app
        self.kg = kg
        self.held = set(kg.graph_names())

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        simple = self._simple_query(environ)
        if simple is None:
            return self.app(environ, start_response)
        token = guard.enter()
        try:
            answered = self._answer(simple)
        except Exception as error:  # every error is the app's to answer, in its one shape
            environ[HANDED_OVER] = error
            answered = None
        finally:
            guard.leave(token)
        if answered is None:
            return self.app(environ, start_response)
        reply, fmt = answered
        headers = [*reply.headers, ("Content-Length", str(len(reply.body))), *_FIXED_HEADERS,
                   ("ETag", f'"{etag(self.kg.version, PATH, _query_bytes(environ), fmt.media_type)}"'),
                   ("Date", http_date())]  # as werkzeug's conditional responses carry
        start_response(f"{reply.status} {HTTP_STATUS_CODES[reply.status]}", headers)
        return [reply.body]

    def _answer(self, request: SparqlRequest) -> tuple[Reply, Format] | None:
        """The app's answer to `request` and its format; None when the app must answer (the HTML page)."""
        chosen = answer.plan(self.kg, request, self.held)
        if not isinstance(chosen.choice, Format):
            return None
        return answer.reply(self.kg, chosen, request, self.held), chosen.choice

    def _simple_query(self, environ: dict[str, Any]) -> SparqlRequest | None:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return None
        if any(name in environ for name in _CONDITIONAL):
            return None
        raw = _query_bytes(environ)
        if len(PATH) + 1 + len(raw) > self.kg.settings.max_url_length:
            return None
        try:
            params = parse_params(raw, "the URL's query string")
        except HTTPException:
            return None
        names = [name for name, _ in params]
        if names.count("query") != 1 or not set(names) <= _PARAMETERS:
            return None
        values: dict[str, list[str]] = {}
        for name, value in params:
            values.setdefault(name, []).append(value)
        text = values["query"][0]
        if not text.strip():
            return None
        try:
            infer = parse_infer(values.get("infer", []))
        except HTTPException:
            return None
        return SparqlRequest(text, _endpoint_url(environ), infer, explicit_format=explicit_format(params),
                             accept=environ.get("HTTP_ACCEPT"))


def _endpoint_url(environ: dict[str, Any]) -> str:
    """The endpoint's own URL as this request reached it (Flask's request.base_url): the base for relative IRIs."""
    return _url_for(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", ""),
                    environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT", ""), environ.get("SCRIPT_NAME", ""))


@lru_cache(maxsize=64)  # one entry per way the server is reached; building it is 60 us of werkzeug's IRI handling
def _url_for(scheme: str, host: str, server_name: str, server_port: str, script_name: str) -> str:
    environ = {"wsgi.url_scheme": scheme, "SERVER_NAME": server_name, "SERVER_PORT": server_port,
               "SCRIPT_NAME": script_name, "PATH_INFO": PATH, **({"HTTP_HOST": host} if host else {})}
    return get_current_url(environ, strip_querystring=True)


def _query_bytes(environ: dict[str, Any]) -> bytes:
    return str(environ.get("QUERY_STRING", "")).encode("latin-1")


def register(app: Flask) -> None:
    """Raise, inside the app, an error the fast path met: the app's error handlers and headers answer it."""

    @app.before_request
    def _raise_handed_over() -> None:
        error = request.environ.pop(HANDED_OVER, None)
        if error is not None:
            raise error
