"""CORS for the public, read-only APIs browser clients call from other origins (the Reconciliation API: the 0.2
specification makes CORS mandatory on every endpoint). The same policy as the SPARQL endpoint's
(service.web.sparql.protocol): any origin, read-only methods, no credentials, preflights cached for a day."""

from __future__ import annotations

from flask import Response, request

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Content-Type, Accept"
EXPOSED_HEADERS = "ETag"
MAX_AGE = "86400"


def add_cors(response: Response) -> Response:
    """An `after_request` hook: every answer (errors and preflights too) may be read from any origin."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response
