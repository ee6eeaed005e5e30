"""Issue 12 over HTTP: places as GeoJSON (suffix and Accept), /map's data, the gazetteer in Linked Places Format
expanded by pyld from the vendored context (no network), the /map page and entity maps (SVG marks named and
linked, with a table), the network views (facts, inferred links and claims apart), bad input as 4xx."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from typing import Any
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from pyld import jsonld

from service.config import Settings
from service.features.geo import basemap
from service.features.geo import places as geo
from service.store.graph import KnowledgeGraph
from service.web import create_app, security

ID = "https://histkg.example.org/id/"
HTML = {"Accept": "text/html"}


def soup(client: FlaskClient, url: str) -> BeautifulSoup:
    r = client.get(url, headers=HTML)
    assert r.status_code == 200, (url, r.status_code)
    return BeautifulSoup(r.data, "html.parser")


@pytest.mark.parametrize("url,headers", [("/id/hakodate-airport.geojson", {}),
                                         ("/id/hakodate-airport", {"Accept": "application/geo+json"})])
def test_place_as_geojson(client: FlaskClient, url: str, headers: dict[str, str]) -> None:
    r = client.get(url, headers=headers)
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    feature = json.loads(r.data)
    assert feature["type"] == "Feature" and feature["id"] == ID + "hakodate-airport"
    assert feature["geometry"] == {"type": "Point", "coordinates": [140.82194, 41.77]}
    (source,) = feature["properties"]["sources"]
    assert source["url"] == "https://de.wikipedia.org/wiki/Flughafen_Hakodate"
    assert "41\u00b0 46\u2032 12\u2033 N" in source["quote"]
    assert {e["id"] for e in feature["properties"]["events"]} >= {ID + "belenko-landing"}


def test_unplaced_place_has_null_geometry_and_non_places_404(client: FlaskClient) -> None:
    assert json.loads(client.get("/id/japan.geojson").data)["geometry"] is None
    assert client.get("/id/viktor-belenko.geojson").status_code == 404


def test_map_data_has_points_and_the_two_movements(client: FlaskClient) -> None:
    body = json.loads(client.get("/map.geojson").data)
    assert body == json.loads(client.get("/map", headers={"Accept": "application/geo+json"}).data)
    lines = {f["id"]: f["geometry"]["coordinates"] for f in body["features"] if f["geometry"]["type"] == "LineString"}
    assert lines == {ID + "belenko-defection-flight": [[133.86833, 44.08333], [140.82194, 41.77]],
                     ID + "mig-25-move-to-hyakuri": [[140.73333, 41.76667], [140.41472, 36.18167]]}
    points = {f["id"] for f in body["features"] if f["geometry"]["type"] == "Point"}
    assert ID + "sea-toward-japan" not in points and ID + "hakodate-airport" in points


def test_linked_places_expand_with_pyld_from_the_vendored_context(client: FlaskClient) -> None:
    r = client.get("/gazetteer.lpf.json")
    assert r.status_code == 200
    doc = json.loads(r.data)
    assert doc["@context"] == geo.LPF_CONTEXT_URL

    def loader(url: str, options: dict[str, object] | None = None) -> dict[str, object]:
        assert url == geo.LPF_CONTEXT_URL, f"only the LPF context may be loaded, not {url}"
        return {"contextUrl": None, "documentUrl": url, "document": geo.lpf_context()}

    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    airport = f"<{ID}hakodate-airport>"
    assert f"{airport} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.org/geojson/vocab#Feature>" \
        in nquads
    assert "<http://linkedpasts.org/ontology/lpo_latest.ttl#when>" in nquads
    assert '"Hakodate airport"' in nquads
    assert f"<{ID}hakodate> <http://linkedpasts.org/ontology/lpo_latest.ttl#link_attestation>" in nquads
    hakodate = next(f for f in doc["features"] if f["@id"] == ID + "hakodate")
    assert hakodate["links"] == [{"type": "exactMatch", "identifier": "https://sws.geonames.org/2130184/"}]


def test_map_page_draws_named_linked_marks_and_tables(client: FlaskClient) -> None:
    page = soup(client, "/map")
    svg = page.select_one("svg.map-svg")
    assert svg is not None and svg.find("title").text
    marks = {a["data-iri"]: a for a in svg.select("a.map-place")}
    assert set(marks) == {ID + p for p in ("hakodate-airport", "hakodate", "hyakuri-airfield",
                                           "chuguyevka-air-base", "chitose-air-base")}
    for a in marks.values():
        assert a["href"].startswith("/id/") and a.find("title").text.strip()
    assert [a["href"] for a in svg.select("a.map-move")] == ["/id/belenko-defection-flight",
                                                           "/id/mig-25-move-to-hyakuri"]
    assert svg.select(".map-land path")
    rows = page.select("#places tbody tr")
    assert any("not placed" in r.text for r in rows if r["data-iri"] == ID + "japan")


def test_map_time_filter_hides_later_marks(client: FlaskClient) -> None:
    page = soup(client, "/map")
    flight_position = int(page.select_one("a.map-move")["data-position"])
    filtered = soup(client, f"/map?until={flight_position}")
    hidden = {a["data-iri"] for a in filtered.select("a.map-place.map-hidden")}
    assert ID + "hyakuri-airfield" in hidden and ID + "hakodate-airport" not in hidden
    assert client.get("/map?until=soon", headers=HTML).status_code == 400
    # str.isdigit takes these, int() does not (and refuses over 4300 digits): a 400, not a 500
    for unreadable in ("²", "9" * 5000):
        assert client.get("/map", query_string={"until": unreadable}, headers=HTML).status_code == 400


def test_entity_pages_show_where(client: FlaskClient) -> None:
    airport = soup(client, "/id/hakodate-airport")
    assert airport.select_one("#map svg a.map-place")["data-iri"] == ID + "hakodate-airport"
    assert "German Wikipedia" in airport.select_one("#map table").text
    flight = soup(client, "/id/belenko-defection-flight")
    assert flight.select_one("#map a.map-move")["href"] == "/id/belenko-defection-flight"
    assert soup(client, "/id/viktor-belenko").select_one("#map") is None  # a person is not placed


def test_editor_points_map(client: FlaskClient) -> None:
    page = soup(client, "/map/points?wkt=POINT(140.82194%2041.77)&label=airport")
    assert page.select_one("svg.map-svg a.map-place title").text == "airport"
    assert client.get("/map/points?wkt=POLYGON((0 0))", headers=HTML).status_code == 400
    assert client.get("/map/points", headers=HTML).status_code == 400


WKT_QUERY = "PREFIX geo: <http://www.opengis.net/ont/geosparql#> SELECT ?place ?wkt WHERE { ?place geo:asWKT ?wkt }"


def test_sparql_page_offers_its_wkt_points_on_a_map(client: FlaskClient) -> None:
    page = soup(client, "/sparql?query=" + quote(WKT_QUERY))
    form = page.select_one("section.sparql-result form.map-points")
    assert form is not None and form["method"] == "get" and form["action"] == "/map/points"
    fields = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    assert [n for n, _ in fields] == ["wkt", "iri", "label"] * 5
    assert ("iri", ID + "hakodate-airport") in fields and "5 WKT points" in form.text
    # The form's GET is the map's link: each point named and linked by the place its row binds.
    points = soup(client, "/map/points?" + "&".join(f"{n}={quote(v)}" for n, v in fields))
    marks = {a["data-iri"]: a for a in points.select("svg.map-svg a.map-place")}
    assert len(marks) == 5
    airport = marks[ID + "hakodate-airport"]
    assert airport["href"] == "/id/hakodate-airport" and airport.find("text").text == "Hakodate airport"
    assert (float(airport["data-lon"]), float(airport["data-lat"])) == (140.82194, 41.77)
    # No WKT point bound (a string that looks like one is not a wktLiteral): no map offered.
    plain = soup(client, "/sparql?query=" + quote('SELECT ?w WHERE { BIND("POINT(1 2)" AS ?w) }'))
    assert plain.select_one("table.results") is not None and plain.select_one("form.map-points") is None


def test_map_points_bounds_and_bad_input(client: FlaskClient) -> None:
    many = {"wkt": [f"POINT({i % 180} {i % 80})" for i in range(200)]}
    assert client.post("/map/points", data=many, headers=HTML).status_code == 200  # a form's POST: no URL limit
    page = BeautifulSoup(client.post("/map/points", data={"wkt": ["POINT(1 2)", "POINT(3 4)"],
                                                          "label": ["one", "two"]}, headers=HTML).data, "html.parser")
    assert [t.text for t in page.select("a.map-place text")] == ["one", "two"]
    too_many = {"wkt": many["wkt"] + ["POINT(0 0)"]}
    for response in (client.post("/map/points", data=too_many, headers=HTML),
                     client.get("/map/points?wkt=POINT(200%2010)", headers=HTML),  # off the globe
                     client.get("/map/points?wkt=POINT(1%202)&iri=not%20an%20iri", headers=HTML),
                     client.post("/map/points", data={}, headers=HTML)):
        assert response.status_code == 400, response.data[:200]
    assert b"give 1 to 200" in client.post("/map/points", data=too_many, headers=HTML).data


def test_editor_and_page_pick_the_same_points() -> None:
    """The rule static/editor.js repeats: the row's first IRI names its points, else its first plain string."""
    import pyoxigraph as ox

    from service.features.geo import points as geo_points
    wkt = ox.Literal("POINT(1 2)", datatype=ox.NamedNode(geo_points.WKT_LITERAL))
    rows = [(ox.Literal("a"), wkt, ox.NamedNode(ID + "x")), (ox.Literal("b", language="en"), wkt, None),
            (ox.Literal("c"), wkt, ox.NamedNode(ID + "x")), (ox.Literal("POINT(3 4)"), None, None)]
    points, total = geo_points.in_result(rows)
    assert total == 2 and points == [geo_points.PointRef("POINT(1 2)", ID + "x", ""),
                                     geo_points.PointRef("POINT(1 2)", "", "b")]


