"""Differential fuzzing: the fast materialiser against owlrl on small generated ontologies with data.

Each seed draws a random mix of every construct the fast path implements (sub-classes and -properties,
equivalences, domains, ranges, inverses, symmetric / transitive / functional / inverse-functional / irreflexive /
asymmetric properties, chains of 1-3 links, intersections, unions, oneOf, complementOf, some/all/hasValue
restrictions, max 0/1 cardinalities qualified or not, disjointness, negative assertions, sameAs, differentFrom)
and random facts over a few individuals and literals. Both filtered closures must be equal as sets, or both
reasoners must find the data inconsistent.

Left out of the draw, because owlrl does not follow the spec there (the fast path does; tests/test_materialise.py
checks them against the spec): owl:hasKey (owlrl ignores the last key property), owl:AllDifferent and
owl:AllDisjointProperties (owlrl never compares a list's last member).
"""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from service.errors import InconsistencyError
from service.rdf.namespaces import OWL, RDF, RDF_TYPE, RDFS, XSD
from service.reasoning import reasoner

EX = "https://example.org/f#"
N = ox.NamedNode
# (seed, scale) pairs that once found a difference, kept as regression cases: scm-hv once two values are made the
# same (71, 83), scm-hv/svf/avf reading `p rdfs:subPropertyOf p` only for declared properties (272, 151, 191). Then
# a fixed sweep; a longer hunt raises the range and the scale (more axioms and facts per draw) by hand.
REGRESSIONS = [(71, 3), (83, 3), (272, 1), (151, 2), (191, 2)]
DRAWS = REGRESSIONS + [(seed, 1) for seed in range(30)] + [(seed, 2) for seed in range(30, 40)]


