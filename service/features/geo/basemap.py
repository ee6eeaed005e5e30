"""The base map: Natural Earth's countries (1:50m, public domain; world-atlas's TopoJSON, see geodata/README.md)
drawn as SVG paths in Web Mercator for a viewport, on the server: maps need no tile server, no network and no
JavaScript, and every reader sees the same picture.

Web Mercator because a deployment may lay map tiles over the base map (Settings.map_tiles; the web layer hands the
template over): tiles are in that projection, so a tile at zoom z sits at a computable rectangle of the same SVG.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

GEODATA = Path(__file__).resolve().parent / "geodata" / "countries-50m.json"
MAX_LAT = 85.05112878  # Web Mercator's edge

Ring = list[tuple[float, float]]  # (lon, lat)


@dataclass(frozen=True)
class Country:
    name: str
    rings: tuple[Ring, ...]
    bbox: tuple[float, float, float, float]  # west, south, east, north


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in degrees -> (x, y) in the unit square, y down (the tile convention)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    s = math.sin(math.radians(lat))
    return (lon + 180.0) / 360.0, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


_raw: list[bytes] = []  # the file's bytes, read by preload() at start-up


def preload() -> None:
    """Read the base map's file now, at start-up: a request may not open files (service.query.guard). Decoding it
    (~0.1 s) waits for the first map drawn, so starting the service does not pay for maps nobody asks for."""
    if not _raw:
        _raw.append(GEODATA.read_bytes())


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    topology = json.loads(_raw[0] if _raw else GEODATA.read_bytes())
    arcs = _arcs(topology)
    found = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = ([geometry["arcs"]] if geometry.get("type") == "Polygon"
                    else geometry.get("arcs", []) if geometry.get("type") == "MultiPolygon" else [])
        rings = tuple(_ring(arcs, ring) for polygon in polygons for ring in polygon)
        if not rings:
            continue
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        found.append(Country(str(geometry.get("properties", {}).get("name", "")), rings,
                             (min(lons), min(lats), max(lons), max(lats))))
    return tuple(found)


def _arcs(topology: dict[str, Any]) -> list[Ring]:
    """TopoJSON arcs: quantized, delta-encoded positions -> absolute (lon, lat)."""
    (kx, ky), (dx, dy) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for qx, qy in arc:
            x, y = x + qx, y + qy
            points.append((x * kx + dx, y * ky + dy))
        decoded.append(points)
    return decoded


def _ring(arcs: list[Ring], indexes: list[int]) -> Ring:
    ring: Ring = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(arc[1:] if ring else arc)  # consecutive arcs share their end points
    return ring


@dataclass(frozen=True)
class Viewport:
    """A rectangle of the Mercator plane shown at width x height pixels."""
    x0: float
    y0: float
    scale: float  # pixels per unit of the Mercator square
    width: int
    height: int

    @classmethod
    def around(cls, points: list[tuple[float, float]], width: int = 800, min_span: float = 4.0,
               pad: float = 0.18) -> Viewport:
        """The view that shows every (lon, lat) with a margin, at least `min_span` degrees wide, 4:3 or wider."""
        if not points:
            points = [(0.0, 0.0)]
        xs, ys = zip(*(mercator(lon, lat) for lon, lat in points), strict=True)
        min_unit = min_span / 360.0
        w = max(max(xs) - min(xs), min_unit) * (1 + 2 * pad)
        h = max(max(ys) - min(ys), min_unit * 0.6) * (1 + 2 * pad)
        height = round(min(max(width * h / w, width * 0.5), width * 0.9))
        scale = min(width / w, height / h)
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        return cls(cx - width / scale / 2, cy - height / scale / 2, scale, width, height)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = mercator(lon, lat)
        return round((x - self.x0) * self.scale, 1), round((y - self.y0) * self.scale, 1)

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        def lat(y: float) -> float:
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
        return (self.x0 * 360 - 180, lat(self.y0 + self.height / self.scale),
                (self.x0 + self.width / self.scale) * 360 - 180, lat(self.y0))


@dataclass(frozen=True)
class Tile:
    href: str
    x: float
    y: float
    size: float  # pixels of the drawing a tile covers (square)


TILE_PIXELS = 256
MAX_ZOOM = 19


def tiles(view: Viewport, template: str) -> list[Tile]:
    """The XYZ tiles (256 px, Web Mercator, y down: the OpenStreetMap scheme) that cover the view, at the zoom whose
    tiles come nearest their own size in the drawing, placed in its pixels; x wraps around the antimeridian, rows
    beyond the poles' edge are left out. Only hrefs: the server never fetches a tile (the reader's browser may)."""
    zoom = max(0, min(MAX_ZOOM, round(math.log2(view.scale / TILE_PIXELS))))
    n = 2 ** zoom
    size = view.scale / n
    west, north = view.x0 * n, view.y0 * n
    east, south = (view.x0 + view.width / view.scale) * n, (view.y0 + view.height / view.scale) * n
    found = []
    for ty in range(max(0, math.floor(north)), min(n - 1, math.ceil(south) - 1) + 1):
        for tx in range(math.floor(west), math.ceil(east)):
            href = template.replace("{z}", str(zoom)).replace("{x}", str(tx % n)).replace("{y}", str(ty))
            found.append(Tile(href, round((tx - west) * size, 2), round((ty - north) * size, 2), round(size, 2)))
    return found


def paths(view: Viewport) -> list[tuple[str, str]]:
    """(country name, SVG path data) for the countries in view. Vertices far outside are clamped to a margin around
    the view (50m segments are short, so no visible edge moves) and runs of the same pixel collapse: a page carries
    a few kilobytes of coastline, not the world's."""
    west, south, east, north = view.bounds()
    margin = 20.0
    lo_x, lo_y, hi_x, hi_y = -margin, -margin, view.width + margin, view.height + margin
    drawn = []
    for country in countries():
        cw, cs, ce, cn = country.bbox
        if ce < west or cw > east or cn < south or cs > north:
            continue
        parts = []
        for ring in country.rings:
            points: list[tuple[float, float]] = []
            for lon, lat in ring:
                x, y = view.project(lon, lat)
                p = (round(min(max(x, lo_x), hi_x)), round(min(max(y, lo_y), hi_y)))
                if not points or p != points[-1]:
                    points.append(p)
            if len(points) > 2 and _in_view(points, view):
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
        if parts:
            drawn.append((country.name, "".join(parts)))
    return drawn


def _in_view(points: list[tuple[float, float]], view: Viewport) -> bool:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return max(xs) >= 0 and min(xs) <= view.width and max(ys) >= 0 and min(ys) <= view.height
