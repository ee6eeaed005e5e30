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
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.features.nodes import Node, iri_node, link_for, remember_labels
from service.features.time import timeline
from service.rdf.namespaces import HK, RDF, RDF_TYPE, SKOS
from service.store.caches import LABEL_PREDICATES
from service.store.graph import KnowledgeGraph

GEO = "http://www.opengis.net/ont/geosparql#"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
AS_WKT, LAT, LONG = GEO + "asWKT", WGS84 + "lat", WGS84 + "long"
EXACT_MATCH = SKOS + "exactMatch"
ORIGIN, DESTINATION = HK + "origin", HK + "destination"
PLACE = HK + "Place"
LPF_CONTEXT_URL = "https://raw.githubusercontent.com/LinkedPasts/linked-places/master/linkedplaces-context-v1.1.jsonld"
LPF_CONTEXT_FILE = Path(__file__).resolve().parents[1] / "contexts" / "linkedplaces-context-v1.1.jsonld"
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
    within: dict[str, frozenset[str]] = field(default_factory=dict)  # a place -> the places located in it

    @property
    def placed(self) -> list[Place]:
        return [p for p in self.places.values() if p.point is not None]

    @property
    def unplaced(self) -> list[Place]:
        return [p for p in self.places.values() if p.point is None]


# Everything the maps show, in one query, read once per graph (like the timeline's events): per place its kind row and
# its coordinates and matches ("place"), the records quoted for them ("source": place, record, quote, the record's
# URL), the movements ("move": event, origin, destination) and which places lie in which ("within": a place without
# a point is mapped by the placed places in it). Over a remote store the labels of the places and records come along
# ("label" rows), so no map looks a label up on its own.
_ATLAS = f"""
  {{ ?a a <{PLACE}> BIND("place" AS ?k) }}
  UNION {{ ?a a <{PLACE}> ; ?p ?o FILTER(?p IN (<{AS_WKT}>, <{LAT}>, <{LONG}>, <{EXACT_MATCH}>))
           BIND("place" AS ?k) }}
  UNION {{ ?st <{RDF}subject> ?a ; <{RDF}predicate> ?p ; <{HK}source> ?x ; <{HK}quote> ?o .
           FILTER(?p IN (<{AS_WKT}>, <{LAT}>, <{EXACT_MATCH}>)) ?a a <{PLACE}> .
           OPTIONAL {{ ?x <https://schema.org/url> ?u }} BIND("source" AS ?k) }}
  UNION {{ ?a <{ORIGIN}> ?o ; <{DESTINATION}> ?x BIND("move" AS ?k) }}
  UNION {{ ?x <{HK}locatedIn> ?a ; a <{PLACE}> BIND("within" AS ?k) }}"""
_LABELS = f"""
  UNION {{ SELECT ("label" AS ?k) (?y AS ?a) (?lp AS ?p) (?label AS ?o) WHERE {{
    {{ SELECT DISTINCT ?y WHERE {{
      {{ ?y a <{PLACE}> }}
      UNION {{ ?st <{RDF}predicate> ?q ; <{HK}source> ?y FILTER(?q IN (<{AS_WKT}>, <{LAT}>, <{EXACT_MATCH}>)) }} }} }}
    VALUES ?lp {{ {" ".join(f"<{p}>" for p in LABEL_PREDICATES)} }} ?y ?lp ?label
    FILTER(isIRI(?y) && isLiteral(?label)) }} }}"""


@dataclass
class _Read:
    """What the atlas query says, before it is put together: the same whatever order the store lists rows in."""
    kinds: set[str] = field(default_factory=set)
    values: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    sources: dict[str, set[tuple[str, str, str | None]]] = field(default_factory=lambda: defaultdict(set))
    moves: set[tuple[str, str, str]] = field(default_factory=set)
    within: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: list[ox.Quad] = field(default_factory=list)


def _read(kg: KnowledgeGraph) -> _Read:
    remote = kg.store.capabilities.batched_lookups  # every lookup a request: the labels come along
    out = _Read()
    for row in kg.query(f"SELECT ?k ?a ?p ?o ?x ?u WHERE {{ {_ATLAS} {_LABELS if remote else ''} }}"):
        kind, a, p, o, x, u = (row[v] for v in ("k", "a", "p", "o", "x", "u"))
        if not isinstance(a, ox.NamedNode):
            continue
        if kind.value == "label":
            out.labels.append(ox.Quad(a, p, o))
        elif kind.value == "place":
            out.kinds.add(a.value)
            if p is not None and o is not None:
                out.values[a.value][p.value].add(o.value)
        elif kind.value == "source" and isinstance(x, ox.NamedNode) and isinstance(o, ox.Literal):
            out.sources[a.value].add((x.value, o.value, u.value if u is not None else None))
        elif kind.value == "move" and isinstance(o, ox.NamedNode) and isinstance(x, ox.NamedNode):
            out.moves.add((a.value, o.value, x.value))
        elif kind.value == "within" and isinstance(x, ox.NamedNode):
            out.within[a.value].add(x.value)
    return out


