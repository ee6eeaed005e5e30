"""Tests for ontology/: histkg.ttl (OWL 2 RL), alignment.ttl, shapes.ttl (SHACL).

They check that the files parse, that every hk: term is documented, that the constructs owlrl 7.6 gets wrong
are absent, that owlrl draws the inferences the data model relies on (and reports inconsistencies as error
nodes), and that the SHACL shapes accept a valid fixture and catch the errors they are meant to catch when
run, as the service runs them, on ontology + data + inferred closure combined.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import owlrl
import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SH, SKOS

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
HISTKG = ONTOLOGY_DIR / "histkg.ttl"
ALIGNMENT = ONTOLOGY_DIR / "alignment.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"

HK = Namespace("https://histkg.example.org/ontology#")
ID = Namespace("https://histkg.example.org/id/")
ST = Namespace("https://histkg.example.org/statement/")
ONTOLOGY_IRI = URIRef("https://histkg.example.org/ontology")
DCTERMS = Namespace("http://purl.org/dc/terms/")
# owlrl 7.6 reports inconsistencies as `[] a err:ErrorMessage ; err:error "message"` (owlrl/Closure.py).
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

PREFIXES = """
@prefix hk: <https://histkg.example.org/ontology#> .
@prefix id: <https://histkg.example.org/id/> .
@prefix st: <https://histkg.example.org/statement/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Every class / property named in the vocabulary contract: none may be renamed or dropped.
CONTRACT_CLASSES = [
    "Agent",
    "Person",
    "Organisation",
    "MilitaryUnit",
    "Place",
    "Country",
    "Region",
    "Island",
    "City",
    "Airfield",
    "Sea",
    "Aircraft",
    "AircraftModel",
    "Document",
    "Article",
    "Book",
    "Event",
    "Flight",
    "Defection",
    "Landing",
    "Interrogation",
    "TimeSpan",
    "Rank",
    "Statement",
    "StatementStatus",
]
CONTRACT_OBJECT_PROPERTIES = [
    "memberOf",
    "hasMember",
    "subOrganisationOf",
    "hasSubOrganisation",
    "rank",
    "spouse",
    "befriended",
    "citizenOf",
    "model",
    "hasAircraft",
    "variantOf",
    "hasVariant",
    "replacedBy",
    "replaces",
    "operator",
    "locatedIn",
    "containsPlace",
    "basedAt",
    "participant",
    "participatedIn",
    "pilot",
    "pilotOf",
    "interrogator",
    "custodian",
    "aircraftUsed",
    "usedIn",
    "flew",
    "place",
    "origin",
    "destination",
    "involvedPlace",
    "tookPlaceWithin",
    "subEventOf",
    "hasSubEvent",
    "followedBy",
    "precededBy",
    "timeSpan",
    "author",
    "authorOf",
    "publisher",
    "sponsor",
    "cites",
    "source",
    "relays",
    "claimant",
    "status",
]
CONTRACT_DATATYPE_PROPERTIES = [
    "earliest",
    "latest",
    "dateLabel",
    "precision",
    "publicationDate",
    "natoReportingName",
    "motive",
    "conduct",
    "characterisation",
    "outcome",
    "quote",
    "assessment",
    "distance",
    "fuelRemaining",
]
STATUSES = ["Asserted", "Claim", "Disputed", "Hedged"]
TOP_CLASSES = [
    "Agent",
    "Place",
    "Event",
    "Aircraft",
    "AircraftModel",
    "Document",
    "TimeSpan",
    "Statement",
    "Rank",
]

FORBIDDEN = [
    OWL.hasKey,
    OWL.AllDifferent,
    OWL.AllDisjointProperties,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.cardinality,
    OWL.qualifiedCardinality,
    OWL.sameAs,
    OWL.imports,
]


