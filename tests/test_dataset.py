"""The shipped dataset, data/belenko.ttl, checked against the article it was built from.

- every hk:quote is an exact substring of the article (same apostrophes and dashes);
- every hk: fact has a statement node with source and quote; claims exist only as statement nodes;
- dates are typed and never invented; vague times stay vague;
- spot checks of the key facts the article states.

The article is vendored in tests/data/seed/ (see its NOTICE.md): the tests need nothing outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef

from tests.conftest import ARTICLE

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "belenko.ttl"
ONTOLOGY = ROOT / "ontology"

HK = Namespace("https://histkg.example.org/ontology#")
ID = Namespace("https://histkg.example.org/id/")
ST = Namespace("https://histkg.example.org/statement/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")

# The vocabulary contract (the hk: terms data/ may use), besides rdf:type, rdfs:label, rdfs:comment,
# skos:altLabel, skos:exactMatch and rdf:subject/predicate/object.
HK_CLASSES = {
    "Agent", "Person", "Organisation", "MilitaryUnit", "Place", "Country", "Region", "Island", "City", "Airfield",
    "Sea", "Aircraft", "AircraftModel", "Document", "Article", "Book", "Event", "Flight", "Defection", "Landing",
    "Interrogation", "TimeSpan", "Rank", "Statement", "StatementStatus",
}
HK_INDIVIDUALS = {"Asserted", "Claim", "Disputed", "Hedged"}
HK_PROPERTIES = {
    "memberOf", "hasMember", "subOrganisationOf", "hasSubOrganisation", "rank", "spouse", "befriended", "citizenOf",
    "model", "hasAircraft", "variantOf", "hasVariant", "replacedBy", "replaces", "operator", "locatedIn",
    "containsPlace", "basedAt", "participant", "participatedIn", "pilot", "pilotOf", "interrogator", "custodian",
    "aircraftUsed", "usedIn", "flew", "place", "origin", "destination", "involvedPlace", "tookPlaceWithin",
    "subEventOf", "hasSubEvent", "followedBy", "precededBy", "timeSpan", "author", "authorOf", "publisher",
    "sponsor", "cites", "source", "relays", "claimant", "status", "earliest", "latest", "dateLabel", "precision",
    "publicationDate", "natoReportingName", "motive", "conduct", "characterisation", "outcome", "quote",
    "assessment", "distance", "fuelRemaining",
    "aircraftInvolved", "involvedIn",  # added after the contract: the other aircraft of the near-collision
    "before", "after", "edtf", "quoteOffset",  # added for time as the text tells it (issue 11)
    "quotePrefix", "quoteSuffix",  # added for Web Annotation selectors (issue 13)
}
EDTF = URIRef("http://id.loc.gov/datatypes/edtf/EDTF")
OTHER_PREDICATES = {RDF.type, RDFS.label, RDFS.comment, SKOS.altLabel, SKOS.exactMatch, RDF.subject, RDF.predicate,
                    RDF.object}
# data/gazetteer.ttl (issue 12) may use, besides the above and hk:source/quote/status: places' points (GeoSPARQL,
# W3C WGS84) and its records' addresses (schema:url). Checked by tests/test_gazetteer.py.
GAZETTEER_PREDICATES = {URIRef("http://www.opengis.net/ont/geosparql#asWKT"),
                        URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
                        URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#long"), URIRef("https://schema.org/url")}
# The article gives exactly three dates: the defection, Zuyev's defection, and its own publication date.
DATES_IN_ARTICLE = {"1976-09-06", "1989-05-20", "2023-09-04"}
BOOK_PASSAGE_START = "As explained by Krzysztof Dabrowski"
BOOK_PASSAGE_END = ("Defending Rodinu: Volume 2 \u2013 Development and Operational History of the Soviet Air Defence "
                    "Force, 1961-1991 is published by")


@pytest.fixture(scope="module")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data() -> rdflib.Graph:
    return rdflib.Graph().parse(DATA, format="turtle")


@pytest.fixture(scope="module")
def statements(data: rdflib.Graph) -> set[URIRef]:
    return set(data.subjects(RDF.type, HK.Statement))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def facts(data: rdflib.Graph, statements: set[URIRef]) -> rdflib.Graph:
    """What the loader puts in the facts graph: everything but the statement nodes."""
    g = rdflib.Graph()
    for t in data:
        if t[0] not in statements:
            g.add(t)
    return g


def one(graph: rdflib.Graph, s, p):  # type: ignore[no-untyped-def]
    values = list(graph.objects(s, p))
    assert len(values) == 1, f"{s} {p}: expected one value, got {values}"
    return values[0]


def statements_for(data: rdflib.Graph, s, p, o) -> list:  # type: ignore[no-untyped-def]
    return [st for st in data.subjects(RDF.subject, s)
            if (st, RDF.predicate, p) in data and (st, RDF.object, o) in data]


# ------------------------------------------------------------------------------------------------ shape of the data

def test_parses_with_substance(data: rdflib.Graph, statements: set[URIRef], facts: rdflib.Graph) -> None:
    entities = {s for s in facts.subjects(RDF.type, None) if str(s).startswith(str(ID))}
    hk_facts = [t for t in facts if str(t[1]).startswith(str(HK))]
    assert len(entities) >= 80
    assert len(hk_facts) >= 230
    assert len(statements) == len(hk_facts) + sum(
        1 for st in statements if one(data, st, HK.status) != HK.Asserted)


def test_only_contract_vocabulary(data: rdflib.Graph) -> None:
    allowed = {HK[t] for t in HK_CLASSES | HK_INDIVIDUALS | HK_PROPERTIES}
    statement_nodes = set(data.subjects(RDF.type, HK.Statement))
    for s, p, o in data:
        assert p in OTHER_PREDICATES or p in allowed, f"predicate outside the vocabulary: {p}"
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(str(HK)):
                assert term in allowed, f"hk: term outside the vocabulary: {term}"
        if p == RDF.type and s not in statement_nodes:
            assert o in {HK[c] for c in HK_CLASSES}, f"{s} typed with {o}"


def test_iri_layout(data: rdflib.Graph, statements: set[URIRef]) -> None:
    for st in statements:
        assert str(st).startswith(str(ST)), st
    for s in set(data.subjects()) - statements:
        assert isinstance(s, URIRef) and str(s).startswith(str(ID)), f"entity outside id: {s}"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", str(s)[len(str(ID)):]), f"not a lower-case slug: {s}"


def test_every_entity_has_type_label_and_comment(facts: rdflib.Graph) -> None:
    for s in set(facts.subjects()):
        assert list(facts.objects(s, RDF.type)), f"{s} has no rdf:type"
        labels = [lb for lb in facts.objects(s, RDFS.label) if isinstance(lb, Literal) and lb.language == "en"]
        assert len(labels) == 1, f"{s} needs exactly one rdfs:label@en, has {labels}"
        comments = [c for c in facts.objects(s, RDFS.comment) if isinstance(c, Literal) and c.language == "en"]
        assert len(comments) == 1 and str(comments[0]).strip(), f"{s} needs one rdfs:comment@en"


def test_every_referenced_entity_is_described(data: rdflib.Graph, facts: rdflib.Graph) -> None:
    described = set(facts.subjects(RDF.type, None))
    for s, p, o in data:
        if isinstance(o, URIRef) and str(o).startswith(str(ID)):
            assert o in described, f"{s} {p} points to undescribed {o}"


# ------------------------------------------------------------------------------------------------ statements

def test_every_quote_is_verbatim(data: rdflib.Graph, article: str) -> None:
    quotes = list(data.objects(None, HK.quote))
    assert len(quotes) >= 230
    for q in quotes:
        assert str(q) in article, f"quote not in the article: {q!r}"


def test_assessments_are_verbatim(data: rdflib.Graph, article: str) -> None:
    for a in data.objects(None, HK.assessment):
        assert str(a) in article, f"assessment not in the article: {a!r}"


def test_every_statement_is_well_formed(data: rdflib.Graph, statements: set[URIRef]) -> None:
    for st in statements:
        one(data, st, RDF.subject), one(data, st, RDF.predicate), one(data, st, RDF.object)
        assert one(data, st, HK.source) == ID["article-leone-2023"]
        quote = one(data, st, HK.quote)
        assert isinstance(quote, Literal) and str(quote).strip()
        assert one(data, st, HK.status) in {HK[i] for i in HK_INDIVIDUALS}
        assert list(data.objects(st, HK.claimant)), f"{st} has no claimant"
        for relayed in data.objects(st, HK.relays):
            assert relayed == ID["book-defending-rodinu-2"]


def test_every_hk_fact_has_its_statement(data: rdflib.Graph, facts: rdflib.Graph) -> None:
    for s, p, o in facts:
        if not str(p).startswith(str(HK)):
            continue
        found = statements_for(data, s, p, o)
        assert found, f"fact without a statement node: {s} {p} {o}"
        assert any(one(data, st, HK.status) == HK.Asserted for st in found), f"fact not asserted: {s} {p} {o}"
        for st in found:
            assert (st, HK.claimant, ID["dario-leone"]) in data


def test_asserted_statements_have_their_fact(data: rdflib.Graph, facts: rdflib.Graph,
                                             statements: set[URIRef]) -> None:
    for st in statements:
        if one(data, st, HK.status) == HK.Asserted:
            triple = (one(data, st, RDF.subject), one(data, st, RDF.predicate), one(data, st, RDF.object))
            assert triple in facts, f"{st} documents a triple that is not a fact: {triple}"


def test_claims_are_never_facts(data: rdflib.Graph, facts: rdflib.Graph, statements: set[URIRef]) -> None:
    claims = [st for st in statements if one(data, st, HK.status) != HK.Asserted]
    assert len(claims) >= 7
    for st in claims:
        triple = (one(data, st, RDF.subject), one(data, st, RDF.predicate), one(data, st, RDF.object))
        assert triple not in facts, f"claim {st} is also a plain fact: {triple}"


def test_relays_follow_the_book_passage(data: rdflib.Graph, statements: set[URIRef], article: str) -> None:
    """A statement relays the book exactly when its quote comes from the passage relayed from the book."""
    start, end = article.index(BOOK_PASSAGE_START), article.index(BOOK_PASSAGE_END)
    relayed = 0
    for st in statements:
        position = article.index(str(one(data, st, HK.quote)))
        in_passage = start <= position < end
        assert ((st, HK.relays, ID["book-defending-rodinu-2"]) in data) == in_passage, st
        relayed += in_passage
    assert relayed >= 150


@pytest.mark.parametrize(("name", "status", "claimants", "assessment", "words"), [
    ("claim-navigational-error", "Claim", {"soviet-government"}, None, "navigational error"),
    ("claim-drugged", "Claim", {"soviet-government"}, None, "drugged"),
    ("claim-recruited-by-us-intelligence", "Disputed", {"soviet-government", "russians"},
     "there is little evidence to support this assertion", "recruited by US intelligence"),
    ("hedged-manipulative-streak", "Hedged", {"dario-leone"}, "supposedly", "manipulative streak"),
    ("hedged-adapted-well", "Hedged", {"dario-leone"}, "as far as it is known", "adopted well"),
    ("hedged-best-known-defection", "Hedged", {"dario-leone"}, "Arguably", "best-known case"),
    ("hedged-defection-not-difficult", "Hedged", {"dario-leone"}, "Perhaps a little surprisingly",
     "not particularly difficult"),
])
def test_claims(data: rdflib.Graph, name: str, status: str, claimants: set[str], assessment: str | None,
                words: str) -> None:
    st = ST[name]
    assert one(data, st, HK.status) == HK[status]
    assert {str(c)[len(str(ID)):] for c in data.objects(st, HK.claimant)} == claimants
    assert [str(a) for a in data.objects(st, HK.assessment)] == ([assessment] if assessment else [])
    assert words in str(one(data, st, HK.quote))


def test_recruitment_suspicion(data: rdflib.Graph, facts: rdflib.Graph) -> None:
    st = ST["claim-recruited-by-us-intelligence"]
    assert one(data, st, RDF.subject) == ID["viktor-belenko"]
    assert one(data, st, RDF.object) == ID["us-intelligence"]
    assert (ID["viktor-belenko"], HK.memberOf, ID["us-intelligence"]) not in facts
    assert (st, HK.relays, ID["book-defending-rodinu-2"]) in data


# ------------------------------------------------------------------------------------------------ time

def test_dates_are_typed_and_not_invented(data: rdflib.Graph) -> None:
    dated = [o for p in (HK.earliest, HK.latest, HK.publicationDate) for o in data.objects(None, p)]
    assert dated
    for d in dated:
        assert isinstance(d, Literal) and d.datatype == XSD.date, f"untyped date {d!r}"
        assert str(d) in DATES_IN_ARTICLE, f"date {d} is not in the article"
    for d in data.objects(None, RDF.object):
        if isinstance(d, Literal) and d.datatype == XSD.date:
            assert str(d) in DATES_IN_ARTICLE


def test_time_spans(facts: rdflib.Graph) -> None:
    spans = set(facts.subjects(RDF.type, HK.TimeSpan))
    assert len(spans) >= 15
    for ts in spans:
        assert str(ts).startswith(str(ID["ts-"]))
        precision = str(one(facts, ts, HK.precision))
        assert precision in {"day", "vague"}
        assert str(one(facts, ts, HK.dateLabel)).strip()
        earliest, latest = list(facts.objects(ts, HK.earliest)), list(facts.objects(ts, HK.latest))
        if precision == "day":
            assert earliest == latest and len(earliest) == 1, ts
        else:
            assert len(earliest) + len(latest) == 1, f"{ts}: a vague span keeps only the bound the text supports"
            assert "not given" in str(one(facts, ts, HK.dateLabel))
    for event in facts.subjects(HK.timeSpan, None):
        assert one(facts, event, HK.timeSpan) in spans


@pytest.mark.parametrize(("event", "word"), [
    ("belenko-american-care", "soon enough"),
    ("mig-25-return-to-soviets", "eventually"),
    ("belenko-us-citizenship", "subsequently"),
])
def test_vague_times_stay_vague(facts: rdflib.Graph, event: str, word: str) -> None:
    ts = one(facts, ID[event], HK.timeSpan)
    assert str(one(facts, ts, HK.precision)) == "vague"
    assert word in str(one(facts, ts, HK.dateLabel))
    assert one(facts, ts, HK.earliest) == Literal("1976-09-06", datatype=XSD.date)
    assert not list(facts.objects(ts, HK.latest))


def test_every_time_span_has_its_edtf_form_saying_no_more_than_its_bounds(facts: rdflib.Graph) -> None:
    for ts in set(facts.subjects(RDF.type, HK.TimeSpan)):
        edtf = one(facts, ts, HK.edtf)
        assert isinstance(edtf, Literal) and edtf.datatype == EDTF, f"{ts}: {edtf!r}"
        earliest, latest = facts.value(ts, HK.earliest), facts.value(ts, HK.latest)
        if earliest is not None and earliest == latest:
            expected = str(earliest)          # a known day
        elif latest is None:
            expected = f"[{earliest}..]"     # one day on or after the bound
        else:
            expected = f"[..{latest}]"       # one day on or before it
        assert str(edtf) == expected, ts


def test_every_quote_offset_points_at_its_quote(data: rdflib.Graph, statements: set[URIRef], article: str) -> None:
    """hk:quoteOffset is where the quote first occurs in the article: the order of the telling, for the timeline."""
    for st in statements:
        quote, offset = str(one(data, st, HK.quote)), one(data, st, HK.quoteOffset)
        assert offset.datatype == XSD.integer
        assert article.index(quote) == offset.toPython(), st


def test_every_order_fact_relates_events_and_quotes_its_words(data: rdflib.Graph, facts: rdflib.Graph) -> None:
    pairs = list(facts.subject_objects(HK.before))
    assert len(pairs) >= 20
    events = {s for s, _, o in facts.triples((None, HK.timeSpan, None))}
    for earlier, later in pairs:
        assert earlier in events and later in events, (earlier, later)
        (st,) = statements_for(data, earlier, HK.before, later)
        assert one(data, st, HK.status) == HK.Asserted
    assert not list(facts.subject_objects(HK.after)), "hk:after is inferred, never asserted"


def test_request_precedes_escape(facts: rdflib.Graph) -> None:
    ts = one(facts, ID["belenko-classified-materials-request"], HK.timeSpan)
    assert one(facts, ts, HK.latest) == Literal("1976-09-06", datatype=XSD.date)
    assert not list(facts.objects(ts, HK.earliest))


# ------------------------------------------------------------------------------------------------ spot checks

def date_of(facts: rdflib.Graph, event: str) -> str:
    ts = one(facts, ID[event], HK.timeSpan)
    return str(one(facts, ts, HK.earliest))


def test_defection_on_6_september_1976(facts: rdflib.Graph) -> None:
    for event in ("belenko-defection", "belenko-defection-flight", "hakodate-low-pass", "belenko-landing"):
        assert date_of(facts, event) == "1976-09-06"
    assert (ID["belenko-defection"], RDF.type, HK.Defection) in facts


def test_belenko_unit_and_rank(facts: rdflib.Graph) -> None:
    b = ID["viktor-belenko"]
    assert (b, HK.memberOf, ID["530-iap"]) in facts
    assert (b, HK.rank, ID["rank-senior-lieutenant"]) in facts
    assert (ID["530-iap"], HK.subOrganisationOf, ID["pvo-fighter-aviation"]) in facts
    assert (ID["pvo-fighter-aviation"], HK.subOrganisationOf, ID["pvo"]) in facts
    assert (b, HK.rank, ID["rank-captain"]) not in facts  # he was overdue for that promotion
    assert any("overdue for promotion" in str(m) for m in facts.objects(b, HK.motive))


def test_flight_chuguyevka_to_hakodate(facts: rdflib.Graph) -> None:
    flight = ID["belenko-defection-flight"]
    assert (flight, RDF.type, HK.Flight) in facts
    assert (flight, HK.pilot, ID["viktor-belenko"]) in facts
    assert (flight, HK.aircraftUsed, ID["belenko-mig-25"]) in facts
    assert (flight, HK.origin, ID["chuguyevka-air-base"]) in facts
    assert (flight, HK.destination, ID["hakodate-airport"]) in facts
    assert "two minutes" in str(one(facts, flight, HK.fuelRemaining))


def test_places_nested_as_the_text_says(facts: rdflib.Graph) -> None:
    for inner, outer in [("hakodate-airport", "hakodate"), ("hakodate", "hokkaido"), ("hokkaido", "japan"),
                         ("chuguyevka-air-base", "primorsky-krai"), ("primorsky-krai", "soviet-far-east"),
                         ("soviet-far-east", "soviet-union")]:
        assert (ID[inner], HK.locatedIn, ID[outer]) in facts
    assert not list(facts.objects(ID["chitose-air-base"], HK.locatedIn))  # the article does not say where it is
    assert Literal("Ibaraki Airport", lang="en") in set(facts.objects(ID["hyakuri-airfield"], SKOS.altLabel))
    assert Literal("Primorskiy Kray", lang="en") in set(facts.objects(ID["primorsky-krai"], SKOS.altLabel))


def test_landing_overrun_240_m(facts: rdflib.Graph, data: rdflib.Graph) -> None:
    landing = ID["belenko-landing"]
    assert (landing, RDF.type, HK.Landing) in facts
    distance = one(facts, landing, HK.distance)
    assert distance.datatype == XSD.decimal and distance.toPython() == 240
    assert "approximately" in str(one(facts, landing, RDFS.comment))
    (st,) = statements_for(data, landing, HK.distance, distance)
    assert "ca 240m" in str(one(data, st, HK.quote))
    assert (landing, HK.place, ID["hakodate-airport"]) in facts


def test_aircraft(facts: rdflib.Graph) -> None:
    assert (ID["belenko-mig-25"], RDF.type, HK.Aircraft) in facts
    assert (ID["belenko-mig-25"], HK.model, ID["mig-25p"]) in facts
    assert (ID["mig-25p"], HK.variantOf, ID["mig-25"]) in facts
    assert (ID["mig-25"], HK.natoReportingName, Literal("Foxbat")) in facts
    assert (ID["mig-25"], HK.replacedBy, ID["mig-31"]) in facts
    assert (ID["zuyev-mig-29"], HK.model, ID["mig-29"]) in facts
    assert "unidentified" in str(one(facts, ID["passenger-aircraft-hakodate"], RDFS.label)).lower()


def test_zuyev_1989(facts: rdflib.Graph) -> None:
    z = ID["zuyev-defection"]
    assert (z, RDF.type, HK.Defection) in facts
    assert date_of(facts, "zuyev-defection") == "1989-05-20"
    assert (z, HK.pilot, ID["aleksandr-zuyev"]) in facts
    assert (ID["aleksandr-zuyev"], HK.rank, ID["rank-captain"]) in facts
    assert (ID["aleksandr-zuyev"], HK.memberOf, ID["vvs"]) in facts
    assert (z, HK.destination, ID["turkey"]) in facts
    assert (ID["zuyev-mig-29"], HK.operator, ID["vvs"]) in facts
    assert (ID["belenko-mig-25"], HK.operator, ID["pvo"]) in facts


def test_sources(facts: rdflib.Graph) -> None:
    a, b = ID["article-leone-2023"], ID["book-defending-rodinu-2"]
    assert (a, RDF.type, HK.Article) in facts and (b, RDF.type, HK.Book) in facts
    assert (a, HK.author, ID["dario-leone"]) in facts
    assert (a, HK.publicationDate, Literal("2023-09-04", datatype=XSD.date)) in facts
    assert (a, HK.sponsor, ID["helion-and-company"]) in facts
    assert (a, HK.cites, b) in facts
    assert (b, HK.author, ID["krzysztof-dabrowski"]) in facts
    assert (b, HK.publisher, ID["helion-and-company"]) in facts
    assert "photo credit" in str(one(facts, a, RDFS.comment)).lower()


def test_events_structure(facts: rdflib.Graph) -> None:
    for sub in ("belenko-training-sorties", "belenko-defection-flight", "belenko-police-custody",
                "belenko-american-care", "belenko-flight-to-us", "belenko-interrogation",
                "mig-25-covered-with-tarpaulins", "mig-25-disassembly", "mig-25-move-to-hyakuri",
                "mig-25-technical-analysis", "soviet-demands-for-return", "mig-25-return-to-soviets",
                "belenko-political-asylum", "belenko-us-citizenship", "mig-25-modernisation", "mig-31-development"):
        assert (ID[sub], HK.subEventOf, ID["belenko-defection"]) in facts, sub
    for sub in ("belenko-rapid-descent", "hakodate-low-pass", "hakodate-near-collision", "belenko-landing"):
        assert (ID[sub], HK.subEventOf, ID["belenko-defection-flight"]) in facts, sub
    assert (ID["belenko-interrogation"], RDF.type, HK.Interrogation) in facts
    assert (ID["belenko-police-custody"], HK.custodian, ID["japanese-police"]) in facts
    assert (ID["hakodate-near-collision"], HK.outcome, Literal("collision averted")) in facts
    assert (ID["mig-25-move-to-hyakuri"], HK.destination, ID["hyakuri-airfield"]) in facts
    assert (ID["belenko-political-asylum"], HK.followedBy, ID["belenko-us-citizenship"]) in facts


# ------------------------------------------------------------------------------------------------ with the ontology

@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    files = [f for f in sorted(ONTOLOGY.glob("*.ttl")) if f.name != "shapes.ttl"]
    if not files:
        pytest.skip("ontology/ not written yet")
    g = rdflib.Graph()
    for f in files:
        g.parse(f, format="turtle")
    return g


def test_vocabulary_is_declared_by_the_ontology(data: rdflib.Graph, ontology: rdflib.Graph) -> None:
    declared = set(ontology.subjects())
    for _, p, o in data:
        for term in (p, o):
            if isinstance(term, URIRef) and str(term).startswith(str(HK)):
                assert term in declared, f"{term} is not declared in ontology/"


def test_owl_rl_closure_is_consistent_and_keeps_claims_out(ontology: rdflib.Graph, facts: rdflib.Graph,
                                                           data: rdflib.Graph, statements: set[URIRef]) -> None:
    import owlrl

    g = rdflib.Graph()
    for t in ontology:
        g.add(t)
    for t in facts:
        g.add(t)
    closure = owlrl.OWLRL_Semantics(g, False, False, rdfs=False)
    closure.closure()
    assert not closure.error_messages, closure.error_messages
    for st in statements:
        if one(data, st, HK.status) != HK.Asserted:
            triple = (one(data, st, RDF.subject), one(data, st, RDF.predicate), one(data, st, RDF.object))
            assert triple not in g, f"reasoning derives the claim {st}: {triple}"
    assert (ID["belenko-landing"], HK.tookPlaceWithin, ID["japan"]) in g
    assert (ID["viktor-belenko"], HK.memberOf, ID["pvo"]) in g
    assert (ID["viktor-belenko"], HK.flew, ID["belenko-mig-25"]) in g
