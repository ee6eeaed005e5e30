"""CORS, one policy for the public, read-only APIs that browser clients call from other origins: the SPARQL
endpoint (YASGUI and the like), the Reconciliation API (whose 0.2 specification makes CORS mandatory on every
endpoint) and the Web Annotations. Any origin, read-only methods, no credentials, preflights cached for a day."""

from __future__ import annotations

from flask import Response, request

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Content-Type, Accept"
MAX_AGE = "86400"
PREFLIGHT_HEADERS = {
    "Allow": ALLOWED_METHODS,
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
    "Access-Control-Max-Age": MAX_AGE,
}


def answer_headers(exposed: str = "ETag") -> dict[str, str]:
    """What every answer carries: any origin may read it, and these response headers of it."""
    return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": exposed}


def preflight() -> Response:
    """The answer to a preflight (OPTIONS) request."""
    response = Response(status=204)
    response.headers.update(PREFLIGHT_HEADERS)
    return response


def add_cors(response: Response) -> Response:
    """An `after_request` hook for an API whose answers (errors and preflights too) any origin may read."""
    response.headers.update(answer_headers())
    if request.method == "OPTIONS":
        response.headers.update(PREFLIGHT_HEADERS)
    return response
