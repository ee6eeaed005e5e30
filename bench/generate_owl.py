"""Deterministic synthetic data in an ontology of its own (a railway world) that uses every OWL 2 RL construct the
fast materialiser implements, as N-Triples, streamed: the ontology first, then facts, in one file.

    python bench/generate.py --profile owl --triples 50000 [--same-as 0.1] -o /tmp/x.nt

Not histkg's ontology. Constructs: sub-/equivalent classes and properties, domains, ranges, inverse, symmetric,
transitive, functional, inverse-functional, irreflexive and asymmetric properties, property chains of two and three
links, intersection, union, oneOf, complementOf, some/all/hasValue restrictions, max 1 cardinality (plain and
qualified), hasKey, disjointWith, AllDisjointClasses, AllDisjointProperties, propertyDisjointWith, negative property
assertions, sameAs and differentFrom. The data is consistent: no rule concludes "false".

`--same-as F`: a fraction F of the people and stations get an alias IRI, `owl:sameAs` the original, and some of
their facts are written about the alias (the equality classes the fast path folds with its union-find).
"""

from __future__ import annotations

import random
from typing import TextIO

RAIL = "https://bench.example.org/rail#"
D = "https://bench.example.org/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# (subject, predicate, object) in short form: "o:" the ontology, "owl:"/"rdfs:"/"rdf:" the vocabularies, "_:" blank.
ONTOLOGY = """
o:Place owl:unionOf _:places . o:Country rdfs:subClassOf o:Region . o:Region rdfs:subClassOf o:Area .
o:Town rdfs:subClassOf o:Settlement . o:City rdfs:subClassOf o:Settlement .
o:Settlement owl:equivalentClass o:Locality .
o:Station rdfs:subClassOf o:Facility . o:Depot rdfs:subClassOf o:Facility . o:Facility rdfs:subClassOf o:Asset .
o:Train rdfs:subClassOf o:Vehicle . o:Locomotive rdfs:subClassOf o:Vehicle . o:Vehicle rdfs:subClassOf o:Asset .
o:Driver rdfs:subClassOf o:Staff . o:Staff rdfs:subClassOf o:Person . o:Passenger rdfs:subClassOf o:Person .
o:Company rdfs:subClassOf o:Organisation . o:Line rdfs:subClassOf o:Route . o:Ticket rdfs:subClassOf o:Document .
o:locatedIn a owl:TransitiveProperty , owl:AsymmetricProperty ; rdfs:domain o:Located ; owl:inverseOf o:contains .
o:connectedTo a owl:SymmetricProperty , owl:IrreflexiveProperty ; rdfs:domain o:Station ; rdfs:range o:Station .
o:operates rdfs:domain o:Company ; rdfs:range o:Line ; owl:inverseOf o:operatedBy .
o:hasStop rdfs:domain o:Line ; rdfs:range o:Station ; rdfs:subPropertyOf o:touches .
o:serves owl:propertyChainAxiom ( o:hasStop o:locatedIn ) .
o:visits owl:propertyChainAxiom ( o:drives o:runsOn o:hasStop ) .
o:drives rdfs:domain o:Driver ; rdfs:range o:Train ; owl:propertyDisjointWith o:ridesOn .
o:ridesOn rdfs:domain o:Passenger ; owl:equivalentProperty o:travelsOn .
o:runsOn rdfs:domain o:Train ; rdfs:range o:Line .
o:employer a owl:FunctionalProperty ; rdfs:range o:Company .
o:badge a owl:InverseFunctionalProperty .
o:registration a owl:FunctionalProperty , owl:DatatypeProperty ; rdfs:domain o:Vehicle .
o:ticketNumber a owl:DatatypeProperty . o:issuer rdfs:range o:Company .
o:Ticket owl:hasKey ( o:ticketNumber o:issuer ) .
o:category rdfs:range o:Category . o:Category owl:oneOf ( o:regional o:intercity o:highspeed ) .
o:HighSpeedLine owl:equivalentClass _:hs .
_:hs a owl:Restriction ; owl:onProperty o:category ; owl:hasValue o:highspeed .
o:Express owl:intersectionOf ( o:Train _:onhs ) .
_:onhs a owl:Restriction ; owl:onProperty o:runsOn ; owl:someValuesFrom o:HighSpeedLine .
o:Served owl:equivalentClass _:sv . _:sv a owl:Restriction ; owl:onProperty o:hasStop ; owl:someValuesFrom owl:Thing .
o:Train rdfs:subClassOf _:av . _:av a owl:Restriction ; owl:onProperty o:hauledBy ; owl:allValuesFrom o:Locomotive .
o:Train rdfs:subClassOf _:m1 .
_:m1 a owl:Restriction ; owl:onProperty o:currentDriver ; owl:maxCardinality "1"^^xsd:nonNegativeInteger .
o:Train rdfs:subClassOf _:q1 . _:q1 a owl:Restriction ; owl:onProperty o:hauledBy ; owl:onClass o:Locomotive ;
  owl:maxQualifiedCardinality "1"^^xsd:nonNegativeInteger .
o:Unstaffed owl:complementOf o:Staffed . o:Person owl:disjointWith o:Asset .
_:adc a owl:AllDisjointClasses ; owl:members ( o:Place o:Company o:Route o:Document ) .
_:adp a owl:AllDisjointProperties ; owl:members ( o:drives o:ridesOn o:inspects ) .
"""
PLACES_LIST = ("o:Country", "o:Region", "o:Town", "o:City")


