"""Answering with RDF or a page: the RDF formats an entity or document is offered in, suffixes, 406, infer=."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request

from service.rdf import formats, serialize
from service.rdf.formats import Format
from service.web.errors import error_response
from service.web.negotiation import HTML, choose, offered_text

RDF_OFFERED: list[Format] = [f for f in (formats.by_name(n) for n in ("turtle", "jsonld", "ntriples", "rdfxml"))
                             if f is not None]


def split_suffix(path: str) -> tuple[str, str | None]:
    """`x.ttl` -> (`x`, `ttl`) when the suffix names an offered RDF format; else (path, None)."""
    stem, dot, ext = path.rpartition(".")
    if dot and stem and formats.by_extension(ext) in RDF_OFFERED:
        return stem, ext
    return path, None


def negotiate(suffix: str | None = None) -> Format | str | None:
    return choose(RDF_OFFERED, html=True, suffix=suffix)


def wants_infer() -> bool:
    return request.args.get("infer", "true").strip().lower() not in ("false", "0", "no", "off")


def not_acceptable() -> Response:
    return error_response(406, "Not Acceptable", "none of the requested media types is offered here; offered: "
                          + offered_text(RDF_OFFERED, html=True))


def rdf_response(triples: list[ox.Triple], fmt: Format, stem: str) -> Response:
    body = serialize.rdf(triples, fmt)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Content-Type"] = formats.content_type(fmt)
    response.headers["Content-Disposition"] = f'inline; filename="{stem}.{fmt.extension}"'
    response.vary.add("Accept")
    return response


__all__ = ["HTML", "RDF_OFFERED", "negotiate", "not_acceptable", "rdf_response", "split_suffix", "wants_infer"]