def _point(values: dict[str, set[str]]) -> tuple[tuple[float, float] | None, str | None]:
    """The place's point: its WKT, else its lat/long (of several, the smallest: the same in every store); an
    ill-typed number leaves it unplaced rather than guessed."""
    for wkt in sorted(values.get(AS_WKT, ())):
        if (point := parse_point(wkt)) is not None:
            return point, wkt
    lats, longs = sorted(values.get(LAT, ())), sorted(values.get(LONG, ()))
    if lats and longs:
        with contextlib.suppress(ValueError):
            return (float(longs[0]), float(lats[0])), None
    return None, None


@lru_cache(maxsize=8)
def atlas(kg: KnowledgeGraph) -> Atlas:
    """Every place, placed or not, with its events (in timeline order) and the movements between placed places; read
    in one query once per graph. Places by label, each one's records by label, IRI and quote: not the store's order."""
    found = _read(kg)
    remember_labels(kg, [*found.kinds, *(s for records in found.sources.values() for s, _, _ in records)],
                    found.labels)
    places: dict[str, Place] = {}
    for iri in found.kinds:
        place = places[iri] = Place(iri_node(kg, iri), matches=sorted(found.values[iri].get(EXACT_MATCH, ())))
        place.point, place.wkt = _point(found.values[iri])
        records = [Source(iri_node(kg, s), url, quote) for s, quote, url in found.sources.get(iri, ())]
        place.sources = sorted(records, key=lambda r: (r.node.label.lower(), r.node.value, r.quote, r.url or ""))
        # Of several URLs of one record (the data should give one), one: the same whatever the store.
        place.sources = [r for n, r in enumerate(place.sources)
                         if n == 0 or (r.node.value, r.quote) != (place.sources[n - 1].node.value,
                                                                   place.sources[n - 1].quote)]
    events = timeline.events(kg)
    for event in events:
        for place_node in event.places:
            if place_node.value in places:
                places[place_node.value].events.append(event)
    by_iri = {e.node.value: e for e in events}
    moves = []
    for e, o, d in found.moves:
        origin, destination = places.get(o), places.get(d)
        if e in by_iri and origin and destination and origin.point and destination.point:
            moves.append(Move(by_iri[e], origin, destination))
    moves.sort(key=lambda m: (m.event.position, m.origin.node.value, m.destination.node.value))
    ordered = dict(sorted(places.items(), key=lambda kv: (kv[1].node.label.lower(), kv[0])))
    return Atlas(ordered, moves, events, {k: frozenset(v) for k, v in found.within.items()})


def for_entity(kg: KnowledgeGraph, iri: str) -> tuple[list[Place], list[Move]]:
    """What an entity page draws: a place itself, or where an event happened (its places and its movement); for a
    place without a point, the placed places within it (hk:locatedIn, transitive by the reasoner). Anything else
    (a person, a unit) has no map, and the atlas is not read for it: the entity's own triples (which its page has
    asked for already) say whether it is a place, the timeline whether it is an event."""
    if not _maybe_mapped(kg, iri):
        return [], []
    found = atlas(kg)
    if iri in found.places:
        place = found.places[iri]
        if place.point is not None:
            return [place], []
        within = found.within.get(iri, frozenset())
        return [p for p in found.placed if p.node.value in within], []
    moves = [m for m in found.moves if m.event.node.value == iri]
    places = [p for p in found.placed if any(e.node.value == iri for e in p.events)]
    for m in moves:
        places += [p for p in (m.origin, m.destination) if p not in places]
    return places, moves


def _maybe_mapped(kg: KnowledgeGraph, iri: str) -> bool:
    """A place (typed hk:Place, inferred types included) or an event on the timeline."""
    term = ox.NamedNode(iri)
    if any(q.predicate.value == RDF_TYPE and q.object == ox.NamedNode(PLACE) for q in kg.triples(term)):
        return True
    return any(e.node.value == iri for e in timeline.events(kg))


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
