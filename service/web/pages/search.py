"""/search?q=: JSON for scripts and autocomplete, an HTML results page for browsers (the no-JS search form)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from service.features import search as label_search
from service.web import caching
from service.web.context import graph
from service.web.negotiation import HTML

blueprint = Blueprint("search", __name__)
blueprint.after_request(caching.cache)


def _wants_page() -> bool:
    if request.args.get("format") in ("html", "json"):
        return request.args.get("format") == "html"
    best = request.accept_mimetypes.best_match(["application/json", HTML], default="application/json")
    return best == HTML and request.accept_mimetypes[HTML] > request.accept_mimetypes["application/json"]


@blueprint.get("/search")
def search() -> Response:
    query = request.args.get("q", "")[:200]
    hits = label_search.search(graph(), query)
    if _wants_page():
        response = Response(render_template("search.html", query=query, search_query=query, hits=hits),
                            mimetype="text/html")
    else:
        response = jsonify([h.as_json() for h in hits])
    response.vary.add("Accept")
    return response
