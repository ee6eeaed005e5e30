"""HTTP caching for data that changes only when the dataset does: a strong ETag from the dataset version and the
representation (path, query string, media type), `Cache-Control: public, max-age=300`, and 304 on a match.
"""

from __future__ import annotations

import hashlib
from typing import cast

from flask import Response, request

from service.web.context import graph

MAX_AGE = 300
CACHE_CONTROL = f"public, max-age={MAX_AGE}"


def etag_for(response: Response) -> str:
    return etag(graph().version, request.path, request.query_string, response.mimetype or "")


def etag(version: str, path: str, query_string: bytes, media_type: str) -> str:
    """The strong validator of one representation of one resource of one dataset version (unquoted)."""
    representation = "\0".join([version, path, query_string.decode("latin-1"), media_type])
    return hashlib.sha256(representation.encode()).hexdigest()[:32]


def cache(response: Response) -> Response:
    """An `after_request` hook: cacheable successful GET/HEAD answers get an ETag and may become 304s."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    response.vary.add("Accept")
    if "ETag" not in response.headers:
        response.set_etag(etag_for(response))
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    return cast(Response, response.make_conditional(request))
