"""Issue 12 over HTTP: places as GeoJSON (suffix and Accept), /map's data, the gazetteer in Linked Places Format
expanded by pyld from the vendored context (no network), the /map page and entity maps (SVG marks named and
linked, with a table), the network views (facts, inferred links and claims apart), bad input as 4xx."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from pyld import jsonld

from service.features import geo

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
