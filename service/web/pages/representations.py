"""Entities and documents as RDF or a page: the RDF formats they are offered in, and URL suffixes (`x.ttl`)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response

from service.rdf import formats, serialize
from service.rdf.formats import Format, Kind
from service.web.downloads import download
from service.web.negotiation import HTML, choose

RDF_OFFERED: list[Format] = formats.of_kind(Kind.GRAPH)


def split_suffix(path: str) -> tuple[str, str | None]:
    """`x.ttl` -> (`x`, `ttl`) when the suffix names an offered RDF format; else (path, None)."""
    stem, dot, ext = path.rpartition(".")
    if dot and stem and formats.by_extension(ext) in RDF_OFFERED:
        return stem, ext
    return path, None


def negotiate(suffix: str | None = None) -> Format | str:
    """An RDF format or HTML; 406 (service.web.negotiation.NotAcceptable) when neither fits."""
    return choose(RDF_OFFERED, html=True, suffix=suffix)


def rdf_response(triples: list[ox.Triple], fmt: Format, stem: str) -> Response:
    return download(serialize.rdf(triples, fmt), fmt, f"{stem}.{fmt.extension}")


__all__ = ["HTML", "RDF_OFFERED", "negotiate", "rdf_response", "split_suffix"]
