"""Places on the map: points from the gazetteer (geo:asWKT, else wgs84:lat/long) with the records they come from,
the events that happened at each place, the movements the data holds (an event with a placed hk:origin and
hk:destination), and all of it as GeoJSON (RFC 7946) and Linked Places Format (GeoJSON-LD with `when`).

A place without coordinates stays unplaced: it is listed, never drawn at a guessed spot.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.features import timeline
from service.features.nodes import Node, iri_node, link_for
from service.rdf.namespaces import HK, RDF, SKOS
from service.store.graph import KnowledgeGraph

GEO = "http://www.opengis.net/ont/geosparql#"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
AS_WKT, LAT, LONG = GEO + "asWKT", WGS84 + "lat", WGS84 + "long"
EXACT_MATCH = SKOS + "exactMatch"
ORIGIN, DESTINATION = HK + "origin", HK + "destination"
LPF_CONTEXT_URL = "https://raw.githubusercontent.com/LinkedPasts/linked-places/master/linkedplaces-context-v1.1.jsonld"
LPF_CONTEXT_FILE = Path(__file__).resolve().parent / "contexts" / "linkedplaces-context-v1.1.jsonld"
_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.IGNORECASE)


def parse_point(wkt: str) -> tuple[float, float] | None:
    """A WKT point (optionally with a leading CRS IRI) -> (lon, lat); anything else, or off the globe -> None."""
    m = _POINT.match(wkt)
    if m is None:
        return None
    lon, lat = float(m.group(1)), float(m.group(2))
    return (lon, lat) if -180 <= lon <= 180 and -90 <= lat <= 90 else None


@dataclass(frozen=True)
class Source:
    node: Node
    url: str | None
    quote: str


@dataclass
class Place:
    node: Node
    point: tuple[float, float] | None = None  # (lon, lat)
    wkt: str | None = None
    sources: list[Source] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)
    events: list[timeline.Event] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    event: timeline.Event
    origin: Place
    destination: Place


@dataclass
class Atlas:
    places: dict[str, Place]
    moves: list[Move]
    events: tuple[timeline.Event, ...]

    @property
    def placed(self) -> list[Place]:
        return [p for p in self.places.values() if p.point is not None]

    @property
    def unplaced(self) -> list[Place]:
        return [p for p in self.places.values() if p.point is None]


_PLACES = f"""
SELECT ?place ?wkt ?lat ?long ?match WHERE {{
  ?place a <{HK}Place> .
  OPTIONAL {{ ?place <{AS_WKT}> ?wkt }}
  OPTIONAL {{ ?place <{LAT}> ?lat ; <{LONG}> ?long }}
  OPTIONAL {{ ?place <{EXACT_MATCH}> ?match }}
}}"""
_SOURCES = f"""
SELECT ?place ?source ?quote ?url WHERE {{
  ?st <{RDF}subject> ?place ; <{RDF}predicate> ?p ; <{HK}source> ?source ; <{HK}quote> ?quote .
  FILTER(?p IN (<{AS_WKT}>, <{LAT}>, <{EXACT_MATCH}>))
  ?place a <{HK}Place> .
  OPTIONAL {{ ?source <https://schema.org/url> ?url }}
}}"""
_MOVES = f"SELECT ?e ?o ?d WHERE {{ ?e <{ORIGIN}> ?o ; <{DESTINATION}> ?d }}"


def atlas(kg: KnowledgeGraph) -> Atlas:
    """Every place, placed or not, with its events (in timeline order) and the movements between placed places."""
    places: dict[str, Place] = {}
    for row in kg.query(_PLACES):
        iri = row["place"].value
        place = places.get(iri) or places.setdefault(iri, Place(iri_node(kg, iri)))
        if row["wkt"] is not None and place.point is None and (point := parse_point(row["wkt"].value)):
            place.point, place.wkt = point, row["wkt"].value
        elif row["lat"] is not None and place.point is None:
            with contextlib.suppress(ValueError):  # an ill-typed number: left unplaced rather than guessed
                place.point = (float(row["long"].value), float(row["lat"].value))
        if row["match"] is not None and row["match"].value not in place.matches:
            place.matches.append(row["match"].value)
    seen: set[tuple[str, str, str]] = set()
    for row in kg.query(_SOURCES):
        key = (row["place"].value, row["source"].value, row["quote"].value)
        if key not in seen and key[0] in places:
            seen.add(key)
            url = row["url"].value if row["url"] is not None else None
            places[key[0]].sources.append(Source(iri_node(kg, key[1]), url, key[2]))
    events = timeline.events(kg)
    for event in events:
        for place_node in event.places:
            if place_node.value in places:
                places[place_node.value].events.append(event)
    by_iri = {e.node.value: e for e in events}
    moves = []
    for row in kg.query(_MOVES):
        e, o, d = (row[v].value for v in ("e", "o", "d"))
        origin, destination = places.get(o), places.get(d)
        if e in by_iri and origin and destination and origin.point and destination.point:
            moves.append(Move(by_iri[e], origin, destination))
    moves.sort(key=lambda m: m.event.position)
    return Atlas(dict(sorted(places.items(), key=lambda kv: kv[1].node.label.lower())), moves, events)


def for_entity(kg: KnowledgeGraph, iri: str) -> tuple[list[Place], list[Move]]:
    """What an entity page draws: a place itself, or where an event happened (its places and its movement); for a
    place without a point, the placed places within it (hk:locatedIn, transitive by the reasoner)."""
    found = atlas(kg)
    if iri in found.places:
        place = found.places[iri]
        if place.point is not None:
            return [place], []
        within = {row["x"].value for row in kg.query(f"SELECT ?x WHERE {{ ?x <{HK}locatedIn> <{iri}> }}")}
        return [p for p in found.placed if p.node.value in within], []
    moves = [m for m in found.moves if m.event.node.value == iri]
    places = [p for p in found.placed if any(e.node.value == iri for e in p.events)]
    for m in moves:
        places += [p for p in (m.origin, m.destination) if p not in places]
    return places, moves


# ------------------------------------------------------------------------------------------------ GeoJSON, LPF

def _geometry(place: Place) -> dict[str, Any] | None:
    return {"type": "Point", "coordinates": list(place.point)} if place.point else None


def _properties(place: Place, base: str) -> dict[str, Any]:
    return {
        "label": place.node.label, "page": link_for(place.node.value, base),
        "sources": [{"label": s.node.label, "id": s.node.value, "url": s.url, "quote": s.quote}
                    for s in place.sources],
        "exactMatch": place.matches,
        "events": [{"id": e.node.value, "label": e.node.label, "when": e.date_label, "position": e.position}
                   for e in place.events],
    }


def place_feature(place: Place, base: str) -> dict[str, Any]:
    """One place as a GeoJSON Feature; geometry null when no record places it (RFC 7946 3.2 allows that)."""
    return {"type": "Feature", "id": place.node.value, "geometry": _geometry(place),
            "properties": _properties(place, base)}


def move_feature(move: Move, base: str) -> dict[str, Any]:
    return {"type": "Feature", "id": move.event.node.value,
            "geometry": {"type": "LineString", "coordinates": [list(move.origin.point or ()),
                                                               list(move.destination.point or ())]},
            "properties": {"label": move.event.node.label, "page": link_for(move.event.node.value, base),
                           "when": move.event.date_label, "position": move.event.position,
                           "from": move.origin.node.value, "to": move.destination.node.value}}


def collection(found: Atlas, base: str) -> dict[str, Any]:
    """The data behind /map: every placed place with its events, and the movements as lines."""
    features = [place_feature(p, base) for p in found.placed] + [move_feature(m, base) for m in found.moves]
    return {"type": "FeatureCollection", "features": features}


def linked_places(found: Atlas, base: str) -> dict[str, Any]:
    """The gazetteer in Linked Places Format v1.1: each place a Feature with names, types, geometry (with the record
    it comes from as a citation), links (skos:exactMatch) and `when` (the timespans of the events that happened
    there, as the data bounds them)."""
    features = []
    for place in found.places.values():
        feature: dict[str, Any] = {
            "@id": place.node.value, "type": "Feature",
            "properties": {"title": place.node.label},
            "names": [{"toponym": place.node.label, "lang": "en",
                       "citations": [{"id": link_for(place.node.value, base) or place.node.value}]}],
            "links": [{"type": "exactMatch", "identifier": m} for m in place.matches],
        }
        if place.point is not None:
            feature["geometry"] = {"type": "GeometryCollection", "geometries": [{
                "type": "Point", "coordinates": list(place.point),
                "citations": [{"id": s.url or s.node.value, "label": s.node.label} for s in place.sources]}]}
        spans = [{"start": {"earliest": e.earliest} if e.earliest else {},
                  "end": {"latest": e.latest} if e.latest else {}} for e in place.events if e.earliest or e.latest]
        if spans:
            feature["when"] = {"timespans": spans}
        features.append(feature)
    return {"@context": LPF_CONTEXT_URL, "type": "FeatureCollection", "features": features}


def lpf_context() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(LPF_CONTEXT_FILE.read_text(encoding="utf-8"))
    return loaded


def events_by_place(found: Atlas) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for place in found.placed:
        out[place.node.value] = [e.node.value for e in place.events]
    return out