def tiles_client(kg: KnowledgeGraph) -> FlaskClient:
    return create_app(kg.with_settings(map_tiles=TILES, map_tiles_attribution="Tiles: test server")).test_client()


TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
MAP_PAGES = ("/map", "/id/hakodate-airport", "/id/belenko-defection-flight", "/map/points?wkt=POINT(1%202)")


def test_no_tiles_by_default(client: FlaskClient) -> None:
    for url in MAP_PAGES:
        response = client.get(url, headers=HTML)
        page = BeautifulSoup(response.data, "html.parser")
        assert page.select_one("svg.map-svg") is not None
        assert page.select("svg image") == [] and page.select_one(".map-tiles") is None
        assert b"127.0.0.1" not in response.data and b"{z}" not in response.data
        assert response.headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY
    assert "img-src 'self' data:;" in security.CONTENT_SECURITY_POLICY


def test_configured_tiles_cover_each_map_and_the_csp_names_their_origin(kg: KnowledgeGraph) -> None:
    client = tiles_client(kg)
    for url in MAP_PAGES:
        response = client.get(url, headers=HTML)
        assert response.status_code == 200
        csp = response.headers["Content-Security-Policy"]
        assert "img-src 'self' data: http://127.0.0.1:9;" in csp
        assert csp.replace(" http://127.0.0.1:9", "") == security.CONTENT_SECURITY_POLICY  # that, and only that
        page = BeautifulSoup(response.data, "html.parser")
        check_tiles(page.select_one("svg.map-svg"))
        assert "Tiles: test server" in page.select_one("figure.map figcaption").text
    # The tile layer lies over the base map (its fallback) and under the marks.
    svg = BeautifulSoup(client.get("/map", headers=HTML).data, "html.parser").select_one("svg.map-svg")
    order = [g["class"][0] for g in svg.find_all("g", recursive=False)]
    assert order.index("map-land") < order.index("map-tiles") < order.index("map-places")


