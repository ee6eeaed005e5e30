"""Content negotiation: `format=`/`output=` beats a URL suffix beats `Accept` (q-values, werkzeug's best_match)."""

from __future__ import annotations

from functools import lru_cache

from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from service.rdf import formats
from service.rdf.formats import Format

HTML = "text/html"
# Media types clients send for formats we offer under another name (RDF/XML and JSON-LD have common aliases).
_ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/rdf+xml",
            "text/xml": "application/rdf+xml", "text/n3": "text/turtle", "text/plain": "application/n-triples",
            "application/x-turtle": "text/turtle"}


def requested_format_name() -> str | None:
    """The explicit `format=` or `output=` parameter (Fuseki's convention), if any."""
    return request.values.get("format") or request.values.get("output")


def choose(offered: list[Format], *, html: bool = False, suffix: str | None = None) -> Format | str | None:
    """The format to answer this request in: a Format, HTML (when `html` is offered) or None (nothing fits: 406).

    The first offered format is the default for `Accept: */*` or no Accept header.
    """
    return negotiate(request.headers.get("Accept"), requested_format_name(), tuple(offered), html=html,
                     suffix=suffix)


@lru_cache(maxsize=512)
def negotiate(accept: str | None, explicit: str | None, offered: tuple[Format, ...], *, html: bool = False,
              suffix: str | None = None) -> Format | str | None:
    """`choose` for given header and parameter values, outside any request (service.web.sparql.fast_path uses it too).
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


def offered_text(offered: list[Format], html: bool = False) -> str:
    names = ([HTML] if html else []) + [f.media_type for f in offered]
    return ", ".join(names)


def vary(response: Response) -> Response:
    response.vary.add("Accept")
    return response
