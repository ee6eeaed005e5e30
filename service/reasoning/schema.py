"""The schema (TBox) step of the fast materialiser: the scm-* rules, then per-property and per-class rule tables.

OWL 2 Profiles, section 4.3, table 9: scm-cls, scm-sco, scm-eqc1/2, scm-op, scm-dp, scm-spo, scm-eqp1/2,
scm-dom1/2, scm-rng1/2. The schema is small (hundreds of axioms), so it is closed directly; its derived triples are
returned alongside the compiled tables the instance-level fixpoint runs on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.errors import UnsupportedOntology
from service.rdf.namespaces import OWL, RDF, RDFS
from service.reasoning.interning import Interner, Triple

_SCHEMA = {name: RDFS + name for name in ("subClassOf", "subPropertyOf", "domain", "range")} | {
    name: OWL + name for name in ("equivalentClass", "equivalentProperty", "inverseOf", "disjointWith",
                                  "propertyChainAxiom")} | {"first": RDF + "first", "rest": RDF + "rest"}
_TYPES = {name: OWL + name for name in ("Class", "ObjectProperty", "DatatypeProperty", "TransitiveProperty",
                                        "SymmetricProperty")}
# OWL terms that carry no OWL RL rule (annotations, declarations), or only rules whose results are all junk.
_INERT_PREDICATES = {OWL + name for name in ("versionInfo", "priorVersion", "backwardCompatibleWith",
                                             "incompatibleWith", "deprecated", "imports")}
_INERT_TYPES = {OWL + name for name in ("AnnotationProperty", "NamedIndividual", "Ontology", "Thing")}
_TRIVIAL_CLASSES = (OWL + "Thing", RDFS + "Resource")  # typings every resource has; filtered as junk anyway


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
    class_supers: dict[int, list[int]]        # cax-sco, cax-eqc1/2
    disjoint_pairs: list[tuple[int, int]]     # cax-dw, in the direction the axiom is written (as owlrl reports)
    derived: list[Triple]                     # what the scm-* rules add to the graph
    derivable: set[int]                       # predicates some rule can produce (their triples are remembered)
    joined: set[int]                          # predicates a join looks up (indexed by subject and object)
    nothing: int                              # owl:Nothing: a member is an inconsistency (cls-nothing2)

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
        predicates: set[int] = set()
        type_objects: set[int] = set()
        type_id = terms.type_id
        for s, p, o in triples:
            predicates.add(p)
            if p == type_id:
                type_objects.add(o)
                if o in types:
                    self.typed[types[o]].add(s)
            elif p in ids:
                self.pairs[ids[p]].append((s, o))
        _check_supported(terms, predicates, type_objects)
        self.first = dict(self.pairs["first"])
        self.rest = dict(self.pairs["rest"])

    def rdf_list(self, head: int) -> list[int]:
        nil = self.terms.named(RDF + "nil")
        items, node, guard = [], head, 0
        while node != nil and node in self.first and guard < 1000:
            items.append(self.first[node])
            node, guard = self.rest.get(node, nil if nil is not None else -1), guard + 1
        return items


def _check_supported(terms: Interner, predicates: set[int], type_objects: set[int]) -> None:
    known_predicates = set(_SCHEMA.values()) | _INERT_PREDICATES
    known_types = set(_TYPES.values()) | _INERT_TYPES
    bad = {iri for p in predicates if (iri := terms.iri(p)) and iri.startswith(OWL) and iri not in known_predicates}
    bad |= {f"rdf:type {iri}" for o in type_objects
            if (iri := terms.iri(o)) and iri.startswith(OWL) and iri not in known_types}
    if bad:
        raise UnsupportedOntology(bad)


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
    classes = _hierarchy(pairs["subClassOf"], pairs["equivalentClass"], typed["Class"],
                         terms.id(ox.NamedNode(OWL + "Thing")))
    properties = _hierarchy(pairs["subPropertyOf"], pairs["equivalentProperty"], (), None)
    domains, ranges = _typing(pairs["domain"], properties), _typing(pairs["range"], properties)
    trivial = {terms.id(ox.NamedNode(iri)) for iri in _TRIVIAL_CLASSES}
    class_supers = {c: sorted(s - {c} - trivial) for c, s in classes.items() if s - {c} - trivial}

    def typings(roots: set[int]) -> list[Typing]:
        # owl:Thing and rdfs:Resource typings are junk: left out (their own super-classes, if any, stay in).
        roots = {c for root in roots for c in ([root] if root not in trivial else class_supers.get(root, []))}
        return [(c, class_supers.get(c, [])) for c in sorted(roots)]

    rules: dict[int, PropertyRule] = defaultdict(PropertyRule)
    for p, supers in properties.items():
        rules[p].supers = sorted(supers - {p})
    for p, cs in domains.items():
        rules[p].domains = typings(cs)
    for p, cs in ranges.items():
        rules[p].ranges = typings(cs)
    for a, b in pairs["inverseOf"]:
        rules[a].inverses = sorted({*rules[a].inverses, b})
        rules[b].inverses = sorted({*rules[b].inverses, a})
    for p in typed["SymmetricProperty"]:
        rules[p].symmetric = True
    for p in typed["TransitiveProperty"]:
        rules[p].transitive = True
    heads = _chains(axioms, rules)
    derived = _schema_triples(terms, classes, properties, _up(domains, classes), _up(ranges, classes))
    derivable = {terms.type_id, *heads, *(p for _, p, _ in derived)}
    for p, rule in rules.items():
        derivable.update(rule.supers, rule.inverses)
        if rule.symmetric or rule.transitive:
            derivable.add(p)
    joined = {p for p, rule in rules.items() if rule.transitive or rule.first_of or rule.second_of}
    return Schema(properties=dict(rules), derived=derived, derivable=derivable, joined=joined,
                  class_supers=class_supers, nothing=terms.id(ox.NamedNode(OWL + "Nothing")),
                  disjoint_pairs=sorted(set(pairs["disjointWith"])))


def _chains(axioms: _Axioms, rules: dict[int, PropertyRule]) -> set[int]:
    """prp-spo2 for chains of two links, indexed by each link; returns the chain heads."""
    heads = set()
    for head, list_node in axioms.pairs["propertyChainAxiom"]:
        links = axioms.rdf_list(list_node)
        if len(links) != 2:
            raise UnsupportedOntology([f"a property chain of {len(links)} links (only 2 are supported)"])
        first, second = links
        rules[first].first_of.append((second, head))
        rules[second].second_of.append((first, head))
        heads.add(head)
    return heads
