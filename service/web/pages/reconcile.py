"""/reconcile: the Reconciliation Service API 0.2 (service.features.search.reconcile and reconcile_extend) over HTTP.

- `GET /reconcile`: the manifest; `GET|POST /reconcile` with `queries=` (a JSON query batch): the result batch; with
  `extend=` (a JSON data extension query): the extension. POST takes an application/x-www-form-urlencoded body, as
  the 0.2 specification asks (it defines no JSON body; 1.0 drafts do).
- `GET /reconcile/suggest/entity|type|property?prefix=&cursor=`, `GET /reconcile/propose_properties?type=&limit=`.
- `GET /reconcile/preview?id=`: a small HTML card for OpenRefine's iframe (so framing is allowed here, and only here);
  `GET /reconcile/view?id=`: a redirect to the entity's page.

Every answer, errors and preflights included, carries CORS headers (service.web.cors). Bad input is a 400 in the
project's error shape naming what is wrong.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from service.features.entities.page import exists
from service.features.nodes import link_for
from service.features.search import matching as label_search
from service.features.search import reconcile as api
from service.features.search import reconcile_extend as extension
from service.web import caching, cors
from service.web.context import graph
from service.web.params import whole_number

blueprint = Blueprint("reconcile", __name__)
blueprint.after_request(caching.cache)
blueprint.after_request(cors.add_cors)  # runs first (Flask calls a blueprint's hooks in reverse)

MAX_JSON_CHARS = 200_000
PREVIEW_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors *")


def _json_param(name: str) -> Any:
    values = request.form.getlist(name) if request.method == "POST" else []
    values += request.args.getlist(name)
    if len(values) != 1:
        raise BadRequest(f"send exactly one '{name}' parameter")
    text = values[0]
    if len(text) > MAX_JSON_CHARS:
        raise BadRequest(f"'{name}' is {len(text):,} characters long; at most {MAX_JSON_CHARS:,}")
    try:
        return json.loads(text)
    except ValueError as error:
        raise BadRequest(f"'{name}' is not valid JSON: {error}") from None


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    number = whole_number(raw, max_digits=5)
    if number is None or not low <= number <= high:
        raise BadRequest(f"{name}={raw[:20]!r}: use a whole number from {low} to {high}")
    return number


def _text(name: str, limit: int = label_search.MAX_QUERY_CHARS, required: bool = False) -> str:
    value = request.args.get(name, "")
    if len(value) > limit:
        raise BadRequest(f"{name} is {len(value)} characters long; at most {limit}")
    if required and not value.strip():
        raise BadRequest(f"give '{name}'")
    return value


def _answer(document: Any) -> Response:
    response = jsonify(document)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


@blueprint.route("/reconcile", methods=["GET", "POST"])
def endpoint() -> Response:
    kg = graph()
    form = request.form if request.method == "POST" else {}
    asked = {name for name in ("queries", "extend") if name in request.args or name in form}
    try:
        if asked == {"queries"}:
            return _answer(api.reconcile(kg, api.parse_batch(_json_param("queries"))))
        if asked == {"extend"}:
            ids, properties = extension.parse_extend(_json_param("extend"))
            return _answer(extension.extend(kg, ids, properties))
    except api.ReconcileError as error:
        raise BadRequest(str(error)) from None
    if asked:
        raise BadRequest("send either 'queries' or 'extend', not both")
    if request.method == "POST":
        raise BadRequest("a POST to /reconcile needs a 'queries' or 'extend' form field "
                         "(application/x-www-form-urlencoded)")
    response = _answer(api.manifest(kg, request.host_url.rstrip("/")))
    response.headers["Cache-Control"] = "private, max-age=300"  # its URLs name the host asked: no shared caching
    return response


@blueprint.get("/reconcile/suggest/<kind>")
def suggest(kind: str) -> Response:
    kg = graph()
    prefix, cursor = _text("prefix"), _int("cursor", 0, 0, label_search.MAX_LIMIT)
    limit = _int("limit", api.DEFAULT_LIMIT, 1, api.MAX_LIMIT)
    if kind == "entity":
        return _answer(api.suggest_entities(kg, prefix, cursor, limit))
    if kind == "type":
        return _answer(api.suggest_types(kg, prefix, cursor, limit))
    if kind == "property":
        return _answer(extension.suggest_properties(kg, prefix, cursor, limit))
    raise NotFound(f"no suggest service for {kind[:40]!r}: entity, type or property")


@blueprint.get("/reconcile/propose_properties")
def propose_properties() -> Response:
    type_id = _text("type", 300, required=True)
    try:
        return _answer(extension.propose_properties(graph(), type_id, _int("limit", 20, 1, api.MAX_LIMIT)))
    except api.ReconcileError as error:
        raise BadRequest(str(error)) from None


def _entity_iri() -> str:
    kg = graph()
    entity_id = _text("id", 300, required=True).strip()
    iri = api.iri_of(kg, entity_id)
    if not exists(kg, iri):
        raise NotFound(f"no entity with id {entity_id[:80]!r}")
    return iri


@blueprint.get("/reconcile/preview")
def preview() -> Response:
    kg = graph()
    iri = _entity_iri()
    hits = [h for h in label_search.search(kg, kg.label(iri) or "", limit=label_search.MAX_LIMIT) if h.iri == iri]
    body = render_template("reconcile_preview.html", iri=iri, hit=hits[0] if hits else None,
                           label=kg.label(iri) or iri, url=link_for(iri, kg.settings.base),
                           entity_id=api.id_of(kg, iri))
    response = Response(body, mimetype="text/html")
    # OpenRefine shows this card in an iframe: framing allowed here only (frame-ancestors overrides X-Frame-Options)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "ALLOWALL"
    return response


@blueprint.get("/reconcile/view")
def view() -> Response:
    kg = graph()
    iri = _entity_iri()
    return redirect(link_for(iri, kg.settings.base) or iri, code=303)  # type: ignore[return-value]
