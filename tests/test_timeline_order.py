"""Time as the text tells it: every order the article states holds on /timeline (page and JSON), in real Chromium
and in the saved queries, pair by pair; the sort itself (service.features.time.chronology) in unit tests; inferred
order explains itself.

PAIRS is the list of orders read from the article (tests/data/seed/), each with the words that state it. The test
checks the words against the article, the dataset's hk:before fact and its statement quoting those words, then the
order everywhere it is shown. The text states no order between, e.g., the questioning and the custody, or the
MiG-25's modernisation and the MiG-31's development ("modernised ... and went to serious work"): those are not here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from service.features.time.chronology import Known, day, order
from service.features.time.timeline import ORDER_FROM_TEXT, events, order_events
from service.provenance.explain import explain
from service.provenance.statements import index
from service.store.graph import KnowledgeGraph
from tests.browser_support import page_at
from tests.conftest import LiveServer

if TYPE_CHECKING:  # Playwright only where Chromium is (the `browser` fixture checks)
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "tests" / "data" / "seed" / "leone-2023-belenko-mig-25.txt"
ID = "https://histkg.example.org/id/"
HK = "https://histkg.example.org/ontology#"
HTML = {"Accept": "text/html"}

# (earlier, later, the words of the article that order them)
PAIRS: list[tuple[str, str, str]] = [
    ("belenko-classified-materials-request", "belenko-defection-flight", "before making good his escape"),
    ("belenko-follows-flight-plan", "belenko-rapid-descent",
     "Initially, he followed the assigned flight plan but then, descended rapidly to low-altitude"),
    ("belenko-rapid-descent", "belenko-heads-out-to-sea",
     "descended rapidly to low-altitude and headed out to sea in the direction of Japan"),
    ("belenko-heads-out-to-sea", "hakodate-low-pass",
     "headed out to sea in the direction of Japan. However, reaching Japan proved to be the easy part"),
    ("hakodate-low-pass", "hakodate-near-collision",
     "desperately looking for a place to land, finally in front of him appeared Hakodate International airport"),
    ("hakodate-low-pass", "belenko-landing", "photographed Belenko\u2019s Foxbat just before landing"),
    ("hakodate-near-collision", "belenko-landing",
     "a passenger aircraft was just taking off when the MiG flew in to land"),
    ("jasdf-interception-failure", "belenko-landing",
     "its fighters could not escort the MiG to a suitable landing site, such as the Chitose Air Base. As a result, "
     "he had to land at the aforementioned Hakodate airport"),
    ("belenko-landing", "belenko-police-custody",
     "before coming to a halt. Senior Lieutenant Belenko was taken into custody by the Japanese police"),
    ("belenko-police-custody", "belenko-american-care",
     "taken into custody by the Japanese police but soon enough, he found himself in American care"),
    ("belenko-american-care", "belenko-flight-to-us",
     "he found himself in American care and was flown out of Japan to the US"),
    ("belenko-landing", "mig-25-covered-with-tarpaulins",
     "the MiG-25 fighter-interceptor Senior Lieutenant Belenko defected with, was also of great value. It was first "
     "covered with tarpaulins"),
    ("mig-25-covered-with-tarpaulins", "mig-25-disassembly", "It was first covered with tarpaulins, then disassembled"),
    ("mig-25-disassembly", "mig-25-move-to-hyakuri",
     "then disassembled and moved from Hakodate to Hyakuri military airfield"),
    ("mig-25-move-to-hyakuri", "mig-25-technical-analysis",
     "moved from Hakodate to Hyakuri military airfield (currently the facility serves as the civilian Ibaraki "
     "Airport) where it was analysed in detail"),
    ("belenko-defection-flight", "soviet-demands-for-return",
     "Once ag the Soviets realised what had happened, they demanded the return from Japan, of both the aircraft, as "
     "well as the pilot"),
    ("soviet-demands-for-return", "mig-25-return-to-soviets",
     "Soviet pressure eventually resulted in the return of the MiG-25"),
    ("mig-25-disassembly", "mig-25-return-to-soviets", "the return of the MiG-25 in a dismantled condition"),
    ("mig-25-technical-analysis", "mig-25-return-to-soviets",
     "Soviet pressure eventually resulted in the return of the MiG-25 in a dismantled condition."),
    ("belenko-political-asylum", "belenko-us-citizenship",
     "Viktor Belenko was first granted political asylum in the US, subsequently received to US citizenship"),
    ("belenko-defection-flight", "mig-25-modernisation",
     "Since their most capable fighter-interceptor was now compromised the Soviets modernised the MiG-25"),
    ("belenko-defection-flight", "mig-31-development",
     "Since their most capable fighter-interceptor was now compromised the Soviets modernised the MiG-25 and went to "
     "serious work on its eventual replacement which resulted in the development of the MiG-31"),
    ("belenko-defection-flight", "zuyev-defection",
     "a similar incident took place, over a decade later, when on May 20, 1989"),
]
# What the issue found wrong, each now right (orders that follow from PAIRS, by transitivity and sub-events).
REPORTED = [("belenko-training-sorties", "belenko-landing"), ("belenko-police-custody", "belenko-political-asylum"),
            ("belenko-police-custody", "belenko-us-citizenship"),
            ("mig-25-technical-analysis", "mig-25-return-to-soviets"),
            ("mig-25-technical-analysis", "mig-31-development")]
IDS = [f"{a}<{b}" for a, b, _ in PAIRS]


def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


def assert_in_order(listed: list[str], earlier: str, later: str, why: str) -> None:
    assert ID + earlier in listed and ID + later in listed, (earlier, later)
    assert listed.index(ID + earlier) < listed.index(ID + later), f"{earlier} must come before {later}: “{why}”"


# ------------------------------------------------------------------------------------------------ text and data

@pytest.mark.parametrize(("earlier", "later", "words"), PAIRS, ids=IDS)
def test_each_order_is_in_the_text_and_in_the_data(kg: KnowledgeGraph, earlier: str, later: str, words: str) -> None:
    assert words in article()
    s, p, o = ox.NamedNode(ID + earlier), ox.NamedNode(HK + "before"), ox.NamedNode(ID + later)
    assert list(kg.triples(s, p, o)), "the dataset lacks the order"
    quotes = [st.quote for st in index(kg).for_triple(s, p, o)]
    assert words in quotes, f"no statement of {earlier} before {later} quotes the words that order them: {quotes}"
    assert list(kg.triples(o, ox.NamedNode(HK + "after"), s)), "the inverse is inferred"


def test_every_order_fact_in_the_data_is_in_the_table(kg: KnowledgeGraph) -> None:
    asserted = {(q.subject.value, q.object.value)
                for q in kg.triples(None, ox.NamedNode(HK + "before"))
                if getattr(q.graph_name, "value", None) == kg.graphs.facts}
    assert asserted == {(ID + a, ID + b) for a, b, _ in PAIRS}


# ------------------------------------------------------------------------------------------------ where it is shown

@pytest.fixture(scope="module")
def page_order(app: Any) -> list[str]:
    soup = BeautifulSoup(app.test_client().get("/timeline", headers=HTML).data, "html.parser")
    return [str(row["data-iri"]) for row in soup.select("table.timeline tr.event")]


@pytest.fixture(scope="module")
def json_events(app: Any) -> list[dict[str, Any]]:
    response = app.test_client().get("/timeline", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "Accept" in response.headers["Vary"]
    return list(response.json["events"])


@pytest.mark.parametrize(("earlier", "later", "words"), PAIRS, ids=IDS)
def test_each_order_holds_on_the_timeline_page(page_order: list[str], earlier: str, later: str, words: str) -> None:
    assert_in_order(page_order, earlier, later, words)


@pytest.mark.parametrize(("earlier", "later", "words"), PAIRS, ids=IDS)
def test_each_order_holds_in_the_timeline_json(json_events: list[dict[str, Any]], earlier: str, later: str,
                                               words: str) -> None:
    assert_in_order([e["iri"] for e in json_events], earlier, later, words)
    assert ID + earlier in next(e for e in json_events if e["iri"] == ID + later)["after"]


@pytest.mark.parametrize(("earlier", "later"), REPORTED)
def test_what_the_issue_found_wrong_is_right(page_order: list[str], earlier: str, later: str) -> None:
    assert_in_order(page_order, earlier, later, "issue 11")


def test_page_and_json_agree_and_the_page_says_where_order_comes_from_the_text(
        app: Any, page_order: list[str], json_events: list[dict[str, Any]]) -> None:
    assert page_order == [e["iri"] for e in json_events]
    assert [e["position"] for e in json_events] == list(range(1, len(json_events) + 1))
    by_iri = {e["iri"]: e for e in json_events}
    custody = by_iri[ID + "belenko-police-custody"]
    assert custody["order"] == ORDER_FROM_TEXT and custody["edtf"] == "[1976-09-06..]"
    assert custody["earliest"] == "1976-09-06" and custody["latest"] is None  # no invented date
    landing = by_iri[ID + "belenko-landing"]
    assert landing["order"] is None and landing["edtf"] == "1976-09-06"
    assert by_iri[ID + "belenko-interrogation"]["order"] is None  # the text orders the questioning with nothing
    assert page_order[0] == ID + "belenko-defection"  # a whole heads its parts
    assert page_order[-1] == ID + "zuyev-defection"
    soup = BeautifulSoup(app.test_client().get("/timeline", headers=HTML).data, "html.parser")
    row = soup.select_one(f'tr.event[data-iri="{ID}belenko-police-custody"]')
    assert row is not None and row.select_one(".order-note").get_text(strip=True) == ORDER_FROM_TEXT
    assert row.select_one("code.edtf").get_text() == "[1976-09-06..]"
    assert row.select_one("time").get("datetime") is None  # not on that day: only on or after it


@pytest.mark.parametrize("name", ["timeline", "aircraft-fate"])
def test_each_order_holds_in_the_saved_queries(client: FlaskClient, name: str) -> None:
    response = client.get(f"/queries/{name}.json")
    assert response.status_code == 200, response.data[:300]
    listed = [b["event"]["value"] for b in response.json["results"]["bindings"]]
    checked = 0
    for earlier, later, words in PAIRS:
        if ID + earlier in listed and ID + later in listed:
            assert_in_order(listed, earlier, later, words)
            checked += 1
    assert checked >= (len(PAIRS) if name == "timeline" else 8)


def test_sub_events_in_time_order(kg: KnowledgeGraph, client: FlaskClient) -> None:
    flight = ID + "belenko-defection-flight"
    subs = [q.subject.value for q in kg.triples(None, ox.NamedNode(HK + "subEventOf"), ox.NamedNode(flight))]
    ordered = order_events(kg, sorted(subs))
    timeline = [e.node.value for e in events(kg)]
    assert ordered == sorted(subs, key=timeline.index)
    assert ordered.index(ID + "belenko-follows-flight-plan") < ordered.index(ID + "belenko-landing")
    assert order_events(kg, [ID + "leone-swiss-air-force-flights", ID + "belenko-landing"]) == [
        ID + "belenko-landing", ID + "leone-swiss-air-force-flights"]  # no time-span: after, as given
    soup = BeautifulSoup(client.get("/id/belenko-defection", headers=HTML).data, "html.parser")
    shown = [str(a["href"]).rsplit("/", 1)[-1] for a in soup.select("#events a.event-link")]
    order_shown = [iri.rsplit("/", 1)[-1] for iri in timeline if iri.rsplit("/", 1)[-1] in shown]
    assert shown and shown == order_shown


# ------------------------------------------------------------------------------------------------ explanations

def test_an_inferred_order_explains_itself(kg: KnowledgeGraph) -> None:
    s, p, o = (ox.NamedNode(ID + "belenko-follows-flight-plan"), ox.NamedNode(HK + "before"),
               ox.NamedNode(ID + "belenko-landing"))
    assert list(kg.triples(s, p, o))
    assert not any(getattr(q.graph_name, "value", None) == kg.graphs.facts for q in kg.triples(s, p, o))
    why = explain(kg, s, p, o)
    assert why is not None and why.rule in ("prp-trp", "prp-spo2")
    assert all(list(kg.triples(q.subject, q.predicate, q.object)) for q in why.premises)
    chained = explain(kg, ox.NamedNode(ID + "belenko-classified-materials-request"), p, o)
    assert chained is not None and chained.rule in ("prp-trp", "prp-spo2")


def test_the_entity_page_shows_why_for_an_inferred_order(client: FlaskClient) -> None:
    soup = BeautifulSoup(client.get("/id/belenko-us-citizenship", headers=HTML).data, "html.parser")
    whys = soup.select("details.why")
    rules = {w.select_one("code.rule").get_text() for w in whys if w.select_one("code.rule")}
    assert "prp-inv1" in rules or "prp-inv2" in rules  # after, from the asserted before


# ------------------------------------------------------------------------------------------------ the sort itself

def iris(known: list[Known], before: list[tuple[str, str]] = (), parents: list[tuple[str, str]] = ()) -> list[str]:  # type: ignore[assignment]
    return order(known, before, parents)


def test_day_compares_precisions() -> None:
    assert day("1976", end=False) == (1976, 1, 1) and day("1976", end=True) == (1976, 12, 31)
    assert day("1976-09", end=True) < day("1976-10-01", end=False)  # type: ignore[operator]
    assert day("-0044-03-15", end=False) == (-44, 3, 15)
    assert day("not a date", end=False) is None


def test_ties_follow_the_telling_then_the_label() -> None:
    known = [Known("c", "1976-09-06", "1976-09-06", told=30, label="C"),
             Known("a", "1976-09-06", "1976-09-06", told=10, label="Z"),
             Known("b", "1976-09-06", "1976-09-06", label="B"), Known("d", "1976-09-06", "1976-09-06", label="A")]
    assert iris(known) == ["a", "c", "d", "b"]


def test_dates_then_stated_order_then_parents() -> None:
    known = [Known("later", "1989-05-20", "1989-05-20", told=1), Known("after", "1976-09-06", None, told=2),
             Known("day", "1976-09-06", "1976-09-06", told=50), Known("whole", "1976-09-06", "1976-09-06", told=99),
             Known("on-or-before", None, "1976-09-06", told=60), Known("undated", told=0)]
    listed = iris(known, parents=[("day", "whole"), ("on-or-before", "whole")])
    assert listed == ["whole", "on-or-before", "day", "after", "later", "undated"]
    # a stated order beats the telling: "after" told first, but stated to follow "day"
    parents = [("day", "whole"), ("on-or-before", "whole")]
    assert iris(known, [("day", "after")], parents)[:4] == ["whole", "on-or-before", "day", "after"]


def test_an_undated_event_sits_where_the_order_puts_it_and_dates_are_never_crossed() -> None:
    known = [Known("a", "1970", "1970"), Known("x"), Known("b", "1980", "1980"), Known("c", "1990", "1990")]
    assert iris(known, before=[("x", "b")]) == ["a", "x", "b", "c"]
    assert iris(known, before=[("b", "x")]) == ["a", "b", "x", "c"]  # on or after 1980, not before 1990
    assert iris(known, before=[("c", "x")]) == ["a", "b", "c", "x"]


def test_cycles_are_broken_safely() -> None:
    known = [Known(n, "2000", "2000", told=i) for i, n in enumerate("abcd")]
    listed = iris(known, before=[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")], parents=[("a", "a")])
    assert sorted(listed) == ["a", "b", "c", "d"]  # every event once, nothing lost or repeated
    assert listed.index("c") < listed.index("d")
    assert iris(known, before=[("a", "zz"), ("zz", "a")]) == ["a", "b", "c", "d"]  # unknown IRIs ignored


# ------------------------------------------------------------------------------------------------ real Chromium

@pytest.mark.browser
def test_the_timeline_in_chromium_lists_events_in_the_order_of_the_text(browser: Browser,
                                                                        live_server: LiveServer) -> None:
    with page_at(browser, 1280, 720) as page:  # Playwright's default viewport
        page.goto(live_server.url + "/timeline")
        rows = page.locator("table.timeline tr.event")
        listed = [str(rows.nth(i).get_attribute("data-iri")) for i in range(rows.count())]
        labels = [rows.nth(i).locator("td.what a.event-link").inner_text() for i in range(rows.count())]
        notes = page.locator("tr.event .order-note")
        assert notes.count() >= 10 and notes.first.is_visible()
    assert len(listed) == len(set(listed)) >= 26
    for earlier, later, words in PAIRS:
        assert_in_order(listed, earlier, later, words)
    assert labels.index("Training sorties of 6 September 1976") < labels.index("Belenko's landing at Hakodate airport")
