"""Search that forgives (issue 11): the cases a new user tried, the ranking rule, filters and bad input.

Through the real app's /search (JSON and HTML) over the shipped dataset, in every store mode the session runs.
Ranking rule (service.features.search.matching): exact label or alias > label prefix or whole word of the label > alias
prefix > every query word begins a word (any order) > within typos; ties by links in and out, then shorter label.
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from service.features.search import matching as search
from service.features.search.index import folded
from service.store.graph import KnowledgeGraph

ID = "https://histkg.example.org/id/"


def hits(client: FlaskClient, query: str, **params: str) -> list[dict[str, Any]]:
    response = client.get("/search", query_string={"q": query, **params}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    found: list[dict[str, Any]] = response.get_json()
    return found


def iris(client: FlaskClient, query: str, **params: str) -> list[str]:
    return [h["iri"].removeprefix(ID) for h in hits(client, query, **params)]


def test_folding_ignores_case_accents_punctuation_and_spaces() -> None:
    assert folded("MiG 25").compact == folded("mig25").compact == folded("MiG-25").compact == "mig25"
    assert folded("BÉLENKO's").words == ("belenko",)  # accents and the English possessive go
    assert folded("Near-collision with a passenger").words == ("nearcollision", "with", "a", "passenger")
    assert folded("%%% — !!").compact == ""


@pytest.mark.parametrize("query", ["MiG 25", "mig25", "MiG-25", "mig 25", "MIG—25", " mig-25 "])
def test_the_spellings_of_mig_25_find_it_first_as_the_exact_label(client: FlaskClient, query: str) -> None:
    first = hits(client, query)[0]
    assert first["iri"] == ID + "mig-25"
    assert first["match"] == "exact" and first["score"] == 1.0


def test_several_words_in_any_order(client: FlaskClient) -> None:
    assert iris(client, "Belenko MiG")[0] == "belenko-mig-25"  # "Belenko's MiG-25P": the label starts so
    reversed_order = iris(client, "MiG Belenko")
    assert "belenko-mig-25" in reversed_order and "belenko-defection" in reversed_order
    assert {h["match"] for h in hits(client, "MiG Belenko")} == {"partial"}
    assert "hakodate-airport" in iris(client, "airport hakodate")


@pytest.mark.parametrize(("query", "expected"), [
    ("Belenco", "viktor-belenko"),          # one letter wrong
    ("Chuguevka", "chuguyevka-air-base"),   # one left out
    ("zuev", "aleksandr-zuyev"),            # a short word: one typo allowed
    ("Belenco MiG", "belenko-mig-25"),      # a typo beside an exact word
    ("Hakodtae", "hakodate"),               # two letters swapped: two edits
])
def test_typos_within_edit_distance_2_still_find(client: FlaskClient, query: str, expected: str) -> None:
    found = hits(client, query)
    assert expected in [h["iri"].removeprefix(ID) for h in found], found
    assert all(h["match"] == "fuzzy" and h["score"] < 0.4 for h in found)


def test_typos_are_bounded_by_word_length(client: FlaskClient) -> None:
    assert iris(client, "zuxyv") == []   # five letters: one typo, not two
    assert iris(client, "mog") == []     # three letters: no typo at all
    assert iris(client, "no such thing") == []


def test_prefix_ranks_the_place_before_things_at_it(client: FlaskClient) -> None:
    found = hits(client, "hak")
    assert [h["iri"].removeprefix(ID) for h in found[:2]] == ["hakodate", "hakodate-airport"]
    assert found[0]["match"] == "prefix"
    # Both are label prefixes; Hakodate has more links in and out (6 against 4): the tie goes to it.
    # "... at Hakodate airport": a word further in ranks with the prefixes, after the shorter names.
    assert {h["match"] for h in found[2:]} == {"word"}


def test_mig_puts_the_models_first_and_the_mig_25_first_of_them(client: FlaskClient) -> None:
    found = iris(client, "mig")
    # Shorter names first (the models' one word before "Belenko's MiG-25P" and "MiG-25 flight manual"); among the
    # models the MiG-25 and MiG-25P tie on links (2 each) and the shorter label wins.
    assert found[:5] == ["mig-25", "mig-25p", "mig-29", "mig-31", "belenko-mig-25"]
    assert found.index("zuyev-mig-29") < found.index("mig-25-flight-manual")  # two words before three
    assert found.index("mig-25") < found.index("belenko-mig-25") and found.index("zuyev-mig-29") > 4


def test_a_person_is_found_by_surname_before_things_named_after_him(client: FlaskClient) -> None:
    found = hits(client, "belenko")
    assert found[0]["iri"] == ID + "viktor-belenko" and found[0]["match"] == "word"


def test_aliases(client: FlaskClient) -> None:
    first = hits(client, "foxbat")[0]
    assert (first["iri"], first["match"], first["matched"]) == (ID + "mig-25", "exact alias", "Foxbat")
    first = hits(client, "primorskiy")[0]
    assert (first["iri"], first["match"], first["matched"]) == (ID + "primorsky-krai", "alias", "Primorskiy Kray")
    assert hits(client, "US")[0]["iri"] == ID + "united-states"


def test_results_carry_type_description_and_how_they_matched(client: FlaskClient) -> None:
    first = hits(client, "Viktor Belenko")[0]
    assert set(first) >= {"iri", "label", "type", "url", "description", "match", "matched", "score", "class"}
    assert (first["label"], first["type"], first["url"]) == ("Viktor Belenko", "person", "/id/viktor-belenko")
    assert first["class"] == "https://histkg.example.org/ontology#Person"  # asserted, not foaf:Person & co.
    assert first["description"].startswith("Soviet Senior Lieutenant") and len(first["description"]) <= 161
    assert first["description"].endswith("…")  # the comment is longer: cut at a word
    airframe = next(h for h in hits(client, "Belenko's MiG-25P") if h["iri"] == ID + "belenko-mig-25")
    assert airframe["type"] == "aircraft"


def test_type_filter(client: FlaskClient) -> None:
    # Whole word or label prefix alike, shorter names first: "Belenko's wife (unnamed)", "KGB overseer of ...".
    people = ["viktor-belenko", "belenko-wife", "kgb-overseer"]
    assert iris(client, "belenko", type="person") == people
    assert iris(client, "hakodate", type="City") == ["hakodate"]  # any case
    by_iri = iris(client, "belenko", type="https://histkg.example.org/ontology#Person")
    assert by_iri == iris(client, "belenko", type="hk:Person") == people
    models = hits(client, "mig", type="aircraft model")
    assert models and {h["type"] for h in models} == {"aircraft model"}
    response = client.get("/search?q=mig&type=spaceship", headers={"Accept": "application/json"})
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "spaceship" in message and "person" in message  # says which types there are


def test_type_filter_on_the_page(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/search?q=hakodate&type=city", headers={"Accept": "text/html"}).data,
                         "html.parser")
    options = {o["value"]: o for o in page.select("form.search-page select[name=type] option")}
    assert "selected" in options["city"].attrs and "" in options and "person" in options
    assert [a["href"] for a in page.select("ol.search-results li a")] == ["/id/hakodate"]
    hit = page.select_one("ol.search-results li")
    assert hit.select_one(".search-type").get_text() == "city"
    assert "Hokkaido" in hit.select_one(".search-description").get_text()


def test_limit(client: FlaskClient) -> None:
    assert len(hits(client, "belenko", limit="3")) == 3
    for bad in ("0", "101", "x", "-1", "1e3"):
        response = client.get(f"/search?q=belenko&limit={bad}", headers={"Accept": "application/json"})
        assert response.status_code == 400 and "limit" in response.get_json()["error"]["message"], bad


@pytest.mark.parametrize("query", ["", "   ", "%%%", "'", "🙂🙂", "\u0301", "a" * 200, "<script>alert(1)</script>",
                                   "\x00", "((", "*", "?q=", "mig" * 66])
def test_garbage_finds_nothing_or_something_cleanly(client: FlaskClient, query: str) -> None:
    for accept in ("application/json", "text/html"):
        response = client.get("/search", query_string={"q": query}, headers={"Accept": accept})
        assert response.status_code == 200, (query, accept)
    assert isinstance(hits(client, query), list)


def test_an_overlong_query_is_a_400_saying_so(client: FlaskClient) -> None:
    for accept in ("application/json", "text/html"):
        response = client.get("/search", query_string={"q": "a" * 201}, headers={"Accept": accept})
        assert response.status_code == 400
        assert "at most 200" in response.get_data(as_text=True)


def test_the_404_page_suggests_what_the_path_might_mean(client: FlaskClient) -> None:
    response = client.get("/id/chuguevka-air-base", headers={"Accept": "text/html"})
    assert response.status_code == 404
    page = BeautifulSoup(response.data, "html.parser")
    assert page.select_one(".not-found-suggestions li a")["href"] == "/id/chuguyevka-air-base"
    assert page.select_one("form.not-found-search input[name=q]")["value"] == "chuguevka air base"


def test_the_index_is_built_once_per_graph(kg: KnowledgeGraph) -> None:
    from service.features.search.index import index_for
    assert index_for(kg) is index_for(kg) is index_for(kg.with_settings(query_timeout=1.0))
    assert search.search(kg, "Belenco")[0].iri == ID + "viktor-belenko"
