"""Entity IRIs served at their own paths: an HTML page for browsers, RDF by Accept or by suffix, 404 with search."""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request

from service.features.entities import page as entities
from service.features.entities import statement as statement_page
from service.features.time import timeline
from service.rdf.formats import Format
from service.rdf.namespaces import path_to_iri
from service.web import caching
from service.web.context import graph
from service.web.errors import error_response
from service.web.negotiation import wants_html
from service.web.pages import maps
from service.web.pages.representations import HTML, RDF_OFFERED, negotiate, rdf_response, split_suffix
from service.web.params import infer_param, page_param

blueprint = Blueprint("entity", __name__)
blueprint.after_request(caching.cache)


@blueprint.get("/id/<path:local>")
def entity(local: str) -> Response:
    return serve(f"id/{local}")


@blueprint.get("/statement/<path:local>")
def statement(local: str) -> Response:
    return serve(f"statement/{local}")


def serve(path: str) -> Response:
    kg = graph()
    iri, suffix = path_to_iri(path, kg.settings.base), None
    if not entities.exists(kg, iri):
        stem, suffix = split_suffix(path)
        iri = path_to_iri(stem, kg.settings.base)
        if suffix is None or not entities.exists(kg, iri):
            return not_found(iri)
    if suffix is None and maps.wants_geojson():
        return maps.place_geojson(iri)  # a place as GeoJSON (issue 12); /id/x.geojson is routed to maps directly
    chosen = negotiate(suffix)  # 406 when nothing fits
    if chosen == HTML:
        return page(iri)
    assert isinstance(chosen, Format)
    triples = entities.rdf_triples(kg, iri, infer=infer_param())
    return rdf_response(triples, chosen, iri.rstrip("/").rsplit("/", 1)[-1] or "entity")


def page(iri: str) -> Response:
    kg = graph()
    infer = infer_param()
    path = request.path
    downloads = [(f, f"{path}.{f.extension}") for f in RDF_OFFERED]
    statement = statement_page.describe(kg, iri) if path.startswith("/statement/") else None
    if statement is not None:
        body = render_template("statement.html", s=statement, path=path, downloads=downloads)
    else:
        # Events in time order: timeline.for_entity keeps the timeline's order (the seam for timeline.order_events).
        described = entities.describe(kg, iri, infer=infer, incoming_page=page_param(),
                                      events=timeline.for_entity(kg, iri), itself=timeline.event(kg, iri))
        assert described is not None
        body = render_template("entity.html", e=described, infer=infer, path=path, downloads=downloads)
    response = Response(body, mimetype="text/html")
    response.vary.add("Accept")
    return response


def not_found(iri: str) -> Response:
    guess = re.sub(r"[-_./]+", " ", iri.rstrip("/").rsplit("/", 1)[-1]).strip()
    if wants_html():
        body = render_template("not_found.html", iri=iri, guess=guess)
        response = Response(body, status=404, mimetype="text/html")
        response.vary.add("Accept")
        return response
    return error_response(404, "Not Found", f"the dataset says nothing about <{iri}>; try /search?q={guess}")
