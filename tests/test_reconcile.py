"""/reconcile: the Reconciliation Service API 0.2 (issue 13), as OpenRefine uses it.

Every answer is validated against the specification's JSON Schemas (vendored in tests/data/reconciliation-0.2/ with
their licence), with the `jsonschema` package; the schemas themselves are checked to tell the specification's valid
examples from its invalid ones first, so a pass means something. Requests are OpenRefine's: a POST form with
`queries=`, a batch reconciling "Belenko", "Hakodate airport", "MiG-25" and "Zuyev" with and without a type; suggest,
preview, property proposals and data extension. Real HTTP (requests, a live server) for CORS and the batch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.conftest import TEST_DATA, LiveServer

SPEC = TEST_DATA / "reconciliation-0.2"
SCHEMAS = SPEC / "schemas"
HK = "https://histkg.example.org/ontology#"
SPACE = "https://histkg.example.org/id/"


def _registry() -> Registry:  # type: ignore[type-arg]
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        resources += [(contents["$id"], resource),
                      (contents["$id"].rsplit("/", 1)[0] + "/" + path.name, resource)]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=REGISTRY)


def valid(name: str, document: Any) -> None:
    errors = sorted(validator(name).iter_errors(document), key=str)
    assert not errors, f"{name}: {[e.message for e in errors][:5]}"


def examples(kind: str, which: str) -> list[Path]:
    return sorted((SPEC / "examples" / kind / which).glob("*.json"))


@pytest.mark.parametrize(("kind", "schema"), [("reconciliation-query-batch", "reconciliation-query-batch"),
                                              ("reconciliation-result-batch", "reconciliation-result-batch"),
                                              ("data-extension-query", "data-extension-query")])
def test_the_schemas_tell_valid_examples_from_invalid(kind: str, schema: str) -> None:
    for path in examples(kind, "valid"):
        valid(schema, json.loads(path.read_text(encoding="utf-8")))
    for path in examples(kind, "invalid"):
        assert not validator(schema).is_valid(json.loads(path.read_text(encoding="utf-8"))), path.name


# --- the manifest ---------------------------------------------------------------------------------------------------

def test_manifest(client: FlaskClient) -> None:
    r = client.get("/reconcile")
    assert r.status_code == 200 and r.mimetype == "application/json"
    m = r.get_json()
    valid("manifest", m)
    assert m["versions"] == ["0.2"] and m["identifierSpace"] == SPACE and m["schemaSpace"] == HK
    assert {"view", "preview", "suggest", "extend", "defaultTypes", "name"} <= set(m)
    types = {t["name"]: t["id"] for t in m["defaultTypes"]}
    assert types["person"] == HK + "Person" and types["aircraft model"] == HK + "AircraftModel"
    assert not {"class", "property", "ontology", "statement status"} & set(types)
    assert set(m["suggest"]) == {"entity", "type", "property"}
    assert m["view"]["url"].startswith("http://localhost/reconcile/view?id=")
    # every URL the manifest gives answers
    for name in ("entity", "type", "property"):
        s = m["suggest"][name]
        assert client.get((s["service_url"] + s["service_path"]).removeprefix("http://localhost") + "?prefix=a"
                          ).status_code == 200
    p = m["extend"]["propose_properties"]
    assert client.get(p["service_path"] + "?type=hk:Person").status_code == 200


# --- reconciliation queries -----------------------------------------------------------------------------------------

OPENREFINE_BATCH = {
    "q0": {"query": "Belenko", "limit": 5},
    "q1": {"query": "Hakodate airport", "limit": 5},
    "q2": {"query": "MiG-25", "limit": 5},
    "q3": {"query": "Zuyev", "limit": 5},
    "q4": {"query": "Belenko", "type": HK + "Person", "type_strict": "should", "limit": 5},
    "q5": {"query": "Hakodate airport", "type": HK + "Airfield", "limit": 5},
    "q6": {"query": "MiG-25", "type": HK + "AircraftModel", "limit": 5},
    "q7": {"query": "Zuyev", "type": HK + "Person", "limit": 5},
}


def reconcile(client: FlaskClient, batch: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    valid("reconciliation-query-batch", batch)
    text = json.dumps(batch)
    r = client.post("/reconcile", data={"queries": text}) if method == "POST" else \
        client.get("/reconcile?queries=" + quote(text))
    assert r.status_code == 200, r.get_data(as_text=True)
    result = r.get_json()
    valid("reconciliation-result-batch", result)
    assert set(result) == set(batch)
    for answer in result.values():
        scores = [c["score"] for c in answer["result"]]
        assert scores == sorted(scores, reverse=True)
        assert sum(c["match"] for c in answer["result"]) <= 1
    return result


def best(result: dict[str, Any], key: str) -> dict[str, Any]:
    return result[key]["result"][0]


def test_an_openrefine_batch(client: FlaskClient) -> None:
    result = reconcile(client, OPENREFINE_BATCH)
    assert best(result, "q1")["id"] == "hakodate-airport" and best(result, "q1")["match"] is True
    assert best(result, "q2")["id"] == "mig-25" and best(result, "q2")["match"] is True
    assert best(result, "q2")["type"] == [{"id": HK + "AircraftModel", "name": "aircraft model"}]
    # "Belenko" alone names several things (him, his aircraft, his wife ...): he comes first, but no match is decided
    assert best(result, "q0")["id"] == "viktor-belenko" and not any(c["match"] for c in result["q0"]["result"])
    assert "aleksandr-zuyev" in [c["id"] for c in result["q3"]["result"]]
    assert not any(c["match"] for c in result["q3"]["result"])
    # with a type: only that type, and Zuyev the person is unambiguous
    for key, type_iri in (("q4", "Person"), ("q5", "Airfield"), ("q6", "AircraftModel"), ("q7", "Person")):
        assert all(c["type"][0]["id"] == HK + type_iri for c in result[key]["result"]), key
    assert best(result, "q4")["id"] == "viktor-belenko"
    assert best(result, "q7")["id"] == "aleksandr-zuyev" and best(result, "q7")["match"] is True
    assert best(result, "q5")["match"] and best(result, "q6")["match"]
    # the view template leads to the candidate's page
    assert client.get(f"/reconcile/view?id={best(result, 'q4')['id']}").headers["Location"] == "/id/viktor-belenko"


def test_get_answers_like_post(client: FlaskClient) -> None:
    assert reconcile(client, OPENREFINE_BATCH, "GET") == reconcile(client, OPENREFINE_BATCH)


def test_scores_come_from_the_search_page(client: FlaskClient) -> None:
    result = reconcile(client, {"a": {"query": "Belenco", "type": "hk:Person"}, "b": {"query": "mig25"},
                                "c": {"query": "foxbat"}})
    search = client.get("/search?q=Belenco&type=person").get_json()
    assert best(result, "a")["id"] == "viktor-belenko" and search[0]["iri"] == SPACE + "viktor-belenko"
    assert {"id": "name", "value": search[0]["score"]} in best(result, "a")["features"]
    assert best(result, "a")["match"] is False  # a typo is never a certain match
    assert best(result, "b")["id"] == "mig-25" and best(result, "b")["match"]
    assert best(result, "c")["id"] == "mig-25"  # its alias


def test_supertypes_cover_their_subclasses(client: FlaskClient) -> None:
    result = reconcile(client, {"a": {"query": "Zuyev", "type": [HK + "Agent"]},
                                "b": {"query": "Hakodate", "type": "hk:Place"}})
    assert best(result, "a")["id"] == "aleksandr-zuyev"
    assert {c["type"][0]["name"] for c in result["b"]["result"]} <= {"airfield", "city", "island", "region",
                                                                     "country", "sea"}


def test_property_constraints(client: FlaskClient) -> None:
    rank = {"pid": "hk:rank", "v": {"id": "rank-senior-lieutenant"}}
    result = reconcile(client, {
        "a": {"query": "Belenko", "type": HK + "Person", "properties": [rank]},
        "b": {"query": "Belenko", "type": HK + "Person",
              "properties": [{"pid": HK + "rank", "v": "senior lieutenant"}]},
        "c": {"properties": [{"pid": "hk:memberOf", "v": ["530 IAP", {"id": "no-such-unit"}]}]},
    })
    for key in ("a", "b"):
        top = best(result, key)
        assert top["id"] == "viktor-belenko" and top["match"] is True
        assert {"id": f"property:{HK}rank", "value": True} in top["features"]
        assert all(c["score"] < top["score"] / 1.5 for c in result[key]["result"][1:])
    assert best(result, "c")["id"] == "viktor-belenko" and best(result, "c")["match"] is True


@pytest.mark.parametrize("batch", [
    "{not json", "[]", '{"a": "Belenko"}', '{"a": {"query": 3}}', '{"a": {"query": "x", "type": "hk:Nope"}}',
    '{"a": {"query": "x", "limit": 0}}', '{"a": {"query": "x", "limit": "5"}}', '{"a": {"querry": "x"}}',
    '{"a": {"query": ""}}', '{"a": {"query": "x", "properties": [{"pid": "hk:rank"}]}}',
    json.dumps({"a": {"query": "x" * 201}}), json.dumps({str(i): {"query": "x"} for i in range(101)}),
    "[" * 5000 + "]" * 5000,
])
def test_bad_batches_are_400(client: FlaskClient, batch: str) -> None:
    for r in (client.post("/reconcile", data={"queries": batch}),
              client.get("/reconcile", query_string={"queries": batch})):
        assert r.status_code in (400, 414), batch[:40]
        error = r.get_json()["error"]
        assert error["status"] == r.status_code and error["message"]
        assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_other_bad_requests(client: FlaskClient) -> None:
    assert client.post("/reconcile", data={"nothing": "1"}).status_code == 400
    assert client.post("/reconcile", data={"queries": "{}", "extend": "{}"}).status_code == 400
    assert client.get("/reconcile/suggest/nothing?prefix=a").status_code == 404
    assert client.get("/reconcile/suggest/entity?prefix=a&cursor=-1").status_code == 400
    assert client.get("/reconcile/suggest/entity?prefix=" + "a" * 201).status_code == 400
    assert client.get("/reconcile/preview?id=no-such-entity").status_code == 404
    assert client.get("/reconcile/preview").status_code == 400
    assert client.get("/reconcile/propose_properties").status_code == 400
    assert client.get("/reconcile/propose_properties?type=hk:Nope").status_code == 400


# --- suggest, preview ------------------------------------------------------------------------------------------

def test_suggest_entities(client: FlaskClient) -> None:
    r = client.get("/reconcile/suggest/entity?prefix=belenko").get_json()
    valid("suggest-entities-response", r)
    him = [x for x in r["result"] if x["id"] == "viktor-belenko"]  # in the search page's order
    assert him and him[0]["notable"] == [{"id": HK + "Person", "name": "person"}]
    assert client.get("/reconcile/suggest/entity?prefix=viktor").get_json()["result"][0]["id"] == "viktor-belenko"
    more = client.get("/reconcile/suggest/entity?prefix=belenko&cursor=2").get_json()
    assert more["result"][0] == r["result"][2]
    assert client.get("/reconcile/suggest/entity?prefix=zuye").get_json()["result"]
    # an id given as prefix finds its entity
    assert "mig-25" in [x["id"] for x in client.get("/reconcile/suggest/entity?prefix=mig-25").get_json()["result"]]


def test_suggest_types_and_properties(client: FlaskClient) -> None:
    types = client.get("/reconcile/suggest/type?prefix=air").get_json()
    valid("suggest-types-response", types)
    assert {t["id"] for t in types["result"]} == {HK + "Aircraft", HK + "AircraftModel", HK + "Airfield"}
    assert client.get("/reconcile/suggest/type?prefix=hk:Pers").get_json()["result"][0]["id"] == HK + "Person"
    props = client.get("/reconcile/suggest/property?prefix=ran").get_json()
    valid("suggest-properties-response", props)
    assert props["result"][0] == {"id": HK + "rank", "name": "rank", "description": props["result"][0]["description"]}
    assert client.get("/reconcile/suggest/property?prefix=member").get_json()["result"][0]["id"] == HK + "memberOf"


def test_preview_is_a_small_card_that_may_be_framed(client: FlaskClient) -> None:
    r = client.get("/reconcile/preview?id=viktor-belenko")
    assert r.status_code == 200 and r.mimetype == "text/html"
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.h1 is not None and soup.h1.get_text(strip=True) == "Viktor Belenko"
    assert soup.h1.a is not None and soup.h1.a["href"] == "/id/viktor-belenko"
    assert "Senior Lieutenant" in soup.get_text() and "person" in soup.get_text()
    assert not soup.find("script") and not soup.find(style=True)
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    # only the preview may be framed
    assert "frame-ancestors 'none'" in client.get("/reconcile").headers["Content-Security-Policy"]


# --- data extension ------------------------------------------------------------------------------------------------

def test_propose_properties(client: FlaskClient) -> None:
    r = client.get("/reconcile/propose_properties?type=" + quote(HK + "Person") + "&limit=50").get_json()
    valid("data-extension-property-proposal", r)
    ids = [p["id"] for p in r["properties"]]
    assert {HK + "rank", HK + "memberOf", HK + "spouse"} <= set(ids)
    assert HK + "natoReportingName" not in ids  # an aircraft model's, not a person's
    assert len(client.get("/reconcile/propose_properties?type=hk:Person&limit=2").get_json()["properties"]) == 2


def test_extend(client: FlaskClient) -> None:
    query = {"ids": ["viktor-belenko", "mig-25", "belenko-defection"],
             "properties": [{"id": HK + "rank"}, {"id": "hk:memberOf"}, {"id": HK + "natoReportingName"},
                            {"id": HK + "timeSpan"}]}
    valid("data-extension-query", query)
    r = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert r.status_code == 200, r.get_data(as_text=True)
    answer = r.get_json()
    valid("data-extension-response", answer)
    rows = answer["rows"]
    assert rows["viktor-belenko"][HK + "rank"] == [{"id": "rank-senior-lieutenant", "name": "Senior Lieutenant"}]
    assert {"id": "530-iap", "name": "530 IAP"} in rows["viktor-belenko"][HK + "memberOf"]
    assert rows["mig-25"][HK + "natoReportingName"] == [{"str": "Foxbat"}]
    assert rows["mig-25"][HK + "rank"] == []
    assert [m["id"] for m in answer["meta"]] == [HK + "rank", HK + "memberOf", HK + "natoReportingName",
                                                 HK + "timeSpan"]
    get = client.get("/reconcile?extend=" + quote(json.dumps(query))).get_json()
    assert get == answer
    bad = client.post("/reconcile", data={"extend": json.dumps({"ids": ["x"], "properties": [{"id": "hk:nope"}]})})
    assert bad.status_code == 400 and "ontology#nope" in bad.get_json()["error"]["message"]


# --- over real HTTP: CORS as the SPARQL endpoint has it ---------------------------------------------------------

def test_cors_and_a_batch_over_http(live_server: LiveServer) -> None:
    url = live_server.url + "/reconcile"
    preflight = requests.options(url, headers={"Origin": "https://openrefine.example",
                                               "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "Content-Type"}, timeout=30)
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    sparql = requests.options(live_server.url + "/sparql", headers={"Origin": "https://x.example",
                                                                     "Access-Control-Request-Method": "POST"},
                              timeout=30)
    assert preflight.headers["Access-Control-Allow-Origin"] == sparql.headers["Access-Control-Allow-Origin"]
    r = requests.post(url, data={"queries": json.dumps(OPENREFINE_BATCH)}, headers={"Origin": "https://x.example"},
                      timeout=60)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    valid("reconciliation-result-batch", r.json())
    manifest = requests.get(url, timeout=30).json()
    valid("manifest", manifest)
    assert manifest["preview"]["url"].startswith(live_server.url)
    preview = requests.get(manifest["preview"]["url"].replace("{{id}}", quote("mig-25", safe="")), timeout=30)
    assert preview.status_code == 200 and "MiG-25" in preview.text
    for path in ("/reconcile/suggest/entity?prefix=hak", "/reconcile/preview?id=japan",
                 "/reconcile?queries=%7B"):
        assert requests.get(live_server.url + path, timeout=30).headers["Access-Control-Allow-Origin"] == "*"
