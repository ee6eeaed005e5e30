"""What a map shows, laid out on the server: the base map's countries in view, each placed place as a named, linked
point, each movement as a line from origin to destination; in pixels of one SVG, so the picture is the same for
every reader, needs no script and no tile server, and its text equivalent (the table beside it) says the same."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.features.geo import basemap
from service.features.geo.places import Move, Place


@dataclass(frozen=True)
class Mark:
    place: Place
    x: float
    y: float
    first: int  # the earliest timeline position among its events (0: none); the time filter hides it before that
    label_left: bool  # its label drawn to the left (near the right edge)
    hidden: bool = False  # after the time filter's position: drawn, but hidden (the view stays the same)


@dataclass(frozen=True)
class Line:
    move: Move
    x1: float
    y1: float
    x2: float
    y2: float
    hidden: bool = False


@dataclass(frozen=True)
class MapView:
    width: int
    height: int
    countries: list[tuple[str, str]]
    marks: list[Mark]
    lines: list[Line]
    bounds: tuple[float, float, float, float]
    tiles: list[basemap.Tile] = field(default_factory=list)  # a deployment's tile layer, over the base map
    tiles_attribution: str = ""

    @property
    def description(self) -> str:
        names = ", ".join(m.place.node.label for m in self.marks)
        moves = "; ".join(f"{ln.move.event.node.label} ({ln.move.origin.node.label} to "
                          f"{ln.move.destination.node.label})" for ln in self.lines)
        return f"Map of {names}" + (f", with the movements: {moves}" if moves else "") + "."


def layout(places: list[Place], moves: list[Move], width: int = 800, until: int | None = None,
           tiles: str | None = None, attribution: str = "") -> MapView | None:
    """The map of these places and movements (None when none is placed). `until`: hide what the timeline puts
    after that position (a place stays while any of its events, or none, is at or before it); the view is the
    same whatever the filter, so the picture does not jump. `tiles`: a tile URL template laid over the base map
    (which stays under it: a tile that does not load shows the base map)."""
    placed = [p for p in places if p.point is not None]
    if not placed:
        return None
    view = basemap.Viewport.around([p.point for p in placed if p.point], width=width)
    marks = []
    projected = [(p, *view.project(*p.point)) for p in placed if p.point is not None]
    for p, x, y in projected:
        first = min((e.position for e in p.events), default=0)
        # Label on the left near the right edge, or when a neighbour just east of it would take the label's place.
        crowded = any(0 < x2 - x < 160 and abs(y2 - y) < 16 for _, x2, y2 in projected)
        marks.append(Mark(p, x, y, first, x > width * 0.7 or crowded,
                          until is not None and first > 0 and first > until))
    lines = []
    for m in moves:
        assert m.origin.point is not None and m.destination.point is not None
        (x1, y1), (x2, y2) = view.project(*m.origin.point), view.project(*m.destination.point)
        lines.append(Line(m, x1, y1, x2, y2, until is not None and m.event.position > until))
    return MapView(view.width, view.height, basemap.paths(view), marks, lines, view.bounds(),
                   basemap.tiles(view, tiles) if tiles else [], attribution if tiles else "")
