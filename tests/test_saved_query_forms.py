"""Saved-query pages as a person uses them: entity parameters take a label, a name or an IRI (with autocomplete);
what names nothing or several things is a 400 that lists the candidates; cells show values, with datatype and
language in a title; result tables are sortable (static/sort.js)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from tests.test_pages import soup as page  # an HTML page as the browser asks for it, parsed

MIG = "https://histkg.example.org/id/belenko-mig-25"


def first_column_links(soup: BeautifulSoup) -> list[str]:
    return [a["href"] for a in soup.select("table.results tbody tr td:first-child a")]


def test_entity_parameter_is_an_autocomplete_showing_a_label(client: FlaskClient) -> None:
    soup = page(client, "/queries/aircraft-fate")
    box = soup.select_one("form.query-params input[name=aircraft]")
    assert box is not None
    assert "search-input" in box["class"] and box["role"] == "combobox" and box["data-fill"] == "label"
    listbox = soup.find(id=box["aria-controls"])
    assert listbox is not None and listbox["role"] == "listbox"
    assert soup.find("label", attrs={"for": box["id"]}) is not None
    assert box["value"] == "Belenko's MiG-25P", "the default (id:belenko-mig-25) is shown by its label"


@pytest.mark.parametrize("typed", ["Belenko's MiG-25P", "belenko's mig-25p", "belenko-mig-25", "id:belenko-mig-25",
                                   MIG, f"<{MIG}>"])
def test_a_label_a_name_or_an_iri_give_the_same_results(client: FlaskClient, typed: str) -> None:
    expected = first_column_links(page(client, "/queries/aircraft-fate?aircraft=id:belenko-mig-25"))
    assert expected and set(expected) == {"/id/belenko-mig-25"}
    soup = page(client, f"/queries/aircraft-fate?aircraft={typed}")
    assert first_column_links(soup) == expected
    assert soup.select_one("input[name=aircraft]")["value"] == "Belenko's MiG-25P"


def test_an_alias_names_its_entity_and_other_entities_give_other_results(client: FlaskClient) -> None:
    soup = page(client, "/queries/aircraft-fate?aircraft=Zuyev's MiG-29")
    assert set(first_column_links(soup)) == {"/id/zuyev-mig-29"}
    data = json.loads(client.get("/queries/aircraft-fate.json?aircraft=Zuyev's MiG-29").data)
    assert {b["aircraft"]["value"] for b in data["results"]["bindings"]} == {
        "https://histkg.example.org/id/zuyev-mig-29"}


def test_nothing_by_that_name_is_a_400_with_the_form_back(client: FlaskClient) -> None:
    soup = page(client, "/queries/aircraft-fate?aircraft=xqzwvy+plonk+nothing", status=400)
    problem = soup.select_one(".param-problem[role=alert]")
    assert problem is not None and "xqzwvy plonk nothing" in problem.get_text()
    box = soup.select_one("input[name=aircraft]")
    assert box["aria-invalid"] == "true" and box["aria-describedby"] == problem["id"]
    assert box["value"] == "xqzwvy plonk nothing", "what was typed stays in the field"
    assert soup.select_one("table.results") is None


def test_an_ambiguous_label_is_a_400_listing_candidates_that_work(client: FlaskClient) -> None:
    soup = page(client, "/queries/person-events?person=belenko", status=400)
    candidates = {a.get_text(): a["href"] for a in soup.select(".param-problem a.candidate")}
    assert "Viktor Belenko" in candidates and len(candidates) > 1
    chosen = urlsplit(candidates["Viktor Belenko"])
    assert parse_qs(chosen.query)["person"] == ["id:viktor-belenko"]
    after = page(client, candidates["Viktor Belenko"])
    assert after.select("table.results tbody tr")


def test_the_400_for_a_data_format_names_the_candidates(client: FlaskClient) -> None:
    response = client.get("/queries/person-events.json?person=belenko")
    assert response.status_code == 400 and response.mimetype == "application/json"
    message = json.loads(response.data)["error"]["message"]
    assert "belenko" in message and "Viktor Belenko" in message and "id:viktor-belenko" in message
    missing = client.get("/queries/person-events.csv?person=xqzwvy+plonk+nothing")
    assert missing.status_code == 400 and b"nothing in the dataset" in missing.data


def test_cells_show_values_with_datatype_and_language_on_hover(client: FlaskClient) -> None:
    soup = page(client, "/queries/aircraft-fate?aircraft=id:belenko-mig-25")
    table = soup.select_one("table.results")
    assert table is not None
    assert not table.select(".datatype, .lang"), "no @en or xsd:... printed inline"
    assert "@en" not in table.get_text() and "xsd:" not in table.get_text()
    typed = table.select("td .literal[title]")
    titles = {span["title"] for span in typed}
    assert "xsd:integer" in titles and "language: en" in titles
    # The query gives each date in EDTF (the Library of Congress datatype), the datatype on hover only.
    dated = next(span for span in typed if span.get("data-datatype") == "http://id.loc.gov/datatypes/edtf/EDTF")
    assert dated.get_text() == "1976-09-06" and dated["title"] == "http://id.loc.gov/datatypes/edtf/EDTF"
    tagged = next(span for span in typed if span["title"] == "language: en")
    assert tagged["lang"] == "en"
    assert table.select("td a[href='/id/belenko-mig-25']"), "IRIs stay short linked names"


def test_results_are_sortable_by_the_script(client: FlaskClient) -> None:
    soup = page(client, "/queries/aircraft-fate?aircraft=id:belenko-mig-25")
    assert soup.select_one("table.results thead th[scope=col]") is not None
    assert soup.select_one("script[src$='/static/sort.js']") is not None
    script = client.get("/static/sort.js")
    assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")
    assert b"aria-sort" in script.data