def term(short: str) -> str:
    if "^^" in short:
        form, datatype = short.split("^^")
        return f"{form}^^{term(datatype)}"
    for prefix, base in (("o:", RAIL), ("owl:", OWL), ("rdfs:", RDFS), ("rdf:", RDF), ("xsd:", XSD)):
        if short.startswith(prefix):
            return f"<{base}{short[len(prefix):]}>"
    return short


class Out:
    def __init__(self, out: TextIO, rng: random.Random, same_as: float) -> None:
        self.out, self.rng, self.same_as = out, rng, same_as
        self.count, self.blank = 0, 0
        self.aliases: dict[str, str] = {}

    def t(self, s: str, p: str, o: str) -> None:
        self.out.write(f"{term(s)} {term(p)} {term(o)} .\n")
        self.count += 1

    def node(self) -> str:
        self.blank += 1
        return f"_:g{self.blank}"

    def rdf_list(self, items: list[str]) -> str:
        head = "rdf:nil"
        for item in reversed(items):
            cell = self.node()
            self.t(cell, "rdf:first", item)
            self.t(cell, "rdf:rest", head)
            head = cell
        return head

    def who(self, iri: str) -> str:
        """The individual or, for one in an equality class, now and then its alias."""
        alias = self.aliases.get(iri)
        return alias if alias is not None and self.rng.random() < 0.5 else iri

    def individual(self, iri: str, cls: str) -> None:
        self.t(iri, "rdf:type", cls)
        if self.rng.random() < self.same_as:
            alias = self.aliases[iri] = iri[:-1] + "-alias>"
            self.t(alias, "owl:sameAs", iri)


def write_ontology(w: Out) -> None:
    lists = {"_:places": w.rdf_list(list(PLACES_LIST))}
    text = " ".join(ONTOLOGY.split())
    while "( " in text:  # an inline list: written out as rdf:first/rest cells
        start, end = text.index("( "), text.index(" )")
        text = text[:start] + w.rdf_list(text[start + 2:end].split()) + text[end + 2:]
    for statement in filter(None, (part.strip() for part in (text + " ").split(" . "))):
        _statement(w, statement.rstrip(" ."), lists)


def _statement(w: Out, text: str, lists: dict[str, str]) -> None:
    subject, rest = text.split(" ", 1)
    for clause in rest.split(" ; "):
        predicate, objects = clause.strip().split(" ", 1)
        predicate = "rdf:type" if predicate == "a" else predicate
        for obj in objects.split(" , "):
            w.t(subject, predicate, lists.get(obj.strip(), obj.strip()))


def write_world(w: Out, n: int) -> None:
    """One company's share of the world: a country with regions and towns, a line with stations, trains, drivers,
    passengers and tickets (about 120 triples)."""
    rng, ind = w.rng, lambda kind, k: f"<{D}{kind}-{n}-{k}>"
    country = ind("country", 0)
    w.individual(country, "o:Country")
    company = ind("company", 0)
    w.t(company, "rdf:type", "o:Company")
    line = ind("line", 0)
    w.t(company, "o:operates", line)
    w.t(line, "o:category", rng.choice(["o:regional", "o:intercity", "o:highspeed"]))
    stations = []
    for k in range(4):
        region, town, station = ind("region", k), ind("town", k), ind("station", k)
        w.individual(region, "o:Region")
        w.t(region, "o:locatedIn", country)
        w.t(town, "rdf:type", rng.choice(["o:Town", "o:City"]))
        w.t(town, "o:locatedIn", region)
        w.individual(station, "o:Station")
        w.t(w.who(station), "o:locatedIn", town)
        w.t(line, "o:hasStop", w.who(station))
        if stations:
            w.t(w.who(station), "o:connectedTo", w.who(stations[-1]))
        stations.append(station)
    for k in range(2):
        train, loco, driver = ind("train", k), ind("loco", k), ind("driver", k)
        w.t(train, "rdf:type", "o:Train")
        w.t(train, "o:runsOn", line)
        w.t(train, "o:hauledBy", loco)
        w.t(train, "o:registration", f'"R{n}-{k}"')
        w.individual(driver, "o:Driver")
        w.t(w.who(driver), "o:drives", train)
        w.t(train, "o:currentDriver", w.who(driver))
        w.t(w.who(driver), "o:employer", company)
        w.t(w.who(driver), "o:badge", f"<{D}badge-{n}-{k}>")
    for k in range(3):
        passenger, ticket = ind("passenger", k), ind("ticket", k)
        w.individual(passenger, "o:Passenger")
        w.t(w.who(passenger), "o:ridesOn", ind("train", k % 2))
        w.t(ticket, "o:ticketNumber", f'"{n}-{k}"')
        w.t(ticket, "o:issuer", company)
        w.t(ticket, "rdf:type", "o:Ticket")
    if n % 10 == 0:
        npa = w.node()
        w.t(npa, "rdf:type", "owl:NegativePropertyAssertion")
        w.t(npa, "owl:sourceIndividual", ind("passenger", 0))
        w.t(npa, "owl:assertionProperty", "o:drives")
        w.t(npa, "owl:targetIndividual", ind("train", 0))
        w.t(ind("passenger", 0), "owl:differentFrom", ind("passenger", 1))


def generate(triples: int, out: TextIO, seed: int = 1976, same_as: float = 0.0) -> int:
    w = Out(out, random.Random(seed), same_as)
    write_ontology(w)
    n = 0
    while w.count < triples:
        write_world(w, n)
        n += 1
    return w.count
