"""The saved queries in queries/*.rq: headers, and answers checked against what the article says.

Each query runs with rdflib over the union the service serves: ontology (without the SHACL shapes) + facts, their
OWL 2 RL closure (owlrl), and the statement nodes (which, as in the service, take no part in reasoning).
Parameters get their defaults through a trailing VALUES clause, the strictest of the ways an engine may bind them
(it is what the service sends a remote endpoint); the same queries also run on pyoxigraph, the service's own
engine, with its pre-bound substitutions, and must give as many rows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import owlrl
import pytest
import rdflib
from rdflib import RDF, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
HK = Namespace("https://histkg.example.org/ontology#")
PREFIXES = {
    "hk": "https://histkg.example.org/ontology#",
    "id": "https://histkg.example.org/id/",
    "st": "https://histkg.example.org/statement/",
}
HEADER = re.compile(r"^#\+\s*([A-Za-z]+)\s*:\s*(.*)$")
QUERY_FILES = sorted(QUERIES.glob("*.rq"))


# ------------------------------------------------------------------------------------------------ headers

def parse_header(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    header: dict[str, str] = {}
    params: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#+"):
            continue
        match = HEADER.match(line)
        assert match, f"{path.name}: bad header line {line!r}"
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "param":
            parts = [p.strip() for p in value.split("|")]
            assert len(parts) == 4, f"{path.name}: a param reads 'name | type | default | description'"
            params.append(dict(zip(("name", "type", "default", "description"), parts, strict=True)))
        else:
            header[key] = value
    return header, params


def expand(value: str) -> str:
    prefix, _, local = value.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else value


def default_term(param: dict[str, str]) -> rdflib.term.Node:
    if param["type"] == "iri":
        return URIRef(expand(param["default"]))
    if param["type"] == "date":
        return Literal(param["default"], datatype=rdflib.XSD.date)
    return Literal(param["default"])


def test_there_are_enough_saved_queries() -> None:
    assert len(QUERY_FILES) >= 15


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_header(path: Path) -> None:
    header, params = parse_header(path)
    assert header.get("title"), f"{path.name}: no title"
    assert len(header.get("description", "")) > 40, f"{path.name}: no real description"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", path.stem)
    body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    for param in params:
        assert param["type"] in ("iri", "string", "date"), param
        assert param["default"] and param["description"], param
        assert re.search(rf"\?{param['name']}\b", body), f"{path.name}: parameter ?{param['name']} is not used"
        if param["type"] == "iri":
            assert param["default"].partition(":")[0] in PREFIXES, param
    for prefix in set(re.findall(r"\b([a-z]+):[A-Za-z]", body)) - {"http", "https"}:
        assert re.search(rf"^PREFIX {prefix}:", body, re.M), f"{path.name}: prefix {prefix}: is not declared"


# ------------------------------------------------------------------------------------------------ the union

@pytest.fixture(scope="module")
def union() -> rdflib.Graph:
    ontology_files = [f for f in sorted((ROOT / "ontology").glob("*.ttl")) if f.name != "shapes.ttl"]
    if not ontology_files:
        pytest.skip("ontology/ not written yet")
    data = rdflib.Graph().parse(ROOT / "data" / "belenko.ttl", format="turtle")
    statement_nodes = set(data.subjects(RDF.type, HK.Statement))
    g = rdflib.Graph()
    for f in ontology_files:
        g.parse(f, format="turtle")
    for t in data:
        if t[0] not in statement_nodes:
            g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    for t in data:
        if t[0] in statement_nodes:
            g.add(t)
    return g


def short(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(term).startswith(namespace):
                return f"{prefix}:{str(term)[len(namespace):]}"
        return str(term)
    if isinstance(term, Literal):
        return term.toPython() if term.datatype in (rdflib.XSD.integer, rdflib.XSD.decimal) else str(term)
    return str(term)


def query_text(path: Path, bindings: dict[str, rdflib.term.Node]) -> str:
    text = path.read_text(encoding="utf-8")
    if not bindings:
        return text
    names = " ".join(f"?{n}" for n in bindings)
    values = " ".join(v.n3() for v in bindings.values())
    return f"{text}\nVALUES ({names}) {{ ({values}) }}\n"


def run(union: rdflib.Graph, name: str, **overrides: str) -> list[dict[str, Any]]:
    path = QUERIES / f"{name}.rq"
    _, params = parse_header(path)
    bindings = {p["name"]: default_term({**p, "default": overrides.get(p["name"], p["default"])}) for p in params}
    result = union.query(query_text(path, bindings))
    return [{str(v): short(row[v]) for v in result.vars} for row in result]  # type: ignore[union-attr]


def column(rows: list[dict[str, Any]], key: str) -> list[Any]:
    return [r[key] for r in rows]


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in rows}


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_answers(union: rdflib.Graph, path: Path) -> None:
    assert run(union, path.stem), f"{path.stem} returned nothing"


@pytest.fixture(scope="module")
def oxigraph_store(union: rdflib.Graph) -> Any:
    ox = pytest.importorskip("pyoxigraph")
    store = ox.Store()
    nt = rdflib.Graph()
    for t in union:
        if not isinstance(t[0], Literal):  # owlrl's literal-subject triples are not RDF
            nt.add(t)
    store.load(nt.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_same_row_count_on_the_service_engine(union: rdflib.Graph, oxigraph_store: Any, path: Path) -> None:
    import pyoxigraph as ox

    store = oxigraph_store
    _, params = parse_header(path)
    substitutions = {}
    for p in params:
        term = default_term(p)
        substitutions[ox.Variable(p["name"])] = (ox.NamedNode(str(term)) if isinstance(term, URIRef)
                                                 else ox.Literal(str(term)))
    text = path.read_text(encoding="utf-8")
    ox_rows = list(store.query(text, substitutions=substitutions))
    assert len(ox_rows) == len(run(union, path.stem))


# ------------------------------------------------------------------------------------------------ answers

def test_timeline(union: rdflib.Graph) -> None:
    rows = run(union, "timeline")
    events = column(rows, "event")
    assert events[0] == "id:belenko-defection"  # a whole heads its parts
    # "before making good his escape": before the flight and everything in it
    assert events.index("id:belenko-classified-materials-request") < events.index("id:belenko-defection-flight")
    request = by(rows, "event")["id:belenko-classified-materials-request"]
    assert request["order"] == "order known from the text" and request["edtf"] == "[..1976-09-06]"
    assert by(rows, "event")["id:belenko-landing"]["order"] is None  # a known day
    assert events[-1] == "id:zuyev-defection"
    assert by(rows, "event")["id:zuyev-defection"]["earliest"] == "1989-05-20"
    order = ["id:belenko-follows-flight-plan", "id:belenko-rapid-descent", "id:belenko-heads-out-to-sea",
             "id:hakodate-low-pass", "id:hakodate-near-collision", "id:belenko-landing"]
    assert [events.index(e) for e in order] == sorted(events.index(e) for e in order)
    day = [r for r in rows if r["precision"] == "day" and r["earliest"] == "1976-09-06"]
    vague = [r for r in rows if r["precision"] == "vague" and r["earliest"] == "1976-09-06"]
    assert {r["event"] for r in day} >= {"id:belenko-defection", "id:belenko-defection-flight", *order}
    assert max(events.index(r["event"]) for r in day) < min(events.index(r["event"]) for r in vague)
    care = by(rows, "event")["id:belenko-american-care"]
    assert "soon enough" in care["dateLabel"] and care["latest"] is None
    assert events.index("id:mig-25-covered-with-tarpaulins") < events.index("id:mig-25-technical-analysis")
    assert events.index("id:belenko-political-asylum") < events.index("id:belenko-us-citizenship")


def test_flights(union: rdflib.Graph) -> None:
    rows = by(run(union, "flights"), "event")
    flight = rows["id:belenko-defection-flight"]
    assert flight["pilotLabel"] == "Viktor Belenko"
    assert flight["modelLabel"] == "MiG-25P"
    assert flight["origin"] == "id:chuguyevka-air-base"
    assert flight["destination"] == "id:hakodate-airport"
    assert flight["date"] == "6 September 1976"
    zuyev = rows["id:zuyev-defection"]
    assert (zuyev["pilotLabel"], zuyev["modelLabel"], zuyev["destinationLabel"], zuyev["date"]) == \
        ("Aleksandr Zuyev", "MiG-29", "Turkey", "20 May 1989")


def test_events_within_japan(union: rdflib.Graph) -> None:
    events = set(column(run(union, "events-within-place"), "event"))
    assert events == {"id:hakodate-low-pass", "id:hakodate-near-collision", "id:belenko-landing",
                      "id:belenko-police-custody", "id:belenko-american-care", "id:mig-25-covered-with-tarpaulins",
                      "id:mig-25-disassembly", "id:mig-25-technical-analysis"}
    hokkaido = set(column(run(union, "events-within-place", place="id:hokkaido"), "event"))
    assert hokkaido == {"id:hakodate-low-pass", "id:hakodate-near-collision", "id:belenko-landing",
                        "id:mig-25-covered-with-tarpaulins", "id:mig-25-disassembly"}
    assert set(column(run(union, "events-within-place", place="id:united-states"), "event")) == {
        "id:belenko-political-asylum", "id:belenko-us-citizenship"}


def test_chain_of_command(union: rdflib.Graph) -> None:
    rows = run(union, "chain-of-command")
    assert [(r["unitLabel"], r["level"]) for r in rows] == [("530 IAP", 2), ("PVO fighter aviation", 1), ("PVO", 0)]
    zuyev = run(union, "chain-of-command", person="id:aleksandr-zuyev")
    assert [(r["unitLabel"], r["level"]) for r in zuyev] == [("VVS", 0)]


def test_contested_claims(union: rdflib.Graph) -> None:
    rows = by(run(union, "contested-claims"), "statement")
    assert set(rows) == {"st:claim-navigational-error", "st:claim-drugged", "st:claim-recruited-by-us-intelligence",
                         "st:hedged-manipulative-streak", "st:hedged-adapted-well", "st:hedged-best-known-defection",
                         "st:hedged-defection-not-difficult"}
    recruited = rows["st:claim-recruited-by-us-intelligence"]
    assert recruited["statusLabel"] == "disputed"
    assert set(recruited["claimants"].split("; ")) == {"Soviet government", "the Russians (today)"}
    assert recruited["assessment"] == "there is little evidence to support this assertion"
    assert recruited["object"] == "id:us-intelligence"
    nav = rows["st:claim-navigational-error"]
    assert (nav["statusLabel"], nav["claimants"], nav["object"]) == ("claim", "Soviet government",
                                                                     "made a navigational error")
    assert "drugged" in rows["st:claim-drugged"]["object"]
    assert rows["st:hedged-manipulative-streak"]["assessment"] == "supposedly"
    assert rows["st:hedged-adapted-well"]["assessment"] == "as far as it is known"
    assert rows["st:hedged-best-known-defection"]["assessment"] == "Arguably"


def test_relayed_from_book(union: rdflib.Graph) -> None:
    rows = run(union, "relayed-from-book")
    assert len(rows) > 150
    statements = set(column(rows, "statement"))
    assert "st:claim-recruited-by-us-intelligence" in statements
    assert "st:belenko-landing-distance" in statements
    assert "st:viktor-belenko-memberof" not in statements  # the 530 IAP comes from the article's own paragraph
    assert "st:article-leone-2023-publicationdate" not in statements
    assert all(r["work"] == "id:book-defending-rodinu-2" for r in rows)


def test_entity_provenance(union: rdflib.Graph) -> None:
    rows = run(union, "entity-provenance")
    assert all(r["source"] == "id:article-leone-2023" and r["quote"] for r in rows)
    facts = {(r["predicate"], r["object"]): r for r in rows if r["role"] == "subject"}
    rank = facts[("hk:rank", "id:rank-senior-lieutenant")]
    assert rank["quote"] == ("Senior Lieutenant Viktor Belenko, serving with the 530 IAP of the PVO\u2019s "
                             "fighter aviation")
    assert rank["status"] == "hk:Asserted" and rank["relays"] is None
    assert facts[("hk:memberOf", "id:us-intelligence")]["status"] == "hk:Disputed"
    as_object = {(r["subject"], r["predicate"]) for r in rows if r["role"] == "object"}
    assert ("id:belenko-defection-flight", "hk:pilot") in as_object
    assert ("id:belenko-police-custody", "hk:participant") in as_object
    mig = run(union, "entity-provenance", entity="id:belenko-mig-25")
    assert any(r["predicate"] == "hk:model" and "MiG-25P" in r["quote"] for r in mig)


def test_people_and_ranks(union: rdflib.Graph) -> None:
    rows = by(run(union, "people-and-ranks"), "person")
    assert rows["id:viktor-belenko"]["rankLabel"] == "Senior Lieutenant"
    assert set(rows["id:viktor-belenko"]["organisations"].split("; ")) == {"530 IAP", "PVO fighter aviation", "PVO"}
    assert (rows["id:aleksandr-zuyev"]["rankLabel"], rows["id:aleksandr-zuyev"]["organisations"]) == ("Captain", "VVS")
    assert rows["id:kgb-overseer"]["organisations"] == "KGB"
    assert rows["id:dario-leone"]["rankLabel"] is None
    assert {"id:belenko-wife", "id:krzysztof-dabrowski"} <= set(rows)


def test_aircraft_and_models(union: rdflib.Graph) -> None:
    rows = by(run(union, "aircraft-and-models"), "aircraft")
    mig = rows["id:belenko-mig-25"]
    assert (mig["modelLabel"], mig["baseModelLabel"], mig["natoName"], mig["successorLabel"], mig["operatorLabel"]) \
        == ("MiG-25P", "MiG-25", "Foxbat", "MiG-31", "PVO")
    assert (rows["id:zuyev-mig-29"]["modelLabel"], rows["id:zuyev-mig-29"]["operatorLabel"]) == ("MiG-29", "VVS")
    assert rows["id:passenger-aircraft-hakodate"]["model"] is None


def test_places_within(union: rdflib.Graph) -> None:
    rows = by(run(union, "places-within"), "place")
    assert rows["id:hakodate-airport"]["depth"] == 3
    assert set(rows["id:hakodate-airport"]["within"].split(" < ")) == {"Hakodate", "Hokkaido", "Japan"}
    assert set(rows["id:chuguyevka-air-base"]["within"].split(" < ")) == {"Primorsky Krai", "Soviet Far East",
                                                                          "Soviet Union"}
    assert rows["id:hyakuri-airfield"]["within"] == "Japan"
    assert rows["id:chitose-air-base"]["depth"] == 0


def test_person_events(union: rdflib.Graph) -> None:
    rows = by(run(union, "person-events"), "event")
    assert len(rows) == 16
    assert "pilot" in rows["id:belenko-landing"]["roles"]
    assert rows["id:belenko-interrogation"]["roles"] == "participant"
    assert rows["id:belenko-defection"]["date"] == "6 September 1976"
    police = by(run(union, "person-events", person="id:japanese-police"), "event")
    assert set(police) == {"id:belenko-police-custody"}
    assert "custodian" in police["id:belenko-police-custody"]["roles"]


def test_statement_status_counts(union: rdflib.Graph) -> None:
    rows = by(run(union, "statement-status-counts"), "status")
    assert {k: r["statements"] for k, r in rows.items() if k != "hk:Asserted"} == {
        "hk:Claim": 2, "hk:Disputed": 1, "hk:Hedged": 4}
    assert rows["hk:Asserted"]["statements"] >= 230
    assert column(run(union, "statement-status-counts"), "status")[0] == "hk:Asserted"
    assert rows["hk:Disputed"]["relayedFromAWork"] == 1
    assert rows["hk:Hedged"]["relayedFromAWork"] == 3  # "Arguably" is the article's own word


def test_sources(union: rdflib.Graph) -> None:
    rows = by(run(union, "sources"), "document")
    article = rows["id:article-leone-2023"]
    assert (article["authorLabel"], article["publisherLabel"], article["sponsorLabel"], article["published"]) == \
        ("Dario Leone", "The Aviation Geek Club", "Helion & Company", "2023-09-04")
    assert article["citesLabel"].startswith("Defending Rodinu: Volume 2")
    assert article["statementsSourced"] >= 237
    book = rows["id:book-defending-rodinu-2"]
    assert (book["authorLabel"], book["publisherLabel"]) == ("Krzysztof Dabrowski", "Helion & Company")
    assert book["statementsRelayed"] > 150 and book["statementsSourced"] == 0
    assert "id:mig-25-flight-manual" in rows


def test_defections_compared(union: rdflib.Graph) -> None:
    rows = run(union, "defections-compared")
    assert [(r["pilotLabel"], r["rankLabel"], r["serviceLabel"], r["modelLabel"], r["destinationLabel"], r["date"])
            for r in rows] == [
        ("Viktor Belenko", "Senior Lieutenant", "PVO", "MiG-25P", "Japan", "1976-09-06"),
        ("Aleksandr Zuyev", "Captain", "VVS", "MiG-29", "Turkey", "1989-05-20"),
    ]


def test_aircraft_fate(union: rdflib.Graph) -> None:
    rows = run(union, "aircraft-fate")
    events = column(rows, "event")
    order = ["id:belenko-defection-flight", "id:belenko-landing", "id:mig-25-covered-with-tarpaulins",
             "id:mig-25-disassembly", "id:mig-25-move-to-hyakuri", "id:mig-25-technical-analysis"]
    assert [events.index(e) for e in order] == sorted(events.index(e) for e in order)
    found = by(rows, "event")
    assert "dismantled" in found["id:mig-25-return-to-soviets"]["outcomes"]
    assert set(found["id:mig-25-return-to-soviets"]["places"].split("; ")) == {"Japan", "Soviet Union"}
    assert set(found["id:mig-25-move-to-hyakuri"]["places"].split("; ")) == {"Hakodate", "Hyakuri military airfield"}
    assert "re-evaluation" in found["id:mig-25-technical-analysis"]["outcomes"]
    assert "collision averted" in found["id:hakodate-near-collision"]["outcomes"]
    assert "240" in found["id:belenko-landing"]["outcomes"]


def test_soviet_reactions(union: rdflib.Graph) -> None:
    rows = run(union, "agent-reactions")
    actions = {r["item"] for r in rows if r["kind"] == "action"}
    assert actions == {"id:soviet-demands-for-return", "id:mig-25-return-to-soviets", "id:mig-25-modernisation",
                       "id:mig-31-development"}
    claims = {r["item"]: r for r in rows if r["kind"] == "claim"}
    assert set(claims) == {"st:claim-navigational-error", "st:claim-drugged", "st:claim-recruited-by-us-intelligence"}
    assert claims["st:claim-recruited-by-us-intelligence"]["statusLabel"] == "disputed"
    assert claims["st:claim-navigational-error"]["assessment"] is None
    russians = run(union, "agent-reactions", agent="id:russians")
    assert [r["item"] for r in russians] == ["st:claim-recruited-by-us-intelligence"]


def test_sub_events(union: rdflib.Graph) -> None:
    rows = by(run(union, "sub-events"), "part")
    assert len(rows) == 24
    assert rows["id:belenko-landing"]["depth"] == 2  # within the flight, within the defection
    assert rows["id:belenko-follows-flight-plan"]["depth"] == 3  # also within the training sorties
    assert rows["id:belenko-police-custody"]["followedBy"] == "Belenko comes into American care"
    flight = by(run(union, "sub-events", event="id:belenko-defection-flight"), "part")
    assert set(flight) == {"id:belenko-follows-flight-plan", "id:belenko-rapid-descent", "id:belenko-heads-out-to-sea",
                           "id:jasdf-interception-failure", "id:hakodate-low-pass", "id:hakodate-near-collision",
                           "id:belenko-landing"}


def test_organisation_members(union: rdflib.Graph) -> None:
    rows = run(union, "organisation-members")
    assert [(r["memberLabel"], r["rankLabel"], r["servingIn"]) for r in rows] == [
        ("Viktor Belenko", "Senior Lieutenant", "530 IAP")]
    assert column(run(union, "organisation-members", organisation="id:kgb"), "member") == ["id:kgb-overseer"]


def test_person_profile(union: rdflib.Graph) -> None:
    rows = run(union, "person-profile")
    found = {(r["aspect"], r["value"]): r for r in rows}
    assert found[("motive", "problems in his personal life: his marriage was failing")]["statusLabel"] == "asserted"
    assert found[("characterisation", "outspoken and assertive, at least by Soviet standards")]["statusLabel"] == \
        "asserted"
    manipulative = found[("characterisation", "a certain manipulative streak")]
    assert (manipulative["statusLabel"], manipulative["assessment"]) == ("hedged", "supposedly")
    drugged = found[("motive", "his refusal to return was the result of him being drugged")]
    assert (drugged["statusLabel"], drugged["claimants"]) == ("claim", "Soviet government")
    assert ("conduct", "befriended the KGB overseer assigned to his unit") in found
    assert ("conduct", "did not listen to American radio broadcasts") in found
    assert len([r for r in rows if r["aspect"] == "motive" and r["statusLabel"] == "asserted"]) == 4