@cache
def _parsed(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def parse(path: Path) -> Graph:
    """A fresh copy of a parsed ontology file (callers may mutate it)."""
    g = Graph()
    for t in _parsed(path):
        g.add(t)
    return g


def ontology() -> Graph:
    return parse(HISTKG) + parse(ALIGNMENT)


def reason(data: str) -> Graph:
    """ontology + alignment + data, expanded in place with owlrl's OWL 2 RL closure."""
    g = ontology()
    g.parse(data=PREFIXES + data, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


def errors(g: Graph) -> list[str]:
    """owlrl's inconsistency messages in a closure."""
    return sorted(
        str(m) for node in g.subjects(RDF.type, ERR.ErrorMessage) for m in g.objects(node, ERR.error)
    )


def hk_terms(g: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, HK.StatementStatus)
    return {s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef) and s.startswith(HK)}


# --------------------------------------------------------------------------- files and documentation


@pytest.mark.parametrize("path", [HISTKG, ALIGNMENT, SHAPES], ids=lambda p: p.name)
def test_file_parses(path: Path) -> None:
    assert len(_parsed(path)) > 50


def test_ontology_header() -> None:
    g = _parsed(HISTKG)
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    for p in (OWL.versionInfo, DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert g.value(ONTOLOGY_IRI, p) is not None, p
    assert g.namespace_manager.store.namespace("hk") == URIRef(str(HK))


def test_contract_terms_declared_with_exact_names() -> None:
    g = _parsed(HISTKG)
    for name in CONTRACT_CLASSES:
        assert (HK[name], RDF.type, OWL.Class) in g, name
    for name in CONTRACT_OBJECT_PROPERTIES:
        assert (HK[name], RDF.type, OWL.ObjectProperty) in g, name
    for name in CONTRACT_DATATYPE_PROPERTIES:
        assert (HK[name], RDF.type, OWL.DatatypeProperty) in g, name
    for name in STATUSES:
        assert (HK[name], RDF.type, HK.StatementStatus) in g, name


def test_every_hk_term_has_english_label_comment_and_is_defined_by() -> None:
    g = _parsed(HISTKG)
    terms = hk_terms(g)
    assert len(terms) > 80
    for term in terms:
        for p in (RDFS.label, RDFS.comment):
            values = list(g.objects(term, p))
            assert any(isinstance(v, Literal) and v.language == "en" and str(v).strip() for v in values), (
                term,
                p,
            )
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, term


def test_every_object_and_datatype_property_has_domain_and_range() -> None:
    g = _parsed(HISTKG)
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for p in g.subjects(RDF.type, kind):
            assert g.value(p, RDFS.domain) is not None, p
            assert g.value(p, RDFS.range) is not None, p


def test_contract_axioms() -> None:
    g = _parsed(HISTKG)
    for a, b in [
        ("memberOf", "hasMember"), ("subOrganisationOf", "hasSubOrganisation"), ("model", "hasAircraft"),
        ("variantOf", "hasVariant"), ("replacedBy", "replaces"), ("locatedIn", "containsPlace"),
        ("participant", "participatedIn"), ("pilot", "pilotOf"), ("aircraftUsed", "usedIn"),
        ("subEventOf", "hasSubEvent"), ("followedBy", "precededBy"), ("author", "authorOf"),
    ]:  # fmt: skip
        assert (HK[a], OWL.inverseOf, HK[b]) in g, (a, b)
    for name in ("subOrganisationOf", "variantOf", "locatedIn", "subEventOf"):
        assert (HK[name], RDF.type, OWL.TransitiveProperty) in g, name
    assert (HK.spouse, RDF.type, OWL.SymmetricProperty) in g
    for sub, sup in [
        ("pilot", "participant"),
        ("interrogator", "participant"),
        ("custodian", "participant"),
        ("place", "tookPlaceWithin"),
        ("origin", "involvedPlace"),
        ("destination", "involvedPlace"),
    ]:
        assert (HK[sub], RDFS.subPropertyOf, HK[sup]) in g, (sub, sup)
    chains = {(p, tuple(g.items(lst))) for p, lst in g.subject_objects(OWL.propertyChainAxiom)}
    assert chains == {
        (HK.memberOf, (HK.memberOf, HK.subOrganisationOf)),
        (HK.flew, (HK.pilotOf, HK.aircraftUsed)),
        (HK.tookPlaceWithin, (HK.place, HK.locatedIn)),
        (HK.tookPlaceWithin, (HK.tookPlaceWithin, HK.locatedIn)),
        (HK.before, (HK.subEventOf, HK.before)),  # a part of an earlier event is earlier too
        (HK.before, (HK.before, HK.hasSubEvent)),  # and so is what precedes a whole, for each part
    }
    assert (HK.Statement, RDFS.subClassOf, RDF.Statement) in g
    assert (HK.Person, OWL.disjointWith, HK.Organisation) in g


def test_top_classes_pairwise_disjoint() -> None:
    g = _parsed(HISTKG)
    for i, a in enumerate(TOP_CLASSES):
        for b in TOP_CLASSES[i + 1 :]:
            assert (HK[a], OWL.disjointWith, HK[b]) in g or (HK[b], OWL.disjointWith, HK[a]) in g, (a, b)


@pytest.mark.parametrize("path", [HISTKG, ALIGNMENT], ids=lambda p: p.name)
def test_no_forbidden_constructs_in_owl_files(path: Path) -> None:
    g = _parsed(path)
    for term in FORBIDDEN:
        assert not any(term in t for t in g), f"{term} mentioned in {path.name}"


def test_no_forbidden_constructs_in_shapes() -> None:
    # shapes.ttl may NAME owl:sameAs (sh:ignoredProperties) but must not use any forbidden term as an axiom
    g = _parsed(SHAPES)
    for term in FORBIDDEN:
        assert (None, term, None) not in g, term
        assert (None, RDF.type, term) not in g, term


def test_alignment_only_subclass_and_subproperty_to_declared_external_terms() -> None:
    g = _parsed(ALIGNMENT)
    hk = _parsed(HISTKG)
    defined = hk_terms(hk)
    linked = set()
    for s, p, o in g:
        if isinstance(s, URIRef) and s.startswith(HK):
            assert p in (RDFS.subClassOf, RDFS.subPropertyOf), (s, p, o)
            assert s in defined, s
            assert not o.startswith(HK), (s, p, o)
            linked.add(o)
    for ext in linked:
        assert g.value(ext, RDF.type) in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty), ext
        assert g.value(ext, RDFS.label) is not None, ext
    # External terms get no domain, range or other axioms from us: nothing can be typed wrongly by them.
    for s, p, _ in g:
        if isinstance(s, URIRef) and not s.startswith(HK):
            assert p in (RDF.type, RDFS.label, OWL.versionInfo, RDFS.comment) or s.startswith(
                "https://histkg.example.org/ontology/"
            ), (s, p)


def test_alignment_examples_from_brief() -> None:
    g = _parsed(ALIGNMENT)
    schema = Namespace("https://schema.org/")
    crm = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
    prov = Namespace("http://www.w3.org/ns/prov#")
    org = Namespace("http://www.w3.org/ns/org#")
    foaf = Namespace("http://xmlns.com/foaf/0.1/")
    for triple in [
        (HK.Person, RDFS.subClassOf, schema.Person), (HK.Person, RDFS.subClassOf, foaf.Person),
        (HK.Person, RDFS.subClassOf, crm.E21_Person), (HK.Statement, RDFS.subClassOf, prov.Entity),
        (HK.locatedIn, RDFS.subPropertyOf, schema.containedInPlace),
        (HK.locatedIn, RDFS.subPropertyOf, crm.P89_falls_within),
        (HK.participant, RDFS.subPropertyOf, crm.P11_had_participant),
        (HK.memberOf, RDFS.subPropertyOf, org.memberOf),
        (HK.source, RDFS.subPropertyOf, prov.wasDerivedFrom),
        (HK.claimant, RDFS.subPropertyOf, prov.wasAttributedTo),
        (HK.author, RDFS.subPropertyOf, schema.author),
        (HK.author, RDFS.subPropertyOf, DCTERMS.creator), (HK.AircraftModel, RDFS.subClassOf, SKOS.Concept),
    ]:  # fmt: skip
        assert triple in g, triple


# --------------------------------------------------------------------------- OWL RL reasoning

FIXTURE = """
id:viktor-belenko a hk:Person ; rdfs:label "Viktor Belenko" ; hk:memberOf id:530-iap ;
    hk:spouse id:belenko-wife .
id:belenko-wife rdfs:label "Belenko's wife" .
id:530-iap a hk:MilitaryUnit ; rdfs:label "530 IAP" ; hk:subOrganisationOf id:pvo-fighter-aviation ;
    hk:basedAt id:chuguyevka-ab .
id:pvo-fighter-aviation a hk:MilitaryUnit ; rdfs:label "PVO fighter aviation" ; hk:subOrganisationOf id:pvo .
id:pvo a hk:MilitaryUnit ; rdfs:label "PVO" .
id:hakodate-airport a hk:Airfield ; rdfs:label "Hakodate airport" ; hk:locatedIn id:hakodate .
id:hakodate a hk:City ; rdfs:label "Hakodate" ; hk:locatedIn id:hokkaido .
id:hokkaido a hk:Island ; rdfs:label "Hokkaido" ; hk:locatedIn id:japan .
id:japan a hk:Country ; rdfs:label "Japan" .
id:chuguyevka-ab a hk:Airfield ; rdfs:label "Chuguyevka AB" .
id:belenko-mig-25 a hk:Aircraft ; rdfs:label "Belenko's MiG-25P" ; hk:model id:mig-25p .
id:mig-25p rdfs:label "MiG-25P" ; hk:variantOf id:mig-25 .
id:mig-25 a hk:AircraftModel ; rdfs:label "MiG-25" ; hk:natoReportingName "Foxbat" .
id:defection-1976 a hk:Defection ; rdfs:label "Belenko's defection" .
id:defection-flight a hk:Flight ; rdfs:label "Defection flight" ; hk:subEventOf id:defection-1976 ;
    hk:pilot id:viktor-belenko ; hk:aircraftUsed id:belenko-mig-25 ;
    hk:origin id:chuguyevka-ab ; hk:destination id:hakodate-airport .
id:hakodate-landing a hk:Landing ; rdfs:label "Landing at Hakodate" ; hk:subEventOf id:defection-flight ;
    hk:place id:hakodate-airport ; hk:timeSpan id:ts-1976-09-06 .
id:ts-1976-09-06 a hk:TimeSpan ; hk:dateLabel "6 September 1976" ; hk:precision "day" ;
    hk:earliest "1976-09-06"^^xsd:date ; hk:latest "1976-09-06"^^xsd:date .
id:article a hk:Article ; rdfs:label "The Aviation Geek Club article" ; hk:author id:dario-leone ;
    hk:cites id:defending-rodinu ; hk:publicationDate "2023-09-04"^^xsd:date .
id:defending-rodinu a hk:Book ; rdfs:label "Defending Rodinu: Volume 2" .
id:dario-leone rdfs:label "Dario Leone" .
id:soviets a hk:Organisation ; rdfs:label "the Soviets" .
id:us-intelligence a hk:Organisation ; rdfs:label "US intelligence agencies" .

st:belenko-member-530-iap a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:memberOf ; rdf:object id:530-iap ;
    hk:source id:article ; hk:claimant id:dario-leone ; hk:status hk:Asserted ;
    hk:quote "Senior Lieutenant Viktor Belenko, serving with the 530 IAP of the PVO\u2019s fighter aviation" .
st:recruited-claim a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:memberOf ; rdf:object id:us-intelligence ;
    hk:source id:article ; hk:relays id:defending-rodinu ; hk:claimant id:soviets ; hk:status hk:Disputed ;
    hk:quote "suspected that he might have been earlier recruited by US intelligence agencies" ;
    hk:assessment "there is little evidence to support this assertion" .
"""


@pytest.fixture(scope="module")
def closure() -> Graph:
    return reason(FIXTURE)


def test_closure_is_consistent(closure: Graph) -> None:
    assert errors(closure) == []


def test_inverse_properties(closure: Graph) -> None:
    assert (ID["530-iap"], HK.hasMember, ID["viktor-belenko"]) in closure
    assert (ID["defection-1976"], HK.hasSubEvent, ID["defection-flight"]) in closure
    assert (ID["viktor-belenko"], HK.pilotOf, ID["defection-flight"]) in closure
    assert (ID["belenko-mig-25"], HK.usedIn, ID["defection-flight"]) in closure
    assert (ID["mig-25p"], HK.hasAircraft, ID["belenko-mig-25"]) in closure
    assert (ID["dario-leone"], HK.authorOf, ID.article) in closure
    assert (ID.japan, HK.containsPlace, ID["hakodate-airport"]) in closure


def test_symmetric_spouse(closure: Graph) -> None:
    assert (ID["belenko-wife"], HK.spouse, ID["viktor-belenko"]) in closure


def test_transitive_located_in(closure: Graph) -> None:
    for container in ("hakodate", "hokkaido", "japan"):
        assert (ID["hakodate-airport"], HK.locatedIn, ID[container]) in closure, container


def test_transitive_sub_events_and_variants(closure: Graph) -> None:
    assert (ID["hakodate-landing"], HK.subEventOf, ID["defection-1976"]) in closure
    assert (ID["530-iap"], HK.subOrganisationOf, ID.pvo) in closure


def test_took_place_within_via_chain(closure: Graph) -> None:
    for place in ("hakodate-airport", "hakodate", "hokkaido", "japan"):
        assert (ID["hakodate-landing"], HK.tookPlaceWithin, ID[place]) in closure, place
        assert (ID["hakodate-landing"], HK.involvedPlace, ID[place]) in closure, place
    # origin/destination are involved places, not places where the flight "took place"
    assert (ID["defection-flight"], HK.involvedPlace, ID["chuguyevka-ab"]) in closure
    assert (ID["defection-flight"], HK.tookPlaceWithin, ID["chuguyevka-ab"]) not in closure


def test_flew_via_chain(closure: Graph) -> None:
    assert (ID["viktor-belenko"], HK.flew, ID["belenko-mig-25"]) in closure
    assert (ID["belenko-mig-25"], HK.flownBy, ID["viktor-belenko"]) in closure


def test_member_of_rolled_up_unit_hierarchy(closure: Graph) -> None:
    for unit in ("530-iap", "pvo-fighter-aviation", "pvo"):
        assert (ID["viktor-belenko"], HK.memberOf, ID[unit]) in closure, unit
    assert (ID.pvo, HK.hasMember, ID["viktor-belenko"]) in closure


def test_sub_property_roll_up(closure: Graph) -> None:
    assert (ID["defection-flight"], HK.participant, ID["viktor-belenko"]) in closure
    assert (ID["viktor-belenko"], HK.participatedIn, ID["defection-flight"]) in closure


def test_domain_and_range_typing(closure: Graph) -> None:
    typed = {
        "dario-leone": [HK.Person, HK.Agent],  # range of hk:author
        "belenko-wife": [HK.Person],  # range of hk:spouse
        "mig-25p": [HK.AircraftModel],  # range of hk:model, domain of hk:variantOf
        "hakodate-landing": [HK.Event],  # sub-class
        "530-iap": [HK.Organisation, HK.Agent],  # sub-class
    }
    for name, classes in typed.items():
        for cls in classes:
            assert (ID[name], RDF.type, cls) in closure, (name, cls)
    assert (ST["recruited-claim"], RDF.type, RDF.Statement) in closure


def test_alignment_inferences(closure: Graph) -> None:
    schema = Namespace("https://schema.org/")
    crm = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
    assert (ID["viktor-belenko"], RDF.type, schema.Person) in closure
    assert (ID["hakodate-airport"], schema.containedInPlace, ID.japan) in closure
    assert (ID["defection-flight"], crm.P11_had_participant, ID["viktor-belenko"]) in closure


def test_claims_stay_statements(closure: Graph) -> None:
    # reasoning over facts never turns the recruitment claim into a fact
    assert (ID["viktor-belenko"], HK.memberOf, ID["us-intelligence"]) not in closure


def test_disjointness_violation_reported_as_error_node() -> None:
    g = reason("id:hakodate a hk:Person, hk:City .")
    msgs = errors(g)
    assert len(msgs) == 1
    assert msgs[0] == (f"Disjoint classes {HK.Agent} and {HK.Place} have a common individual {ID.hakodate}")
    node = next(g.subjects(RDF.type, ERR.ErrorMessage))
    assert isinstance(node, BNode)


def test_disjointness_via_range_typing() -> None:
    # a country used as a custodian (range hk:Agent) clashes with hk:Place: use an organisation instead
    g = reason("id:japan a hk:Country . id:custody a hk:Event ; hk:custodian id:japan .")
    assert any(str(ID.japan) in m and "Disjoint classes" in m for m in errors(g))


def test_unit_as_member_is_an_error() -> None:
    # units nest with hk:subOrganisationOf; hk:memberOf has domain hk:Person
    g = reason("id:530-iap a hk:MilitaryUnit ; hk:memberOf id:pvo .")
    assert any(
        f"{HK.Person} and {HK.Organisation}" in m or f"{HK.Organisation} and {HK.Person}" in m
        for m in errors(g)
    )


def test_two_models_are_not_merged() -> None:
    # no functional property: owlrl must not infer owl:sameAs between the two models
    g = reason("id:a a hk:Aircraft ; hk:model id:m1, id:m2 .")
    assert (ID.m1, OWL.sameAs, ID.m2) not in g
    assert errors(g) == []


# --------------------------------------------------------------------------- SHACL


def shacl(data: str) -> tuple[bool, list[tuple[URIRef, URIRef, str]]]:
    """Validate the union ontology + alignment + data + closure, as the service does.

    Returns (conforms, [(focus node, severity, message)]).
    """
    union = reason(data)
    conforms, report, _ = validate(
        union, shacl_graph=parse(SHAPES), inference="none", allow_warnings=True, advanced=True
    )
    results = [
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.resultSeverity),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return conforms, results


def violations(results: list[tuple[URIRef, URIRef, str]]) -> list[tuple[URIRef, str]]:
    return sorted((f, m) for f, sev, m in results if sev == SH.Violation)


def test_shacl_valid_fixture_conforms() -> None:
    conforms, results = shacl(FIXTURE)
    assert results == []
    assert conforms


INVALID = """
st:no-quote a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:memberOf ; rdf:object id:530-iap ;
    hk:source id:article ; hk:status hk:Asserted .
id:ts-backwards a hk:TimeSpan ; hk:dateLabel "backwards" ;
    hk:earliest "1977"^^xsd:gYear ; hk:latest "1976-09-06"^^xsd:date .
id:viktor-belenko hk:conduct "made a navigational error" .
st:navigational-error-claim a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:conduct ; rdf:object "made a navigational error" ;
    hk:source id:article ; hk:claimant id:soviets ; hk:status hk:Claim ;
    hk:quote "They claimed that Senior Lieutenant Belenko had made a navigational error" .
st:claim-without-claimant a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:characterisation ; rdf:object "drugged" ;
    hk:source id:article ; hk:status hk:Claim ; hk:quote "drugged" .
st:stray-property a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:memberOf ; rdf:object id:530-iap ;
    hk:source id:article ; hk:status hk:Asserted ; hk:quote "530 IAP" ; rdfs:seeAlso id:japan .
id:two-models a hk:Aircraft ; rdfs:label "two models" ; hk:model id:mig-25, id:mig-25p .
id:nameless a hk:Person .
"""


def test_shacl_invalid_fixture_violations() -> None:
    conforms, results = shacl(FIXTURE + INVALID)
    assert not conforms
    found = violations(results)
    focus = {f for f, _ in found}
    assert (ST["no-quote"], "A statement must have exactly one non-empty hk:quote string.") in found
    assert any(f == ID["ts-backwards"] and "ends before it starts" in m for f, m in found)
    assert any(f == ST["navigational-error-claim"] and "also asserted as a plain fact" in m for f, m in found)
    assert (ST["claim-without-claimant"], "A claim (status hk:Claim) must have a hk:claimant.") in found
    assert ST["stray-property"] in focus  # closed shape: rdfs:seeAlso is not a statement property
    assert (ID["two-models"], "An aircraft (one airframe) has at most one hk:model.") in found
    assert (ID.nameless, "An entity must have an rdfs:label.") in found
    # nothing else is flagged: the valid part of the fixture stays valid next to the invalid part
    assert focus == {
        ST["no-quote"], ID["ts-backwards"], ST["navigational-error-claim"], ST["claim-without-claimant"],
        ST["stray-property"], ID["two-models"], ID.nameless,
    }  # fmt: skip


def test_shacl_warnings_for_should_rules() -> None:
    data = (
        FIXTURE
        + """
st:hedged a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:characterisation ; rdf:object "manipulative streak" ;
    hk:source id:article ; hk:relays id:defending-rodinu ; hk:status hk:Hedged ;
    hk:quote "the man supposedly had a certain manipulative streak" .
st:disputed-bare a hk:Statement ;
    rdf:subject id:viktor-belenko ; rdf:predicate hk:memberOf ; rdf:object id:us-intelligence ;
    hk:source id:article ; hk:status hk:Disputed ; hk:quote "recruited by US intelligence agencies" .
"""
    )
    conforms, results = shacl(data)
    assert conforms  # warnings only
    warnings = sorted((f, m) for f, sev, m in results if sev == SH.Warning)
    assert [f for f, _ in warnings] == [ST["disputed-bare"], ST["disputed-bare"], ST.hedged]
