"""Deterministic synthetic historical data in histkg's own ontology, as N-Triples, streamed.

    python bench/generate.py --triples 50000 -o /tmp/x.nt [--seed 1976]

The same (size, seed) always gives the same bytes. The world is built like the shipped Belenko dataset, only
bigger: countries > regions > cities > airfields (hk:locatedIn), air forces > divisions > regiments
(hk:subOrganisationOf) based at airfields, ranks, aircraft model families with variants of variants and
replacements, source documents (articles and books citing each other). Then "episodes" are appended until the
triple budget is reached: a pilot (rank, unit, citizenship, spouse, friend) and an airframe (model, operator),
an operation (hk:Event) with flights as sub-events, each flight with a landing as its own sub-event, pilot,
participants, aircraft used, origin, destination, place and a time-span with xsd:date bounds. Every fact (not
types or labels) gets a statement node (hk:Statement with rdf:subject/predicate/object, hk:source, hk:quote,
hk:status hk:Asserted); every tenth episode adds a contested claim that exists only as a statement node.

Everything is typed so that the data is consistent with the ontology: no individual lands in two disjoint classes
through domain/range typing. Nothing is kept in memory but a few counters, so 5M triples stream in constant memory.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

HK = "https://histkg.example.org/ontology#"
ID = "https://histkg.example.org/id/gen-"
ST = "https://histkg.example.org/statement/gen-"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TYPE = RDF + "type"
LABEL = RDFS + "label"

RANKS = ["lieutenant", "senior-lieutenant", "captain", "major", "lieutenant-colonel", "colonel", "general"]
FAMILY_NAMES = ["Belenko", "Zuyev", "Ivanov", "Tanaka", "Sato", "Smith", "Kowalski", "Novak", "Petrov", "Mori"]
GIVEN_NAMES = ["Viktor", "Aleksandr", "Yuri", "Hiroshi", "Kenji", "John", "Anna", "Maria", "Olga", "Krzysztof"]


class Writer:
    """N-Triples out, one fact at a time, each fact with its statement node."""

    def __init__(self, out: TextIO, rng: random.Random) -> None:
        self.out, self.rng = out, rng
        self.count = 0
        self.statements = 0
        self.documents = 0  # source documents written so far (statements cite one of them)

    def triple(self, s: str, p: str, o: str) -> None:
        """o is already an N-Triples term (an <IRI> or a literal)."""
        self.out.write(f"<{s}> <{p}> {o} .\n")
        self.count += 1

    def entity(self, iri: str, cls: str, label: str) -> None:
        self.triple(iri, TYPE, f"<{HK}{cls}>")
        self.triple(iri, LABEL, f'"{label}"@en')

    def fact(self, s: str, p: str, o: str, quote: str) -> None:
        """A plain fact and its statement node (status asserted, a source document, a quote)."""
        self.triple(s, HK + p, o)
        self.statement(s, p, o, quote, status="Asserted")

    def statement(self, s: str, p: str, o: str, quote: str, status: str, claimant: str | None = None) -> None:
        self.statements += 1
        node = f"{ST}{self.statements}"
        self.triple(node, TYPE, f"<{HK}Statement>")
        self.triple(node, RDF + "subject", f"<{s}>")
        self.triple(node, RDF + "predicate", f"<{HK}{p}>")
        self.triple(node, RDF + "object", o)
        self.triple(node, HK + "source", iri(f"doc-{self.rng.randrange(max(self.documents, 1))}"))
        self.triple(node, HK + "quote", literal(quote))
        self.triple(node, HK + "status", f"<{HK}{status}>")
        if claimant is not None:
            self.triple(node, HK + "claimant", f"<{claimant}>")
            self.triple(node, HK + "assessment", literal("little evidence supports this assertion"))


def iri(local: str) -> str:
    return f"<{ID}{local}>"


def literal(text: str, datatype: str | None = None) -> str:
    return f'"{text}"^^<{XSD}{datatype}>' if datatype else f'"{text}"'


class World:
    """Sizes of the reference data (places, units, models, documents) for a triple budget."""

    def __init__(self, triples: int) -> None:
        scale = max(1, triples // 5000)
        self.countries = min(3 + scale // 4, 150)
        self.regions_per_country, self.cities_per_region, self.airfields_per_city = 3, 3, 2
        self.divisions_per_force, self.regiments_per_division = 3, 3
        self.families = min(2 + scale // 2, 400)
        self.publishers = min(2 + scale // 10, 100)
        self.documents = min(5 + scale * 2, 5000)

    @property
    def airfields(self) -> int:
        return self.countries * self.regions_per_country * self.cities_per_region * self.airfields_per_city

    @property
    def cities(self) -> int:
        return self.countries * self.regions_per_country * self.cities_per_region

    @property
    def regiments(self) -> int:
        return self.countries * self.divisions_per_force * self.regiments_per_division

    def airfield_country(self, airfield: int) -> int:
        per_country = self.regions_per_country * self.cities_per_region * self.airfields_per_city
        return airfield // per_country


def write_places(w: Writer, world: World) -> None:
    city = airfield = region = 0
    for country in range(world.countries):
        c = f"{ID}country-{country}"
        w.entity(c, "Country", f"Country {country}")
        for _ in range(world.regions_per_country):
            r = f"{ID}region-{region}"
            w.entity(r, "Region", f"Region {region}")
            w.fact(r, "locatedIn", f"<{c}>", f"Region {region} lies in Country {country}")
            for _ in range(world.cities_per_region):
                t = f"{ID}city-{city}"
                w.entity(t, "City", f"City {city}")
                w.fact(t, "locatedIn", f"<{r}>", f"the city of City {city}, in Region {region}")
                for _ in range(world.airfields_per_city):
                    a = f"{ID}airfield-{airfield}"
                    w.entity(a, "Airfield", f"Airfield {airfield}")
                    w.fact(a, "locatedIn", f"<{t}>", f"Airfield {airfield} near City {city}")
                    airfield += 1
                city += 1
            region += 1


def write_units(w: Writer, world: World) -> None:
    for country in range(world.countries):
        force = f"{ID}air-force-{country}"
        w.entity(force, "MilitaryUnit", f"Air Force of Country {country}")
        for d in range(world.divisions_per_force):
            division = f"{ID}division-{country}-{d}"
            w.entity(division, "MilitaryUnit", f"Division {d} of Air Force {country}")
            w.fact(division, "subOrganisationOf", f"<{force}>", f"Division {d} was part of the air force")
            for r in range(world.regiments_per_division):
                number = (country * world.divisions_per_force + d) * world.regiments_per_division + r
                regiment = f"{ID}regiment-{number}"
                w.entity(regiment, "MilitaryUnit", f"Regiment {number}")
                w.fact(regiment, "subOrganisationOf", f"<{division}>", f"Regiment {number} belonged to Division {d}")
                per_country = world.airfields // world.countries
                base = country * per_country + w.rng.randrange(per_country)
                w.fact(regiment, "basedAt", iri(f"airfield-{base}"), f"Regiment {number} was based there")
    for p in range(world.publishers):
        w.entity(f"{ID}publisher-{p}", "Organisation", f"Publisher {p}")


def write_models(w: Writer, world: World) -> None:
    for f in range(world.families):
        base = f"{ID}model-{f}"
        w.entity(base, "AircraftModel", f"Model {f}")
        w.triple(base, HK + "natoReportingName", literal(f"Name{f}"))
        if f:
            w.fact(f"{ID}model-{f - 1}", "replacedBy", f"<{base}>", f"Model {f - 1} was replaced by Model {f}")
        for v in range(3):
            variant = f"{ID}model-{f}-{v}"
            w.entity(variant, "AircraftModel", f"Model {f} variant {v}")
            parent = base if v == 0 else f"{ID}model-{f}-{v - 1}"
            w.fact(variant, "variantOf", f"<{parent}>", f"variant {v} was derived from its predecessor")


def write_documents(w: Writer, world: World) -> None:
    for d in range(world.documents):
        doc = f"{ID}doc-{d}"
        w.entity(doc, "Article" if d % 3 else "Book", f"Document {d}")
        w.documents = d + 1
        publisher = d % world.publishers
        w.fact(doc, "publisher", iri(f"publisher-{publisher}"), f"published by Publisher {publisher}")
        w.fact(doc, "publicationDate", literal(f"{1977 + d % 45}-{1 + d % 12:02d}-{1 + d % 28:02d}", "date"),
               "the date of publication")
        if d:
            w.fact(doc, "cites", iri(f"doc-{w.rng.randrange(d)}"), "as explained in an earlier work")


def write_person(w: Writer, world: World, n: int) -> str:
    person = f"{ID}person-{n}"
    name = f"{GIVEN_NAMES[n % len(GIVEN_NAMES)]} {FAMILY_NAMES[(n // 7) % len(FAMILY_NAMES)]} {n}"
    w.entity(person, "Person", name)
    w.fact(person, "rank", iri(f"rank-{RANKS[n % len(RANKS)]}"), f"{name} held this rank")
    w.fact(person, "memberOf", iri(f"regiment-{w.rng.randrange(world.regiments)}"), f"{name} served in the regiment")
    w.fact(person, "citizenOf", iri(f"country-{n % world.countries}"), f"{name} was a citizen")
    if n and n % 5 == 0:
        w.fact(person, "spouse", iri(f"person-{n - 1}"), f"{name} was married")
    if n > 3:
        w.fact(person, "befriended", iri(f"person-{w.rng.randrange(n)}"), f"{name} befriended a fellow pilot")
    if n % 11 == 0:
        w.fact(iri(f"doc-{w.rng.randrange(world.documents)}")[1:-1], "author", f"<{person}>", f"by {name}")
    return person


def write_aircraft(w: Writer, world: World, n: int, operator: str) -> str:
    aircraft = f"{ID}aircraft-{n}"
    w.entity(aircraft, "Aircraft", f"Airframe {n}")
    w.fact(aircraft, "model", iri(f"model-{w.rng.randrange(world.families)}-{w.rng.randrange(3)}"),
           "the airframe was of this variant")
    w.fact(aircraft, "operator", f"<{operator}>", "operated by the regiment")
    return aircraft


def write_time_span(w: Writer, n: int, rng: random.Random) -> str:
    year, month, day = 1950 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28)
    span = f"{ID}ts-{n}"
    w.entity(span, "TimeSpan", f"{day} {month} {year}")
    date = literal(f"{year}-{month:02d}-{day:02d}", "date")
    w.triple(span, HK + "earliest", date)
    w.triple(span, HK + "latest", date)
    w.triple(span, HK + "precision", literal("day"))
    w.triple(span, HK + "dateLabel", literal(f"{year}-{month:02d}-{day:02d}"))
    return span


def write_flight(w: Writer, world: World, n: int, crew: tuple[str, str], aircraft: str, operation: str) -> str:
    rng = w.rng
    flight = f"{ID}flight-{n}"
    w.entity(flight, "Flight", f"Flight {n}")
    origin, destination = rng.randrange(world.airfields), rng.randrange(world.airfields)
    w.fact(flight, "subEventOf", f"<{operation}>", "the flight was part of the operation")
    pilot, other = crew
    w.fact(flight, "pilot", f"<{pilot}>", "he flew it himself")
    w.fact(flight, "aircraftUsed", f"<{aircraft}>", "in this airframe")
    w.fact(flight, "origin", iri(f"airfield-{origin}"), "took off from")
    w.fact(flight, "destination", iri(f"airfield-{destination}"), "headed for")
    w.fact(flight, "participant", f"<{other}>", "with a fellow officer aboard")
    w.fact(flight, "timeSpan", f"<{write_time_span(w, n, rng)}>", "on that day")
    landing = f"{ID}landing-{n}"
    w.entity(landing, "Landing", f"Landing of flight {n}")
    w.fact(landing, "subEventOf", f"<{flight}>", "the landing ended the flight")
    w.fact(landing, "place", iri(f"airfield-{destination}"), "landed at")
    w.fact(flight, "followedBy", f"<{landing}>", "and then landed")
    return flight


def write_episode(w: Writer, world: World, n: int) -> None:
    """One pilot, one airframe, one operation with two flights (each with a landing), sometimes a claim."""
    pilot = write_person(w, world, n)
    aircraft = write_aircraft(w, world, n, f"{ID}regiment-{w.rng.randrange(world.regiments)}")
    operation = f"{ID}operation-{n}"
    w.entity(operation, "Event", f"Operation {n}")
    w.fact(operation, "place", iri(f"city-{w.rng.randrange(world.cities)}"), "the operation was based in")
    w.fact(operation, "custodian", iri(f"air-force-{w.rng.randrange(world.countries)}"), "in the custody of")
    if n:
        w.fact(operation, "subEventOf", iri(f"operation-{w.rng.randrange(n)}"), "as part of a larger campaign")
    for leg in range(2):
        crew = (pilot, f"{ID}person-{w.rng.randrange(n + 1)}")
        write_flight(w, world, 2 * n + leg, crew, aircraft, operation)
    if n % 10 == 0:  # a contested claim: a statement node only, never a plain fact
        w.statement(pilot, "memberOf", iri(f"regiment-{w.rng.randrange(world.regiments)}"),
                    "he had supposedly been recruited", status="Disputed", claimant=f"{ID}air-force-0")


def generate(triples: int, out: TextIO, seed: int = 1976) -> int:
    """Write about `triples` triples (stops at the first episode boundary at or past it); returns the count."""
    w = Writer(out, random.Random(seed))
    world = World(triples)
    for rank in RANKS:
        w.entity(f"{ID}rank-{rank}", "Rank", rank.replace("-", " "))
    write_places(w, world)
    write_units(w, world)
    write_models(w, world)
    write_documents(w, world)
    n = 0
    while w.count < triples:
        write_episode(w, world, n)
        n += 1
    return w.count


def owl_profile() -> Any:
    """bench/generate_owl.py, loaded by path (this file is also loaded by path, from the tests)."""
    spec = importlib.util.spec_from_file_location("generate_owl", Path(__file__).with_name("generate_owl.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        yield out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=5000, help="about how many triples (default 5000)")
    parser.add_argument("--seed", type=int, default=1976)
    parser.add_argument("-o", "--output", type=Path, help="N-Triples file to write (default stdout)")
    parser.add_argument("--profile", choices=["histkg", "owl"], default="histkg",
                        help="histkg's ontology (default) or bench/generate_owl.py's, which uses every OWL 2 RL "
                             "construct (ontology and facts in one file)")
    parser.add_argument("--same-as", type=float, default=0.0, help="owl profile: fraction of individuals in "
                                                                    "owl:sameAs classes")
    args = parser.parse_args(argv)
    with _output(args.output) as out:
        if args.profile == "owl":
            count = owl_profile().generate(args.triples, out, args.seed, args.same_as)
        else:
            count = generate(args.triples, out, args.seed)
    print(f"wrote {count} triples", file=sys.stderr)


if __name__ == "__main__":
    main()