def check_tiles(svg: Any) -> None:
    """Each tile sits where Web Mercator puts its z/x/y corner in this drawing (the projection read off two marks,
    or off a mark and the tile's size), together they cover the view, and their zoom draws them near 256 px."""
    _, _, width, height = (float(n) for n in svg["viewbox"].split())  # html.parser lowers attribute names
    images = svg.select("g.map-tiles image")
    assert images
    found = []
    for image in images:
        m = re.fullmatch(r"http://127\.0\.0\.1:9/tiles/(\d+)/(\d+)/(\d+)\.png", image["href"])
        assert m, image["href"]
        z, tx, ty = (int(g) for g in m.groups())
        found.append((z, tx, ty, float(image["x"]), float(image["y"]), float(image["width"])))
    assert len({f[0] for f in found}) == 1
    z, size = found[0][0], found[0][5]
    assert 181 <= size <= 363, "the zoom whose tiles come nearest 256 px"
    mark = svg.select_one("a.map-place")
    mx, my = basemap.mercator(float(mark["data-lon"]), float(mark["data-lat"]))
    cx, cy = float(mark.find("circle")["cx"]), float(mark.find("circle")["cy"])
    scale = size * 2 ** z  # pixels per unit of the Mercator square
    for _, tx, ty, x, y, _ in found:
        assert abs(x - (cx + (tx / 2 ** z - mx) * scale)) < 0.2 and abs(y - (cy + (ty / 2 ** z - my) * scale)) < 0.2
    xs, ys = sorted({f[3] for f in found}), sorted({f[4] for f in found})
    assert xs[0] <= 0 and xs[-1] + size >= width and ys[0] <= 0 and ys[-1] + size >= height
    assert all(b - a == pytest.approx(size, abs=0.02) for a, b in pairwise(xs))
    assert len(found) == len(xs) * len(ys), "a full grid: no gap"
    assert xs[1] > 0 and xs[-2] + size < width and ys[1] > 0 and ys[-2] + size < height, "no tile beyond the view"


