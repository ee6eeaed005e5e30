"""Web safety for a public service: size limits, the outbound guard around each request, security headers.

- URL (path + query string) longer than Settings.max_url_length -> 414; a body larger than Settings.max_body_bytes
  -> 413 (Flask's MAX_CONTENT_LENGTH also stops chunked bodies while they are read); both with a message.
- A refused body is still read, after the 413 is written, and thrown away (up to LINGER_BYTES or LINGER_SECONDS,
  like nginx's lingering close): a client that sends its whole body before reading (urllib, a raw socket) would
  otherwise meet a closed connection mid-send and never see the 413. granian and gunicorn close the connection
  without reading the rest (measured: a 10 MB POST got a broken pipe); werkzeug's dev server reads it itself.
- Each request is handled inside service.query.guard.guarded(): no network connection, no file outside the service's
  folders, whatever code path the request reaches.
- Every response carries a Content-Security-Policy without inline script or style, frame denial, nosniff and a
  referrer policy. Images come from the service only, and from the map tiles' origin when a deployment sets one
  (Settings.map_tiles). CORS stays where the SPARQL endpoint put it (its paths only, read-only methods).
- `timeout=` (seconds) lets a request ask for a shorter query time limit, never a longer one.
"""

from __future__ import annotations

import math
import mimetypes
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestURITooLarge

from service.config import SHIPPED_DATA, SHIPPED_ONTOLOGY, origin_of
from service.query import guard
from service.store.graph import KnowledgeGraph

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(image_origin: str | None = None) -> str:
    """The CSP; `image_origin` (the configured map tiles' origin) is the one other place images may come from."""
    if image_origin is None:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:;", f"img-src 'self' data: {image_origin};")


LINGER_BYTES = 64 << 20  # a refused body up to this size is read to its end (a larger one: the connection closes)
LINGER_SECONDS = 10.0    # and for no longer than this


def register(app: Flask, kg: KnowledgeGraph) -> None:
    settings = kg.settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    mimetypes.init()  # reads /etc/mime.types now, not during a (guarded) request
    guard.install(_readable_dirs(kg))
    for url in kg.store.peers:  # the remote-store mode: requests reach that server, and only that one
        guard.allow_url(url)

    @app.before_request
    def _limits_and_guard() -> None:
        g.histkg_guard = guard.enter()
        length = len(request.full_path if request.query_string else request.path)
        if length > settings.max_url_length:
            raise RequestURITooLarge(f"the URL is {length:,} characters long; the limit is "
                                     f"{settings.max_url_length:,} (send long queries with POST)")
        size = request.content_length
        if size is not None and size > settings.max_body_bytes:
            raise RequestEntityTooLarge(f"the request body is {size:,} bytes; the limit is "
                                        f"{settings.max_body_bytes:,} bytes")

    @app.teardown_request
    def _end_guard(_error: BaseException | None) -> None:
        token = g.pop("histkg_guard", None)
        if token is not None:
            guard.leave(token)

    tiles = settings.map_tiles
    headers = {**HEADERS, "Content-Security-Policy": content_security_policy(origin_of(tiles) if tiles else None)}

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if response.status_code == 413:
            environ = request.environ
            response.call_on_close(lambda: linger(environ))
        return response


def linger(environ: dict[str, Any]) -> int:
    """Read and discard what is left of a refused request body, once its answer is written (the server calls this
    when it closes the response): up to LINGER_BYTES, for up to LINGER_SECONDS. Returns the bytes read."""
    stream = environ.get("wsgi.input")
    declared = environ.get("CONTENT_LENGTH") or ""
    left = int(declared) if declared.isdigit() else LINGER_BYTES  # chunked: until its end, or the cap
    if stream is None or left > LINGER_BYTES:
        return 0
    deadline = time.monotonic() + LINGER_SECONDS
    read = 0
    try:
        while read < left and time.monotonic() < deadline:
            chunk = stream.read(min(1 << 16, left - read))
            if not chunk:
                break
            read += len(chunk)
    except (OSError, ValueError):  # the client went away, or the server closed the stream: nothing left to do
        pass
    return read


def _readable_dirs(kg: KnowledgeGraph) -> list[Path]:
    s = kg.settings
    dirs = [SHIPPED_DATA, SHIPPED_ONTOLOGY, s.queries_dir, Path(__file__).parent,
            *(p.parent for p in (*s.data_files, *s.ontology_files)), *(p.parent for _, p in s.graph_files)]
    if s.cache_dir is not None:
        dirs.append(s.cache_dir)
    if s.shapes_file is not None:
        dirs.append(s.shapes_file.parent)
    return dirs


def requested_timeout() -> float | None:
    """The `timeout` parameter (seconds, in the URL or a form body), or None. Never raises the service's limit:
    the caller takes the smaller of the two."""
    raw = request.args.get("timeout")
    if raw is None and request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        raw = request.form.get("timeout")
    if raw is None or raw == "":
        return None
    try:
        seconds = float(raw)
    except ValueError:
        raise BadRequest(f"timeout={raw[:40]!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise BadRequest(f"timeout={raw[:40]!r}: give a positive number of seconds")
    return seconds