class Draw:
    """One random ontology and its data, as triples."""

    def __init__(self, seed: int, scale: int = 1) -> None:
        self.rng, self.scale = random.Random(seed), scale
        self.contradictions = seed % 2 == 0  # odd seeds leave out the constructs of the "false" rules
        self.triples: list[ox.Triple] = []
        self.blank = 0
        self.classes = [N(f"{EX}C{i}") for i in range(6)]
        self.properties = [N(f"{EX}p{i}") for i in range(5)]
        self.data_property = N(f"{EX}d")
        self.individuals = [N(f"{EX}i{i}") for i in range(7)]

    def add(self, s: ox.NamedNode | ox.BlankNode, p: str | ox.NamedNode,
            o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(s, N(p) if isinstance(p, str) else p, o))

    def node(self) -> ox.BlankNode:
        self.blank += 1
        return ox.BlankNode(f"n{self.blank}")

    def rdf_list(self, items: list[ox.NamedNode]) -> ox.NamedNode | ox.BlankNode:
        head: ox.NamedNode | ox.BlankNode = N(RDF + "nil")
        for item in reversed(items):
            cell = self.node()
            self.add(cell, RDF + "first", item)
            self.add(cell, RDF + "rest", head)
            head = cell
        return head

    def c(self) -> ox.NamedNode:
        return self.rng.choice(self.classes)

    def p(self) -> ox.NamedNode:
        return self.rng.choice(self.properties)

    def i(self) -> ox.NamedNode:
        return self.rng.choice(self.individuals)

    def some(self, items: list[ox.NamedNode], least: int, most: int) -> list[ox.NamedNode]:
        return self.rng.sample(items, self.rng.randint(least, most))

    def restriction(self) -> ox.BlankNode:
        node, rng = self.node(), self.rng
        self.add(node, RDF_TYPE, N(OWL + "Restriction"))
        self.add(node, OWL + "onProperty", self.p())
        kind = rng.choice(["some", "some-thing", "all", "value", "max", "maxq"])
        if kind == "some":
            self.add(node, OWL + "someValuesFrom", self.c())
        elif kind == "some-thing":
            self.add(node, OWL + "someValuesFrom", N(OWL + "Thing"))
        elif kind == "all":
            self.add(node, OWL + "allValuesFrom", self.c())
        elif kind == "value":
            self.add(node, OWL + "hasValue", self.i())
        else:
            count = ox.Literal(str(rng.choice([0, 1, 1] if self.contradictions else [1])),
                               datatype=N(XSD + "nonNegativeInteger"))
            self.add(node, OWL + ("maxCardinality" if kind == "max" else "maxQualifiedCardinality"), count)
            if kind == "maxq":
                self.add(node, OWL + "onClass", self.c())
        return node

    def axiom(self) -> None:
        rng, c, p = self.rng, self.c, self.p
        kind = rng.randrange(22)
        if kind < 3:
            self.add(c(), RDFS + "subClassOf", c())
        elif kind == 3:
            self.add(c(), OWL + "equivalentClass", c())
        elif kind < 6:
            self.add(p(), RDFS + "subPropertyOf", p())
        elif kind == 6:
            self.add(p(), OWL + "equivalentProperty", p())
        elif kind == 7:
            self.add(p(), RDFS + rng.choice(["domain", "range"]), c())
        elif kind == 8:
            self.add(p(), OWL + "inverseOf", p())
        elif kind == 9:
            self.add(p(), RDF_TYPE, N(OWL + rng.choice(
                ["SymmetricProperty", "TransitiveProperty", "FunctionalProperty", "InverseFunctionalProperty",
                 *(["IrreflexiveProperty", "AsymmetricProperty"] if self.contradictions else [])])))
        elif kind == 10:
            self.add(p(), OWL + "propertyChainAxiom", self.rdf_list([p() for _ in range(rng.randint(1, 3))]))
        elif kind in (11, 12):
            expression = self.node()
            self.add(expression, OWL + rng.choice(["intersectionOf", "unionOf"]),
                     self.rdf_list(self.some(self.classes, 2, 3)))
            self.add(expression, RDFS + "subClassOf", c()) if rng.random() < 0.5 else \
                self.add(c(), rng.choice([RDFS + "subClassOf", OWL + "equivalentClass"]), expression)
        elif kind == 13:
            self.add(c(), OWL + "oneOf", self.rdf_list(self.some(self.individuals, 1, 2)))
        elif kind in (14, 15, 16):
            restriction = self.restriction()
            if rng.random() < 0.5:
                self.add(c(), rng.choice([RDFS + "subClassOf", OWL + "equivalentClass"]), restriction)
            else:
                self.add(restriction, RDFS + "subClassOf", c())
        else:
            self.rare(kind)

    def rare(self, kind: int) -> None:
        rng, c, p, i = self.rng, self.c, self.p, self.i
        if not self.contradictions:
            self.add(i(), OWL + "sameAs", i())
        elif kind == 17:
            self.add(c(), OWL + rng.choice(["disjointWith", "complementOf"]), c())
        elif kind == 18:
            self.add(p(), OWL + "propertyDisjointWith", p())
        elif kind == 19:
            node = self.node()
            self.add(node, RDF_TYPE, N(OWL + "AllDisjointClasses"))
            self.add(node, OWL + "members", self.rdf_list(self.some(self.classes, 2, 2)))
        elif kind == 20:
            node = self.node()
            self.add(node, RDF_TYPE, N(OWL + "NegativePropertyAssertion"))
            self.add(node, OWL + "sourceIndividual", i())
            self.add(node, OWL + "assertionProperty", p())
            self.add(node, OWL + "targetIndividual", i())
        else:
            self.add(i(), OWL + rng.choice(["sameAs", "differentFrom"]), i())

    def fact(self) -> None:
        rng = self.rng
        kind = rng.randrange(6)
        if kind < 3:
            self.add(self.i(), self.p(), self.i())
        elif kind < 5:
            self.add(self.i(), RDF_TYPE, self.c())
        else:
            self.add(self.i(), self.data_property, ox.Literal(rng.choice(["a", "b"])))

    def draw(self) -> list[ox.Triple]:
        for _ in range(self.rng.randint(3, 12) * self.scale):
            self.axiom()
        for _ in range(self.rng.randint(4, 16) * self.scale):
            self.fact()
        return self.triples


def outcome(materialise: object, triples: list[ox.Triple]) -> set[ox.Triple] | str:
    try:
        return set(materialise(triples, []))  # type: ignore[operator]
    except InconsistencyError:
        return "inconsistent"


@pytest.mark.parametrize(("seed", "scale"), DRAWS)
def test_fast_path_matches_owlrl(seed: int, scale: int) -> None:
    triples = Draw(seed, scale).draw()
    reference = outcome(reasoner.materialise, triples)
    fast = outcome(reasoner.materialise_fast, triples)
    if isinstance(reference, str) or isinstance(fast, str):
        assert reference == fast, f"seed {seed}: owlrl {reference if isinstance(reference, str) else 'consistent'}"
        return
    missing, extra = sorted(map(str, reference - fast)), sorted(map(str, fast - reference))
    assert not missing and not extra, (seed, missing[:8], extra[:8])
