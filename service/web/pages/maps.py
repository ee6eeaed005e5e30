"""Maps and places as data: /map (every placed place, its events, the movements; ?until=N keeps what the timeline
puts at or before position N), its GeoJSON (/map.geojson or Accept: application/geo+json), each place's GeoJSON
(/id/x.geojson or by Accept, through entity.serve), the gazetteer in Linked Places Format (/gazetteer.lpf.json),
and a map of WKT points handed over by SPARQL results (/map/points?wkt=...&iri=...&label=..., or POSTed)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from werkzeug.exceptions import BadRequest

from service.features.geo import basemap, mapview
from service.features.geo import places as geo
from service.features.geo import points as geo_points
from service.features.time import chart
from service.rdf.namespaces import path_to_iri
from service.web import caching
from service.web.context import graph
from service.web.errors import error_response
from service.web.params import whole_number

blueprint = Blueprint("maps", __name__)
blueprint.after_request(caching.cache)

GEOJSON = "application/geo+json"
JSONLD = "application/ld+json"


def wants_geojson() -> bool:
    """Accept prefers GeoJSON over HTML (a browser's */* never does)."""
    best = request.accept_mimetypes.best_match(["text/html", GEOJSON, "application/json"], default="text/html")
    return best in (GEOJSON, "application/json") and request.accept_mimetypes[GEOJSON] > 0


def geojson_response(body: dict[str, Any], media_type: str = GEOJSON) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype=media_type)
    response.vary.add("Accept")
    return response


def tile_layer() -> dict[str, Any]:
    """The deployment's tile layer for mapview.layout (none by default: no tile, no request elsewhere)."""
    settings = graph().settings
    return {"tiles": settings.map_tiles, "attribution": settings.map_tiles_attribution}


def _until() -> int | None:
    raw = request.args.get("until")
    if raw in (None, ""):
        return None
    position = whole_number(raw)
    if position is None:
        raise BadRequest("until must be a timeline position (a positive whole number)")
    return position


@blueprint.get("/map")
def map_page() -> Response:
    kg = graph()
    found = geo.atlas(kg)
    if wants_geojson():
        return geojson_response(geo.collection(found, kg.settings.base))
    until = _until()
    view = mapview.layout(found.placed, found.moves, until=until, **tile_layer())
    dated = [e for e in found.events if any(e in p.events for p in found.placed)
             or any(m.event is e for m in found.moves)]
    body = render_template("map.html", v=view, found=found, until=until, dated=dated, path="/map")
    response = Response(body, mimetype="text/html")
    response.vary.add("Accept")
    return response


@blueprint.get("/map.geojson")
def map_geojson() -> Response:
    kg = graph()
    return geojson_response(geo.collection(geo.atlas(kg), kg.settings.base))


@blueprint.get("/gazetteer.lpf.json")
def gazetteer_lpf() -> Response:
    kg = graph()
    return geojson_response(geo.linked_places(geo.atlas(kg), kg.settings.base), JSONLD)


@blueprint.get("/id/<path:local>.geojson")
def place_by_suffix(local: str) -> Response:
    return place_geojson(path_to_iri(f"id/{local}", graph().settings.base))


def place_geojson(iri: str) -> Response:
    """A place as a GeoJSON Feature; 404 for anything that is not a place (an event has no single geometry)."""
    kg = graph()
    place = geo.atlas(kg).places.get(iri)
    if place is None:
        return error_response(404, "Not Found", f"<{iri}> is not a place of the dataset: no GeoJSON")
    return geojson_response(geo.place_feature(place, kg.settings.base))


@blueprint.route("/map/points", methods=["GET", "POST"])
def points_page() -> Response:
    """WKT points from elsewhere (a SPARQL result: the editor, the /sparql page) on the same base map; repeated
    wkt=, with iri= and label= in step (geo_points). POST (a form) carries more than a URL may; bad WKT, a bad IRI,
    none or too many points are a 400."""
    values = request.form if request.method == "POST" else request.args
    try:
        places = geo_points.places(graph(), values.getlist("wkt"), values.getlist("iri"), values.getlist("label"))
    except ValueError as error:
        raise BadRequest(str(error)) from None
    view = mapview.layout(places, [], **tile_layer())
    return Response(render_template("map_points.html", v=view, places=places, path="/map/points"),
                    mimetype="text/html")


def map_for(iri: str) -> tuple[mapview.MapView | None, list[geo.Place]]:
    """For entity.html: the map of a place or an event (None when nothing of it is placed) and what it shows."""
    places, moves = geo.for_entity(graph(), iri)
    return mapview.layout(places, moves, **tile_layer()), places


def register_globals(app: Flask) -> None:
    app.jinja_env.globals["map_for"] = map_for
    app.jinja_env.globals["timeline_chart"] = chart.layout  # timeline.html's chart above its table
    basemap.preload()  # its file read now: a request may not open files (service.query.guard)
