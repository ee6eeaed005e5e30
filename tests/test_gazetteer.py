"""data/gazetteer.ttl: places' coordinates and identifiers, each fact with a statement naming the record it comes
from and quoting the coordinates as that record prints them; unplaced places stay unplaced; loaded by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, URIRef

from service.config import Settings
from tests.test_dataset import GAZETTEER_PREDICATES, HK, HK_CLASSES, ID, OTHER_PREDICATES, SKOS, ST, one, statements_for

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = ROOT / "data" / "gazetteer.ttl"
GEO = rdflib.Namespace("http://www.opengis.net/ont/geosparql#")
WGS84 = rdflib.Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SCHEMA_URL = URIRef("https://schema.org/url")
ALLOWED = OTHER_PREDICATES | GAZETTEER_PREDICATES | {HK.source, HK.quote, HK.status}


@pytest.fixture(scope="module")
def gazetteer() -> rdflib.Graph:
    return rdflib.Graph().parse(GAZETTEER, format="turtle")


@pytest.fixture(scope="module")
def dataset() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "data" / "belenko.ttl", format="turtle")


def facts(g: rdflib.Graph) -> list[tuple]:  # type: ignore[type-arg]
    statements = set(g.subjects(RDF.type, HK.Statement))
    sources = set(g.subjects(RDF.type, HK.Document))
    return [t for t in g if t[0] not in statements and t[0] not in sources]


def test_loaded_by_default() -> None:
    assert [p.name for p in Settings().data_files] == ["belenko.ttl", "gazetteer.ttl"]


def test_only_its_vocabulary_and_never_same_as(gazetteer: rdflib.Graph) -> None:
    for _s, p, o in gazetteer:
        assert p in ALLOWED, f"predicate outside the gazetteer's vocabulary: {p}"
        assert p != OWL.sameAs
        if p == RDF.type and o != HK.Statement:
            assert o in {HK[c] for c in HK_CLASSES}


def test_every_fact_has_a_statement_with_source_and_quote(gazetteer: rdflib.Graph) -> None:
    found = facts(gazetteer)
    assert len(found) >= 16
    for s, p, o in found:
        statements = statements_for(gazetteer, s, p, o)
        assert len(statements) == 1, f"{s} {p} {o}: {statements}"
        st = statements[0]
        assert str(st).startswith(str(ST))
        assert one(gazetteer, st, HK.status) == HK.Asserted
        assert str(one(gazetteer, st, HK.quote)).strip()
        source = one(gazetteer, st, HK.source)
        assert (source, RDF.type, HK.Document) in gazetteer
        assert one(gazetteer, source, RDFS.label).language == "en"
        assert str(one(gazetteer, source, SCHEMA_URL)).startswith("http")
        # The source is a gazetteer or encyclopaedia record, never the article.
        assert source != ID["article-leone-2023"]


def test_statements_document_only_facts(gazetteer: rdflib.Graph) -> None:
    found = set(facts(gazetteer))
    for st in gazetteer.subjects(RDF.type, HK.Statement):
        triple = (one(gazetteer, st, RDF.subject), one(gazetteer, st, RDF.predicate), one(gazetteer, st, RDF.object))
        assert triple in found


def test_points_agree_and_quotes_say_them(gazetteer: rdflib.Graph) -> None:
    placed = set(gazetteer.subjects(GEO.asWKT, None))
    assert ID["hakodate-airport"] in placed and ID["chuguyevka-air-base"] in placed
    assert ID["hyakuri-airfield"] in placed
    for place in placed:
        wkt = one(gazetteer, place, GEO.asWKT)
        assert wkt.datatype == GEO.wktLiteral
        m = re.fullmatch(r"POINT\((\S+) (\S+)\)", str(wkt))
        assert m, wkt
        lat, lon = one(gazetteer, place, WGS84.lat), one(gazetteer, place, WGS84.long)
        assert lat.datatype == lon.datatype == XSD.decimal
        assert float(m.group(1)) == float(lon) and float(m.group(2)) == float(lat)
        # The quote carries the degrees of both coordinates.
        (st,) = statements_for(gazetteer, place, GEO.asWKT, wkt)
        digits = re.findall(r"\d+", str(one(gazetteer, st, HK.quote)))
        assert str(int(float(lat))) in digits and str(int(float(lon))) in digits


def test_places_are_the_articles_and_vague_ones_stay_unplaced(gazetteer: rdflib.Graph,
                                                              dataset: rdflib.Graph) -> None:
    for place in set(gazetteer.subjects(GEO.asWKT, None)) | set(gazetteer.subjects(SKOS.exactMatch, None)):
        assert (place, RDF.type, None) in dataset, f"{place} is not a place of the dataset"
        assert not list(gazetteer.objects(place, RDF.type)), "the gazetteer describes, it does not type"
    assert (ID["sea-toward-japan"], GEO.asWKT, None) not in gazetteer
    assert not list(gazetteer.triples((ID["sea-toward-japan"], None, None)))


def test_identifiers_are_external_iris(gazetteer: rdflib.Graph) -> None:
    for _s, o in gazetteer.subject_objects(SKOS.exactMatch):
        assert isinstance(o, URIRef) and not str(o).startswith("https://histkg.example.org/"), o
    assert (ID.hakodate, SKOS.exactMatch, URIRef("https://sws.geonames.org/2130184/")) in gazetteer
