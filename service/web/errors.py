"""One error shape: JSON `{"error": {"status", "title", "message"}}` for machines, an HTML page for browsers
(service.web.negotiation.wants_html). A 406 also lists what is offered (`"offered": [media types]`).

Domain errors map to HTTP codes here and only here. Anything unexpected becomes a 500 with no traceback shown.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from service.errors import (
    DataFileError,
    HistkgError,
    InconsistencyError,
    NotFound,
    OutboundRefused,
    QueryError,
    QueryMemoryExceeded,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    RemoteError,
    ServerBusy,
    UnsupportedOntology,
    UpdateRefused,
)
from service.web.negotiation import NotAcceptable, wants_html

log = logging.getLogger(__name__)

# Every class of service.errors, named (tests/test_errors.py checks none is missing); a subclass made elsewhere
# would take its nearest ancestor's status. The 500s are the service's own trouble (its files, its reasoner), the
# 502 the remote store's it was configured with; both logged.
STATUS: dict[type[HistkgError], int] = {
    HistkgError: 500,
    DataFileError: 500,
    InconsistencyError: 500,
    UnsupportedOntology: 500,
    RemoteError: 502,  # the SPARQL server this service fronts (the remote-store mode) failed it: a bad gateway
    QueryError: 400,
    QuerySyntaxError: 400,
    QueryRefused: 400,
    OutboundRefused: 400,
    UpdateRefused: 403,
    QueryTimeout: 503,
    ServerBusy: 503,
    QueryMemoryExceeded: 503,  # like the time limit: the work was stopped (README, Serving)
    NotFound: 404,
}


def status_for(error: HistkgError) -> int:
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def error_response(status: int, title: str, message: str, headers: dict[str, str] | None = None,
                   offered: list[str] | None = None) -> Response:
    """The error shape; `offered` (a 406's media types) becomes the JSON member `offered` and a list on the page."""
    if wants_html():
        body = render_template("error.html", status=status, title=title, message=message, offered=offered)
        response = Response(body, status=status, mimetype="text/html")
    else:
        error: dict[str, object] = {"status": status, "title": title, "message": message}
        if offered is not None:
            error["offered"] = offered
        response = Response(_json({"error": error}), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    response.headers["Vary"] = "Accept"
    return response


def _json(document: object) -> str:
    import json

    return json.dumps(document, ensure_ascii=False)


def register(app: Flask) -> None:
    @app.errorhandler(HistkgError)
    def domain_error(error: HistkgError) -> Response:
        status = status_for(error)
        if status in (500, 502):
            log.error("%s: %s", "internal error" if status == 500 else "the remote SPARQL server failed", error)
        headers = {"Retry-After": "1"} if status == 503 else None
        return error_response(status, _title(status), str(error), headers)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
        offered = error.offered if isinstance(error, NotAcceptable) else None
        return error_response(status, error.name, error.description or error.name, headers, offered)

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError) -> Response:
        return error_response(400, _title(400), "the request is nested too deeply to process")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error handling %s %s", request.method, request.path)
        return error_response(500, _title(500), "an unexpected error occurred; it has been logged")


def _title(status: int) -> str:
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "Error")