def test_tile_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HISTKG_MAP_TILES", TILES)
    assert Settings.from_env().map_tiles == TILES and Settings().map_tiles is None
    for bad in ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org/{z}/{x}.png",
                "ftp://tile.example.org/{z}/{x}/{y}", "https://a.org;script-src */{z}/{x}/{y}"):
        monkeypatch.setenv("HISTKG_MAP_TILES", bad)
        with pytest.raises(ValueError, match="HISTKG_MAP_TILES"):
            Settings.from_env()


def test_belenko_links_to_his_network(client: FlaskClient) -> None:
    link = soup(client, "/id/viktor-belenko").select_one("a.network-link")
    assert link is not None
    page = soup(client, link["href"])
    svg = page.select_one("svg.net-svg")
    nodes = {a["data-iri"]: a for a in svg.select("a.net-node")}
    assert ID + "viktor-belenko" in nodes and "net-centre" in nodes[ID + "viktor-belenko"]["class"]
    assert ID + "530-iap" in nodes and ID + "belenko-mig-25" in nodes
    for a in nodes.values():
        assert a["href"].startswith("/id/") and a.find("title").text
    kinds = {line["data-kind"] for line in svg.select("line.net-edge")}
    assert kinds == {"fact", "inferred", "claim"}
    claim = svg.select_one("line.net-claim")
    assert "a claim, not a fact" in claim.find("title").text
    # Stable: the same picture twice.
    assert client.get(link["href"], headers=HTML).data == client.get(link["href"], headers=HTML).data


def test_whole_network_filters_by_type(client: FlaskClient) -> None:
    page = soup(client, "/network?type=person")
    assert {a["data-kind"] for a in page.select("a.net-node")} == {"person"}
    assert client.get("/network?type=ships", headers=HTML).status_code == 400
    assert client.get(f"/network?focus={quote(ID + 'ts-1976-09-06', safe='')}", headers=HTML).status_code == 404


def test_timeline_chart_above_the_table(client: FlaskClient) -> None:
    page = soup(client, "/timeline")
    svg = page.select_one("svg.chart-svg")
    assert svg is not None and svg.find_next("table") is not None
    marks = svg.select("a.chart-mark")
    rows = [a["href"] for a in page.select("table a[href^='/id/']")]
    assert marks and all(a["href"].startswith("/id/") and a.find("title").text for a in marks)
    # The chart keeps the timeline's order: positions increase left to right.
    positions = [int(a["data-position"]) for a in marks]
    assert positions == sorted(positions)
    assert "/id/belenko-landing" in rows
    lanes = [t.text for t in svg.select(".chart-lane-label")]
    assert lanes[0] == "Viktor Belenko" and "Belenko's MiG-25P" in lanes
    vague = svg.select("a.chart-mark rect.chart-vague")
    assert vague and svg.select("a.chart-mark circle")
