"""The web layer's shared helpers, seen from outside: strict `infer=` and `page=` (a 400 saying what is allowed,
on the pages and on the SPARQL side), one 406 shape listing what is offered (entity, ontology, saved queries,
/sparql, VoID), one format table behind /export and the VoID description, one term display (CLI, /sparql page)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from service.rdf import formats
from service.rdf.display import show

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ASK = "ASK { ?s ?p ?o }"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"

SAVED = "aircraft-and-models"  # a SELECT without parameters


@pytest.mark.parametrize("value", ["maybe", "", "2", "truthy"])
@pytest.mark.parametrize("where", ["entity", "entity-rdf", "saved", "saved-json", "void", "sparql"])
def test_a_bad_infer_is_a_400_naming_the_allowed_values(client: FlaskClient, where: str, value: str) -> None:
    url = {"entity": "/id/viktor-belenko", "entity-rdf": "/id/viktor-belenko.ttl", "saved": f"/queries/{SAVED}",
           "saved-json": f"/queries/{SAVED}.json", "void": "/.well-known/void",
           "sparql": f"/sparql?query={ASK}"}[where]
    response = client.get(url + ("&" if "?" in url else "?") + f"infer={value}")
    assert response.status_code == 400, response.data[:300]
    message = response.get_json()["error"]["message"]
    assert "infer=true" in message and "infer=false" in message


@pytest.mark.parametrize("value", ["false", "0", "no", "off", "FALSE"])
def test_infer_false_spellings_agree_everywhere(client: FlaskClient, value: str) -> None:
    for url in ("/id/viktor-belenko.nt", "/.well-known/void"):
        plain = client.get(url + "?infer=false", headers={"Accept": "application/n-triples"})
        spelled = client.get(url + f"?infer={value}", headers={"Accept": "application/n-triples"})
        assert plain.status_code == spelled.status_code == 200
        assert len(rdflib.Graph().parse(data=spelled.data, format="nt")) == len(
            rdflib.Graph().parse(data=plain.data, format="nt"))


def test_infer_false_on_a_post_form_is_read_strictly_too(client: FlaskClient) -> None:
    bad = client.post("/sparql", data={"query": ASK, "infer": "maybe"})
    assert bad.status_code == 400 and "infer=false" in bad.get_json()["error"]["message"]
    assert client.post("/sparql", data={"query": ASK, "infer": "off"}).status_code == 200


@pytest.mark.parametrize("value", ["0", "-1", "two", "", "1.5", "%2B2", "%D9%A2"])
@pytest.mark.parametrize("path", ["/timeline", "/class/Agent", "/id/japan"])
def test_a_bad_page_is_a_400_naming_the_allowed_values(client: FlaskClient, path: str, value: str) -> None:
    response = client.get(f"{path}?page={value}", headers=BROWSER)
    assert response.status_code == 400, (path, value)
    message = BeautifulSoup(response.data, "html.parser").select_one("p.error-message")
    assert message is not None and "whole number from 1" in message.get_text()
    if not path.startswith("/id/"):  # an entity is not offered as JSON (406); its RDF has no pages
        as_json = client.get(f"{path}?page={value}", headers={"Accept": "application/json"})
        assert as_json.status_code == 400 and "page=N" in as_json.get_json()["error"]["message"]


def test_page_one_is_the_default_and_past_the_end_of_a_list_is_404(client: FlaskClient) -> None:
    assert client.get("/timeline?page=1", headers=BROWSER).data == client.get("/timeline", headers=BROWSER).data
    assert client.get("/timeline?page=999", headers=BROWSER).status_code == 404


NOT_ACCEPTABLE = [
    ("/id/viktor-belenko", "image/png", ["text/html", "text/turtle", "application/ld+json"]),
    ("/ontology", "image/png", ["text/html", "text/turtle"]),
    (f"/queries/{SAVED}", "image/png", ["text/html", "application/sparql-results+json", "text/csv"]),
    (f"/sparql?query={SELECT}", "image/png", ["text/html", "application/sparql-results+json"]),
    ("/.well-known/void", "image/png", ["text/turtle", "application/n-quads"]),
]


@pytest.mark.parametrize(("url", "accept", "some_offered"), NOT_ACCEPTABLE)
def test_one_406_shape_lists_what_is_offered(client: FlaskClient, url: str, accept: str,
                                             some_offered: list[str]) -> None:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 406 and response.mimetype == "application/json"
    assert "Accept" in response.headers["Vary"]
    error = response.get_json()["error"]
    assert error["status"] == 406 and error["title"] == "Not Acceptable"
    assert set(some_offered) <= set(error["offered"])
    assert "offered: " + ", ".join(error["offered"]) in error["message"]
    assert all(formats.by_media_type(t) is not None or t == "text/html" for t in error["offered"])


def test_the_406_page_for_a_browser_lists_the_offered_types(client: FlaskClient) -> None:
    # format= names something the entity is not offered in; the browser still gets the error as a page.
    response = client.get("/id/viktor-belenko?format=csv", headers=BROWSER)
    assert response.status_code == 406 and response.mimetype == "text/html"
    listed = [code.get_text() for code in BeautifulSoup(response.data, "html.parser").select("ul.offered li code")]
    assert listed[0] == "text/html" and "text/turtle" in listed and "text/csv" not in listed


def test_a_saved_query_with_an_unknown_suffix_is_404_naming_the_suffixes(client: FlaskClient) -> None:
    response = client.get(f"/queries/{SAVED}.png")
    assert response.status_code == 404
    assert ".json" in response.get_json()["error"]["message"]


def test_export_page_and_void_list_the_same_dump_formats(client: FlaskClient) -> None:
    dumps = formats.dump_formats()
    page = BeautifulSoup(client.get("/export", headers=BROWSER).data, "html.parser")
    assert [th.get_text() for th in page.select("table.exports thead th")][1:] == [f.title for f in dumps]
    void = rdflib.Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                format="turtle")
    features = {str(o) for o in void.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#feature"))}
    assert features == {f"http://www.w3.org/ns/formats/{f.w3c}" for f in dumps}
    dump_links = {str(o) for o in void.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert {link.rsplit("format=", 1)[1] for link in dump_links} == {f.name for f in dumps}
    for fmt in dumps:  # every listed dump downloads, named and typed from the same table
        response = client.get(f"/export?graph=asserted&format={fmt.name}")
        assert response.status_code == 200 and response.mimetype == fmt.media_type
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert response.headers["Content-Disposition"].endswith(f'.{fmt.extension}"')


def test_every_term_is_shown_one_way() -> None:
    assert show(ox.NamedNode("https://histkg.example.org/ontology#Person")).text == "hk:Person"
    assert show(ox.NamedNode("urn:x-local:thing")).text == "urn:x-local:thing"  # no prefix fits
    assert show(ox.BlankNode("b0")).text == "_:b0"
    dated = show(ox.Literal("1976-09-06", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")))
    assert (dated.text, dated.note, dated.datatype) == ("1976-09-06", "xsd:date",
                                                        "http://www.w3.org/2001/XMLSchema#date")
    tagged = show(ox.Literal("Hakodate", language="en"))
    assert (tagged.text, tagged.note, tagged.datatype, tagged.language) == ("Hakodate", "@en", None, "en")
    plain = show(ox.Literal("x"))
    assert (plain.note, plain.datatype) == ("", None)
    assert show(None).kind == "unbound" and show(None).text == ""


def test_the_sparql_page_shows_terms_as_the_cli_does(client: FlaskClient) -> None:
    query = ('PREFIX hk: <https://histkg.example.org/ontology#> SELECT ?c ?d WHERE { '
             'BIND(hk:Person AS ?c) BIND("1976-09-06"^^<http://www.w3.org/2001/XMLSchema#date> AS ?d) }')
    page = BeautifulSoup(client.get("/sparql", query_string={"query": query}, headers=BROWSER).data, "html.parser")
    cells = page.select("table tbody td")
    assert cells[0].get_text(strip=True) == "hk:Person" and cells[0]["class"] == ["iri"]
    assert cells[1].get_text(strip=True).startswith("1976-09-06") and "xsd:date" in str(cells[1])
