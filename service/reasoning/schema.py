"""The schema (TBox) step of the fast materialiser: the scm-* rules, then per-property and per-class rule tables.

OWL 2 Profiles, section 4.3, table 9: scm-cls, scm-sco, scm-eqc1/2, scm-op, scm-dp, scm-spo, scm-eqp1/2,
scm-dom1/2, scm-rng1/2. The schema is small (hundreds of axioms), so it is closed directly; its derived triples are
returned alongside the compiled tables the instance-level fixpoint runs on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.rdf.namespaces import OWL, RDF, RDFS
from service.reasoning.expressions import Expressions, Restriction, compile_expressions
from service.reasoning.interning import Interner, Triple

_SCHEMA = {name: RDFS + name for name in ("subClassOf", "subPropertyOf", "domain", "range")} | {
    name: OWL + name for name in (
        "equivalentClass", "equivalentProperty", "inverseOf", "disjointWith", "propertyChainAxiom",
        "intersectionOf", "unionOf", "complementOf", "someValuesFrom", "allValuesFrom", "hasValue", "onProperty",
        "onClass", "maxCardinality", "maxQualifiedCardinality", "oneOf", "hasKey", "members", "distinctMembers",
        "propertyDisjointWith", "sameAs", "differentFrom", "sourceIndividual", "assertionProperty",
        "targetIndividual", "targetValue")} | {"first": RDF + "first", "rest": RDF + "rest"}
_TYPES = {name: OWL + name for name in (
    "Class", "ObjectProperty", "DatatypeProperty", "TransitiveProperty", "SymmetricProperty", "FunctionalProperty",
    "InverseFunctionalProperty", "IrreflexiveProperty", "AsymmetricProperty", "AllDisjointClasses",
    "AllDisjointProperties", "AllDifferent")}
_TRIVIAL_CLASSES = (OWL + "Thing", RDFS + "Resource")  # typings every resource has; filtered as junk anyway
# OWL terms with no OWL 2 RL rule in owlrl (owl:cardinality, owl:minCardinality, owl:ReflexiveProperty, annotations,
# declarations, datatype restrictions) are read as plain triples, as owlrl reads them: nothing is refused.


# A class and all its super-classes: the typing of a domain or range. An individual that already has the class has
# the super-classes too (or gets them in round 0 by cax-sco, when the class was asserted), so they need no check.
Typing = tuple[int, list[int]]


@dataclass
class PropertyRule:
    """Everything the instance rules do with one triple `s p o`, for one p."""

    supers: list[int] = field(default_factory=list)      # prp-spo1, prp-eqp1/2: s q o
    domains: list[Typing] = field(default_factory=list)  # prp-dom (with scm-dom1/2, cax-sco): s a c
    ranges: list[Typing] = field(default_factory=list)   # prp-rng (with scm-rng1/2, cax-sco): o a c
    inverses: list[int] = field(default_factory=list)    # prp-inv1/2: o q s
    symmetric: bool = False                              # prp-symp: o p s
    transitive: bool = False                             # prp-trp: joined both ways
    first_of: list[tuple[int, int]] = field(default_factory=list)   # prp-spo2, p is link 1: (link 2, head)
    second_of: list[tuple[int, int]] = field(default_factory=list)  # prp-spo2, p is link 2: (link 1, head)


@dataclass
class Schema:
    properties: dict[int, PropertyRule]
    class_supers: dict[int, list[int]]        # cax-sco, cax-eqc1/2, cls-int2, cls-uni (via scm-int, scm-uni)
    disjoint_pairs: list[tuple[int, int]]     # cax-dw, in the direction the axiom is written (as owlrl reports)
    derived: list[Triple]                     # what the scm-* rules (and cls-oo) add to the graph
    expressions: Expressions                  # class expressions, keys, functional properties
    nothing: int                              # owl:Nothing: a member is an inconsistency (cls-nothing2)
    hidden: set[int]                          # the links of property chains longer than two: never written out
    pairs: dict[str, list[tuple[int, int]]]   # the schema's triples by kind (for reasoning.checks)
    typed: dict[str, set[int]]
    rdf_list: Callable[[int], list[int]]
    thing: int

    @property
    def disjoint(self) -> set[int]:
        return {c for pair in self.disjoint_pairs for c in pair}


class _Axioms:
    """The schema triples of the input, by kind."""

    def __init__(self, triples: list[Triple], terms: Interner) -> None:
        self.terms = terms
        ids = {terms.named(iri): name for name, iri in _SCHEMA.items()}
        types = {terms.named(iri): name for name, iri in _TYPES.items()}
        self.pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.typed: dict[str, set[int]] = defaultdict(set)
        type_id = terms.type_id
        for s, p, o in triples:
            if p == type_id:
                if o in types:
                    self.typed[types[o]].add(s)
            elif p in ids:
                self.pairs[ids[p]].append((s, o))
        self.first = dict(self.pairs["first"])
        self.rest = dict(self.pairs["rest"])

    def rdf_list(self, head: int) -> list[int]:
        nil = self.terms.named(RDF + "nil")
        items, node, seen = [], head, set()
        while node != nil and node in self.first and node not in seen:  # a cyclic list ends where it loops
            seen.add(node)
            items.append(self.first[node])
            node = self.rest.get(node, nil if nil is not None else -1)
        return items


def _closure(edges: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    """Reflexive-transitive closure: node -> every node reachable from it (itself included)."""
    graph: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
        graph.setdefault(b, set())
    reach: dict[int, set[int]] = {}
    for start in graph:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reach[start] = seen
    return reach


def _hierarchy(asserted: list[tuple[int, int]], equivalent: list[tuple[int, int]],
               declared: Iterable[int], top: int | None) -> dict[int, set[int]]:
    """scm-sco / scm-spo with scm-eqc1 / scm-eqp1 (equivalence as sub-* both ways) and scm-cls (c below top)."""
    edges = [*asserted, *equivalent, *((b, a) for a, b in equivalent)]
    if top is not None:
        edges += [(c, top) for c in declared]
    return _closure(edges)


def _typing(asserted: list[tuple[int, int]], property_supers: dict[int, set[int]]) -> dict[int, set[int]]:
    """scm-dom2 (or scm-rng2): a property's own classes and its super-properties' (not yet closed by scm-dom1)."""
    own: dict[int, set[int]] = defaultdict(set)
    for p, c in asserted:
        own[p].add(c)
    result: dict[int, set[int]] = {}
    for p in set(own) | set(property_supers):
        if classes := {c for q in property_supers.get(p, {p}) for c in own.get(q, ())}:
            result[p] = classes
    return result


def _up(table: dict[int, set[int]], class_supers: dict[int, set[int]]) -> dict[int, set[int]]:
    """scm-dom1 (or scm-rng1): closed under super-classes."""
    return {p: {sup for c in cs for sup in class_supers.get(c, {c})} for p, cs in table.items()}


def _schema_triples(terms: Interner, classes: dict[int, set[int]], properties: dict[int, set[int]],
                    domains: dict[int, set[int]], ranges: dict[int, set[int]]) -> list[Triple]:
    """What the scm-* rules write: sub-class/-property pairs, equivalences (scm-eqc2/eqp2), domains, ranges."""
    def ids(*names: str) -> list[int]:
        return [terms.id(ox.NamedNode(name)) for name in names]

    sco, spo, eqc, eqp, dom, rng = ids(RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass",
                                       OWL + "equivalentProperty", RDFS + "domain", RDFS + "range")
    out: list[Triple] = []
    for hierarchy, sub, equivalent in ((classes, sco, eqc), (properties, spo, eqp)):
        for a, supers in hierarchy.items():
            out += [(a, sub, b) for b in supers if b != a]
            out += [(a, equivalent, b) for b in supers if b != a and a in hierarchy.get(b, ())]
    for table, predicate in ((domains, dom), (ranges, rng)):
        out += [(p, predicate, c) for p, cs in table.items() for c in cs]
    return out


def compile_schema(triples: list[Triple], terms: Interner) -> Schema:
    """Close the schema and compile it into the tables the instance-level rules read."""
    axioms = _Axioms(triples, terms)
    pairs, typed = axioms.pairs, axioms.typed
    thing = terms.id(ox.NamedNode(OWL + "Thing"))
    expressions = compile_expressions(pairs, typed, axioms.rdf_list, terms.terms.__getitem__, thing)
    properties = _hierarchy(pairs["subPropertyOf"], pairs["equivalentProperty"], (), None)
    classes = _class_hierarchy(pairs, typed, expressions, properties, thing)
    domains, ranges = _typing(pairs["domain"], properties), _typing(pairs["range"], properties)
    trivial = {terms.id(ox.NamedNode(iri)) for iri in _TRIVIAL_CLASSES}
    class_supers = {c: sorted(s - {c} - trivial) for c, s in classes.items() if s - {c} - trivial}

    def typings(roots: set[int]) -> list[Typing]:
        # owl:Thing and rdfs:Resource typings are junk: left out (their own super-classes, if any, stay in).
        roots = {c for root in roots for c in ([root] if root not in trivial else class_supers.get(root, []))}
        return [(c, class_supers.get(c, [])) for c in sorted(roots)]

    rules = _property_rules(pairs, typed, properties)
    for p, cs in domains.items():
        rules[p].domains = typings(cs)
    for p, cs in ranges.items():
        rules[p].ranges = typings(cs)
    hidden = _chains(axioms, rules, terms)
    derived = _schema_triples(terms, classes, properties, _up(domains, classes), _up(ranges, classes))
    derived += [(i, terms.type_id, c) for i, c in expressions.one_of]  # cls-oo
    if expressions.equality:  # scm-cls, scm-op, scm-dp's reflexive triples: junk, unless equality rewrites them
        derived += _reflexive(terms, typed)
    return Schema(properties=dict(rules), derived=derived, class_supers=class_supers, expressions=expressions,
                  nothing=terms.id(ox.NamedNode(OWL + "Nothing")), hidden=hidden,
                  disjoint_pairs=sorted(set(pairs["disjointWith"])), pairs=pairs, typed=typed,
                  rdf_list=axioms.rdf_list, thing=thing)


def _reflexive(terms: Interner, typed: dict[str, set[int]]) -> list[Triple]:
    sco, eqc, spo, eqp = (terms.id(ox.NamedNode(iri)) for iri in (
        RDFS + "subClassOf", OWL + "equivalentClass", RDFS + "subPropertyOf", OWL + "equivalentProperty"))
    out = [(c, p, c) for c in sorted(typed["Class"]) for p in (sco, eqc)]
    properties = typed["ObjectProperty"] | typed["DatatypeProperty"]
    return out + [(q, p, q) for q in sorted(properties) for p in (spo, eqp)]


def _property_rules(pairs: dict[str, list[tuple[int, int]]], typed: dict[str, set[int]],
                    properties: dict[int, set[int]]) -> dict[int, PropertyRule]:
    rules: dict[int, PropertyRule] = defaultdict(PropertyRule)
    for p, supers in properties.items():
        rules[p].supers = sorted(supers - {p})
    for a, b in pairs["inverseOf"]:
        rules[a].inverses = sorted({*rules[a].inverses, b})
        rules[b].inverses = sorted({*rules[b].inverses, a})
    for p in typed["SymmetricProperty"]:
        rules[p].symmetric = True
    for p in typed["TransitiveProperty"]:
        rules[p].transitive = True
    return rules


def _class_hierarchy(pairs: dict[str, list[tuple[int, int]]], typed: dict[str, set[int]], expressions: Expressions,
                     properties: dict[int, set[int]], thing: int) -> dict[int, set[int]]:
    """scm-sco, scm-eqc1/2, scm-cls with scm-int and scm-uni, then scm-hv, scm-svf1/2, scm-avf1/2 (which read the
    closed hierarchies) until they add nothing."""
    edges = [*pairs["subClassOf"], *expressions.sub_class_edges]
    while True:
        classes = _hierarchy(edges, pairs["equivalentClass"], typed["Class"], thing)
        more = set(_restriction_edges(expressions.restrictions, classes, properties, _reflexive_terms(pairs, typed,
                                                                                                     thing)))
        more -= set(edges)
        if not more:
            return classes
        edges += sorted(more)


def _reflexive_terms(pairs: dict[str, list[tuple[int, int]]], typed: dict[str, set[int]], thing: int) -> set[int]:
    """The classes and properties owlrl holds sub-classes (sub-properties) of themselves: declared ones (scm-cls,
    scm-op, scm-dp), owl:Thing, and those asserted so. scm-hv/svf/avf read these triples."""
    asserted = {a for a, b in [*pairs["subClassOf"], *pairs["subPropertyOf"]] if a == b}
    return typed["Class"] | typed["ObjectProperty"] | typed["DatatypeProperty"] | asserted | {thing}


def _restriction_edges(restrictions: list[Restriction], classes: dict[int, set[int]],
                       properties: dict[int, set[int]], reflexive: set[int]) -> Iterator[tuple[int, int]]:
    def below(a: int, b: int, hierarchy: dict[int, set[int]]) -> bool:
        return a in reflexive if a == b else b in hierarchy.get(a, ())

    for kind in ("hasValue", "someValuesFrom", "allValuesFrom"):
        of_kind = [r for r in restrictions if r.kind == kind]
        for r1 in of_kind:
            for r2 in of_kind:
                if r1.node == r2.node:
                    continue
                if r1.value == r2.value and below(r1.on, r2.on, properties):  # scm-hv, scm-svf2, scm-avf2
                    yield (r2.node, r1.node) if kind == "allValuesFrom" else (r1.node, r2.node)
                if kind != "hasValue" and r1.on == r2.on and below(r1.value, r2.value, classes):  # scm-svf1/avf1
                    yield r1.node, r2.node


def _chains(axioms: _Axioms, rules: dict[int, PropertyRule], terms: Interner) -> set[int]:
    """prp-spo2 for chains of any length: (p1 ... pn) is folded into links of two, p1 o p2 -> h1, h1 o p3 -> h2,
    ..., through hidden predicates (never written out); a chain of one link is a sub-property. Returns the hidden
    predicates."""
    hidden = set()
    for head, list_node in axioms.pairs["propertyChainAxiom"]:
        links = axioms.rdf_list(list_node)
        if len(links) == 1:
            rules[links[0]].supers = sorted({*rules[links[0]].supers, head} - {links[0]})
            continue
        left = links[0] if links else None
        for index, link in enumerate(links[1:], start=2):
            target = head if index == len(links) else terms.id(ox.NamedNode(f"{_HIDDEN}{head}/{index}"))
            if target != head:
                hidden.add(target)
            assert left is not None
            rules[left].first_of.append((link, target))
            rules[link].second_of.append((left, target))
            left = target
    return hidden


_HIDDEN = "urn:x-histkg:chain-link/"
