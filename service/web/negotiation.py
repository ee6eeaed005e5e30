"""Which representation to answer in, and the one 406 when none fits.

- `choose`: a data format (RDF or SPARQL results) or the HTML page. `format=`/`output=` beats a URL suffix beats
  `Accept` (q-values, werkzeug's best_match); nothing fits -> NotAcceptable (406 listing what is offered).
- `wants_html`: HTML or JSON, for the answers that have only those two (errors, search, the saved-query list).

`negotiate` is `choose` without a request (no Flask): the SPARQL fast path calls it with the environ's values.
"""

from __future__ import annotations

from functools import lru_cache

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotAcceptable as _NotAcceptable
from werkzeug.http import parse_accept_header

from service.rdf import formats
from service.rdf.formats import Format

HTML = "text/html"
JSON = "application/json"
# Media types clients send for formats we offer under another name (RDF/XML and JSON-LD have common aliases).
_ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/rdf+xml",
            "text/xml": "application/rdf+xml", "text/n3": "text/turtle", "text/plain": "application/n-triples",
            "application/x-turtle": "text/turtle"}


class NotAcceptable(_NotAcceptable):
    """406: nothing the client accepts (or names with format=) is offered here. `offered` lists the media types
    that are, for the error's JSON member and its HTML page (service.web.errors)."""

    def __init__(self, offered: list[Format] | tuple[Format, ...], html: bool = False) -> None:
        self.offered = ([HTML] if html else []) + [f.media_type for f in offered]
        super().__init__("none of the media types in the Accept header (or format=) can be served here; offered: "
                         + ", ".join(self.offered))


def requested_format_name() -> str | None:
    """The explicit `format=` or `output=` parameter (Fuseki's convention), if any."""
    return request.values.get("format") or request.values.get("output")


def choose(offered: list[Format] | tuple[Format, ...], *, html: bool = False,
           suffix: str | None = None) -> Format | str:
    """The format to answer this request in: a Format, or HTML when `html` is offered; NotAcceptable when nothing
    fits. The first offered format is the default for `Accept: */*` or no Accept header."""
    chosen = negotiate(request.headers.get("Accept"), requested_format_name(), tuple(offered), html=html,
                       suffix=suffix)
    if chosen is None:
        raise NotAcceptable(offered, html)
    return chosen


@lru_cache(maxsize=512)
def negotiate(accept: str | None, explicit: str | None, offered: tuple[Format, ...], *, html: bool = False,
              suffix: str | None = None) -> Format | str | None:
    """`choose` for given header and parameter values, outside any request; None when nothing fits.
    Clients send a handful of distinct Accept headers, so the answers are remembered (bounded)."""
    if explicit:
        fmt = formats.by_name(explicit) or formats.by_media_type(explicit)
        if fmt is None and explicit.lower() in ("html", HTML) and html:
            return HTML
        return fmt if fmt in offered else None
    if suffix is not None:
        fmt = formats.by_extension(suffix)
        return fmt if fmt in offered else None
    if not accept:
        return offered[0]
    # HTML last: on a tie (`*/*`) the data format wins; a browser ranks text/html above */* explicitly.
    media_types = [f.media_type for f in offered] + ([HTML] if html else [])
    best = _with_aliases(parse_accept_header(accept, MIMEAccept)).best_match(media_types)
    if best is None:
        return None
    return HTML if best == HTML else formats.by_media_type(best)


def _with_aliases(accept: MIMEAccept) -> MIMEAccept:
    values = list(accept.values())
    extra = [(canonical, accept[alias]) for alias, canonical in _ALIASES.items()
             if alias in values and accept[alias] > 0]
    return MIMEAccept([*[(v, q) for v, q in accept], *extra]) if extra else accept


def wants_html(*, default: bool = False) -> bool:
    """HTML rather than JSON? `?format=html|json` decides; else HTML only when Accept ranks it above JSON (a browser
    does). On a tie (`*/*`, no Accept) `default`: JSON for APIs and errors, HTML for pages with a JSON twin.
    Only the URL's format= is read: an error answer must never read (or fail to read) a request body."""
    explicit = request.args.get("format", "").strip().lower()
    if explicit in ("html", HTML):
        return True
    if explicit in ("json", JSON):
        return False
    accept = request.accept_mimetypes
    html, json = accept[HTML], accept[JSON]
    return default if html == json else html > json
