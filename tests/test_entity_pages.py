"""Entity pages that lead with the story, statement pages as sentences (issue 11), checked by structure.

What the pages must still hold is computed from the graph, not from an older page: every fact of the entity, every
claim about it and every quote of its statements is on the page, each once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient

from service.config import Settings
from service.features.entities.presentation import presentation
from service.features.time import timeline
from service.provenance.statements import index
from service.rdf.namespaces import HK, RDF_TYPE, RDFS_COMMENT, RDFS_LABEL, SKOS_ALT_LABEL
from service.store.graph import KnowledgeGraph
from service.web import create_app

HTML = {"Accept": "text/html"}
ID = "https://histkg.example.org/id/"
BELENKO = ID + "viktor-belenko"
HEADER = {RDF_TYPE, RDFS_LABEL, RDFS_COMMENT, SKOS_ALT_LABEL}
ARTICLE_TITLE = ("These photos of Viktor Belenko\u2019s defecting MiG-25 buzzing Hakodate rooftops prove that reaching "
                 "Japan was easy but landing the Foxbat was difficult. Here\u2019s why.")


def soup(client: FlaskClient, url: str) -> BeautifulSoup:
    response = client.get(url, headers=HTML)
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture(scope="module")
def belenko(app: Flask) -> BeautifulSoup:
    return soup(app.test_client(), "/id/viktor-belenko")


def href(iri: str) -> str:
    return "/" + iri.removeprefix("https://histkg.example.org/")


def value_of(term: object) -> str:
    assert isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode)
    return term.value


def test_sections_lead_with_the_story(belenko: BeautifulSoup) -> None:
    order = [el.get("id") for el in belenko.select("article.entity > header, article.entity > section")]
    assert order == ["summary", "claims", "facts", "events", "sources", "references", "data"], order


def test_summary_names_the_asserted_class_and_folds_the_inferred(belenko: BeautifulSoup) -> None:
    summary = belenko.select_one("header#summary")
    shown = [li.get_text(strip=True) for li in summary.select(".what > ul.types li")]
    assert shown == ["person"]
    folded = summary.select_one("details.more-types")
    assert folded is not None and not folded.has_attr("open")
    hidden = {li.a["title"] for li in folded.select("li.type.inferred")}
    assert "http://xmlns.com/foaf/0.1/Person" in hidden and HK + "Agent" in hidden
    assert "530 IAP" in summary.select_one("p.description").get_text()
    keys = {dt.get_text(strip=True): dd for dt, dd in zip(summary.select("dl.key-facts dt"),
                                                          summary.select("dl.key-facts dd"), strict=True)}
    assert keys["When"].get_text(strip=True) == "6 September 1976"
    assert "/id/hakodate-airport" in [a["href"] for a in keys["Where"].select("a")]
    assert next(a["href"] for a in keys["member of"].select("a")) == "/id/530-iap"
    assert "/id/belenko-defection" in [a["href"] for a in keys["pilot of"].select("a")]
    assert "/id/belenko-mig-25" in [a["href"] for a in keys["flew"].select("a")]


def test_claims_start_before_the_facts(belenko: BeautifulSoup) -> None:
    first = belenko.select_one("#claims article.claim .sentence").get_text()
    assert first == "The Soviet government claims that Viktor Belenko's refusal to return was the result of him " \
                    "being drugged"


def test_facts_follow_the_ontology_display_order(belenko: BeautifulSoup, kg: KnowledgeGraph) -> None:
    show = presentation(kg)
    predicates = [tr["data-predicate"] for tr in belenko.select("#facts tr.fact-group")]
    assert predicates[:3] == [HK + "rank", HK + "memberOf", HK + "citizenOf"]
    assert predicates.index(HK + "flew") < predicates.index(HK + "befriended")
    sections = [h.get_text(strip=True).lower() for h in belenko.select("#facts h3.fact-section")]
    assert sections == list(dict.fromkeys(show.group_of(p) for p in predicates))
    for section in belenko.select("#facts table.facts-table"):
        ranks = [show.order[tr["data-predicate"]] for tr in section.select("tr.fact-group")]
        assert ranks == sorted(ranks)
    firsts = [min(show.order[tr["data-predicate"]] for tr in t.select("tr.fact-group"))
              for t in belenko.select("#facts table.facts-table")]
    assert firsts == sorted(firsts)


def _shown_pairs(page: BeautifulSoup) -> set[tuple[str, str]]:
    """(property, value) pairs the page shows as facts, roles in its events, or 'also' notes on either."""
    pairs = set()
    for group in page.select("#facts tr.fact-group"):
        for li in group.select("li.fact"):
            pairs.add((group["data-predicate"], li["data-object"]))
            pairs.update((also["data-predicate"], li["data-object"]) for also in li.select(":scope > .also"))
    for li in page.select("#events li.role:not(.incoming)"):
        pairs.add((li["data-predicate"], li["data-object"]))
        pairs.update((also["data-predicate"], li["data-object"]) for also in li.select(":scope > .also"))
    return pairs


def test_every_fact_claim_and_quote_is_still_there(belenko: BeautifulSoup, kg: KnowledgeGraph) -> None:
    show = presentation(kg)
    me = ox.NamedNode(BELENKO)
    pairs = _shown_pairs(belenko)
    aligned = {el["data-predicate"] for el in belenko.select("#facts .aligned-property")}
    outgoing = {q.triple for q in kg.triples(me) if q.graph_name.value != kg.graphs.statements}
    for t in outgoing:
        p, o = t.predicate.value, value_of(t.object)
        if p in HEADER:
            continue
        if (p, o) in pairs:
            continue
        # A standard vocabulary's super-property: named once, its fact said by a shown sub-property's.
        assert p in aligned and any(show.implies(q, p) for q, v in pairs if v == o), (p, o)
    types = {a["title"] for a in belenko.select("header#summary ul.types li.type > a")}
    assert types == {value_of(t.object) for t in outgoing if t.predicate.value == RDF_TYPE}
    incoming = {q.triple for q in kg.triples(None, None, me) if q.graph_name.value != kg.graphs.statements}
    shown_in = {(tr["data-predicate"], a["href"]) for tr in belenko.select("#incoming tr") for a in tr.select("a")}
    for t in incoming:
        p, who = t.predicate.value, value_of(t.subject)
        # Shown as such, or as a shown outgoing fact whose inverse is this link or says it (a sub-property's).
        said = (p, href(who)) in shown_in or any(
            inverse == p or show.implies(inverse, p)
            for q, v in pairs if v == who for inverse in show.inverses.get(q, ()))
        assert said, (who, p)
    claims = index(kg).claims_about(BELENKO)
    assert len(claims) == 5
    for claim in claims:
        article = belenko.select_one(f'#claims article.claim:has(a[href="{href(claim.iri)}"])')
        assert article is not None and claim.quote in article.select_one("blockquote.quote").get_text()
    text = belenko.select_one("article.entity").get_text()
    quotes = {st.quote for t in outgoing for st in index(kg).for_triple(t.subject, t.predicate, t.object)
              if st.quote}
    quotes |= {e.quote for e in timeline.for_entity(kg, BELENKO) if e.quote}  # the words that date its events
    assert len(quotes) > 20 and all(q in text for q in quotes)


def test_one_note_per_source_and_quote_each_linking_back(belenko: BeautifulSoup) -> None:
    notes = belenko.select("#sources ol.notes li.note")
    keys = [(n.select_one(".cite").get_text(" ", strip=True), n.select_one("blockquote.quote").get_text())
            for n in notes]
    assert len(keys) == len(set(keys)) and len(keys) > 20
    quotes = Counter(q for _, q in keys)
    assert max(quotes.values()) == 1
    for note in notes:
        backlinks = note.select(".backlinks a")
        assert backlinks, note.get_text()
        for back in backlinks:
            target = belenko.select_one(back["href"])
            assert target is not None, back["href"]
            assert target.select_one(f'a[href="#{note["id"]}"]') is not None, (back["href"], note["id"])
    assert "Leone 2023" in [a.get_text() for a in belenko.select("#sources a.source")]
    assert "Dabrowski n.d." in [a.get_text() for a in belenko.select("#sources a.relays")]


def test_full_references_once(belenko: BeautifulSoup) -> None:
    references = belenko.select("#references li.reference")
    assert [r.select_one(".short").get_text() for r in references] == ["Dabrowski n.d.", "Leone 2023"]
    assert belenko.select_one("article.entity").get_text().count(ARTICLE_TITLE) == 1
    leone = references[1]
    assert leone.select_one("cite a")["href"] == "/id/article-leone-2023"
    assert "2023-09-04" in leone.get_text() and "The Aviation Geek Club" in leone.get_text()


def test_standard_vocabularies_never_repeat_a_fact(belenko: BeautifulSoup) -> None:
    predicates = [tr["data-predicate"] for tr in belenko.select("#facts tr.fact-group")]
    assert all(p.startswith(HK) for p in predicates)
    assert "http://xmlns.com/foaf/0.1/knows" in {el["data-predicate"] for el in belenko.select(".aligned-property")}


def test_inverse_of_a_shown_fact_is_not_an_incoming_link(belenko: BeautifulSoup) -> None:
    assert not belenko.select(f'#incoming tr[data-predicate="{HK}pilot"]')
    defection = belenko.select_one('#events tr.event:has(a.event-link[href="/id/belenko-defection"])')
    roles = [li["data-predicate"] for li in defection.select("li.role")]
    assert HK + "pilotOf" in roles


def test_the_airframe_lists_each_event_once(client: FlaskClient) -> None:
    page = soup(client, "/id/belenko-mig-25")
    body = [a["href"] for section in page.select("#facts, #events, #incoming") for a in section.select("a[href]")
            if a.find_parent("details") is None]  # not the premises of a "why?"
    events = [a["href"] for a in page.select("#events a.event-link")]
    assert len(events) > 5
    assert all(body.count(e) == 1 for e in events), Counter(h for h in body if h in events)
    used = page.select_one('#events tr.event:has(a.event-link[href="/id/belenko-defection"]) li.role')
    assert used["data-predicate"] == HK + "usedIn"
    assert [a["data-predicate"] for a in used.select(".also")] == [HK + "involvedIn"]


def test_statement_page_reads_as_a_sentence(client: FlaskClient) -> None:
    page = soup(client, "/statement/claim-drugged")
    heading = page.select_one("h1.entity-label")
    assert heading.get_text() == ("The Soviet government claims that Viktor Belenko's refusal to return was the "
                                  "result of him being drugged.")
    assert "st:" not in page.select_one("main").get_text()
    assert page.select_one(".kicker .badge.status").get_text() == "claim"
    assert {a["href"] for a in heading.select("a")} == {"/id/soviet-government", "/id/viktor-belenko"}
    assert "being drugged" in page.select_one("figure.statement-quote blockquote.quote").get_text()
    cite = page.select_one("figure.statement-quote figcaption")
    assert cite.select_one("a.source").get_text() == "Leone 2023"
    assert cite.select_one("a.relays")["href"] == "/id/book-defending-rodinu-2"
    assert ARTICLE_TITLE in page.select_one("#references").get_text()
    about = {dt.get_text(): dd for dt, dd in zip(page.select(".about dt"), page.select(".about dd"), strict=True)}
    assert about["Subject"].a["href"] == "/id/viktor-belenko"
    assert "being drugged" in about["Object"].get_text()
    assert "/statement/claim-drugged.ttl" in [a["href"] for a in page.select("#data a.download")]
    assert not page.select("table")  # no rdf:subject / rdf:predicate / rdf:object rows


def test_statement_page_shows_the_quote_in_its_place(client: FlaskClient, kg: KnowledgeGraph) -> None:
    """The words around the quote (what annotation selectors anchor with) read as context, not as raw triples."""
    st = ox.NamedNode("https://histkg.example.org/statement/claim-drugged")
    value = {q.predicate.value: q.object.value for q in kg.triples(st)}
    page = soup(client, "/statement/claim-drugged")
    context = page.select_one("p.quote-context")
    assert context is not None
    text = context.get_text()
    assert value[HK + "quotePrefix"] in text and value[HK + "quoteSuffix"] in text
    assert f"{int(value[HK + 'quoteOffset']):,}" in text
    assert context.select_one("mark").get_text() == value[HK + "quote"]
    about = page.select_one("section.about").get_text()
    assert "Quote prefix" not in about and "Quote offset" not in about


def test_disputed_statement_gives_the_assessment(client: FlaskClient) -> None:
    page = soup(client, "/statement/claim-recruited-by-us-intelligence")
    assert page.select_one("h1").get_text().startswith("The Russians (today) and the Soviet government allege that "
                                                       "Viktor Belenko was a member of US intelligence agencies")
    assert "little evidence" in page.select_one(".assessment").get_text()
    assert "status-disputed" in page.select_one("article.statement")["class"]


def test_asserted_statement_page(client: FlaskClient) -> None:
    page = soup(client, "/statement/viktor-belenko-memberof")
    assert page.select_one("h1").get_text() == "Dario Leone states that Viktor Belenko was a member of 530 IAP."
    assert page.select_one(".kicker .badge.status").get_text() == "asserted"
    assert "accepted fact" in page.select_one(".kicker").get_text()
    assert page.select_one(".about dd a.object")["href"] == "/id/530-iap"


def test_statement_rdf_unchanged(client: FlaskClient) -> None:
    response = client.get("/statement/claim-drugged", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert client.get("/statement/claim-drugged.nt").mimetype == "application/n-triples"


SOURCED = """
@prefix hk: <https://histkg.example.org/ontology#> .
@prefix id: <https://histkg.example.org/id/> .
@prefix st: <https://histkg.example.org/statement/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
id:ann a hk:Person ; rdfs:label "Ann Smith"@en ; hk:motive "curiosity" .
id:bob a hk:Person ; rdfs:label "Bob Jones"@en .
id:cy a hk:Person ; rdfs:label "Cy Young"@en .
id:report a hk:Article ; rdfs:label "A long report"@en ; hk:author id:bob, id:cy ;
    hk:publicationDate "1999-01-02"^^xsd:date ; <https://schema.org/url> <https://example.org/report> .
st:ann-motive a hk:Statement ; rdf:subject id:ann ; rdf:predicate hk:motive ; rdf:object "curiosity" ;
    hk:source id:report ; hk:quote "Ann was curious" ; hk:status hk:Asserted ; hk:claimant id:bob .
"""


@pytest.mark.stores("memory")
def test_reference_with_two_authors_and_a_url(tmp_path: Path, settings: Settings, store_mode: str) -> None:
    data = tmp_path / "sourced.ttl"
    data.write_text(SOURCED, encoding="utf-8")
    client = create_app(KnowledgeGraph.load(settings.with_(data_files=(data,), cache_dir=None))).test_client()
    page = soup(client, "/id/ann")
    assert page.select_one("#sources a.source").get_text() == "Jones & Young 1999"
    reference = page.select_one("#references li.reference")
    assert reference.select_one("a.url")["href"] == "https://example.org/report"
    fact = page.select_one(f'#facts tr[data-predicate="{HK}motive"] li.fact')
    assert isinstance(fact, Tag) and fact.select_one("sup.ref a")["href"] == "#note-1"
