"""/search?q=: JSON for scripts and autocomplete, an HTML results page for browsers (the no-JS search form).

Parameters: `q` (at most 200 characters), `type` (a type as results show it, e.g. `person`, or its class's IRI or
short name), `limit` (1-100, 20 by default), `format` (json or html, else by Accept). A bad value is a 400 saying
what is allowed; a query that folds to nothing (punctuation only, say) finds nothing, with a 200.

The 404 page asks `search_suggestions` (a template global) what the missing path's last segment might have meant.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest

from service.features.search import matching as label_search
from service.web import caching
from service.web.context import graph
from service.web.negotiation import wants_html
from service.web.params import whole_number

blueprint = Blueprint("search", __name__)
blueprint.after_request(caching.cache)

SUGGESTIONS = 5


def _query() -> str:
    query = request.args.get("q", "")
    if len(query) > label_search.MAX_QUERY_CHARS:
        raise BadRequest(f"q is {len(query)} characters long: a search takes at most "
                         f"{label_search.MAX_QUERY_CHARS}")
    return query


def _type() -> str | None:
    wanted = request.args.get("type", "").strip()
    if not wanted:
        return None
    found = label_search.resolve_type(graph(), wanted[:200])
    if found is None:
        known = ", ".join(o.label for o in label_search.type_options(graph()))
        raise BadRequest(f"type={wanted[:60]!r}: no searchable entity has that type; the types are: {known}")
    return found


def _limit() -> int:
    value = request.args.get("limit")
    if value is None:
        return label_search.MAX_RESULTS
    number = whole_number(value, max_digits=3) or 0
    if not 1 <= number <= label_search.MAX_LIMIT:
        raise BadRequest(f"limit={value[:20]!r}: use a whole number from 1 to {label_search.MAX_LIMIT}")
    return number


@blueprint.get("/search")
def search() -> Response:
    query, type_label, limit = _query(), _type(), _limit()
    hits = label_search.search(graph(), query, limit=limit, type_label=type_label)
    if wants_html():  # JSON unless asked for HTML (format=html, or a browser's Accept)
        body = render_template("search.html", query=query, search_query=query, hits=hits, type_label=type_label,
                               types=label_search.type_options(graph()))
        response = Response(body, mimetype="text/html")
    else:
        response = jsonify([h.as_json() for h in hits])
    response.vary.add("Accept")
    return response


@blueprint.app_template_global()
def search_suggestions(text: str) -> list[label_search.Hit]:
    """The best few matches of `text` (the 404 page's guess at what a missing path meant)."""
    return label_search.search(graph(), text[:label_search.MAX_QUERY_CHARS], limit=SUGGESTIONS)
