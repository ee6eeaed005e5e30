"""One builder for every data answer: an RDF document, a saved query's results, the dataset export.

Content-Type from the format table (with its charset), `Content-Disposition` naming the file (inline: a browser shows
what it can; attachment: the export page's links save), and `Vary: Accept`, since most of them are negotiated.
ETag, Cache-Control and 304s are added by service.web.caching.
"""

from __future__ import annotations

from flask import Response

from service.rdf import formats
from service.rdf.formats import Format


def download(body: bytes, fmt: Format, filename: str | None = None, *, attachment: bool = False) -> Response:
    """`body`, written in `fmt`, as a response; with `filename`, named so."""
    response = Response(body, content_type=formats.content_type(fmt))
    if filename is not None:
        disposition = "attachment" if attachment else "inline"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.vary.add("Accept")
    return response
