"""Class expressions and property characteristics of the schema, compiled into what one new triple triggers.

OWL 2 Profiles, section 4.3, tables 5 and 6, as owlrl runs them: a new typing `x a c` triggers cls-int1 (c is a
conjunct), cls-svf1 (c is a filler), cls-avf, cls-hv1, cls-maxc2, cls-maxqc3/4 (x is in a restriction), prp-key
(c has a key); a new triple `x p y` triggers prp-fp, prp-ifp, cls-svf1/2, cls-hv2 and re-checks the restrictions on
p that x is in (cls-avf, cls-maxc2, cls-maxqc3/4, prp-key). cls-int2 and cls-uni are super-classes (scm-int and
scm-uni put them in the class hierarchy), cls-oo is a set of typings. The "false" rules are read by
reasoning.checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

_NONE = -1  # no class (an unqualified cardinality restriction)


@dataclass
class ClassTriggers:
    """What a new typing `x a c` does, for one c."""

    conjunctions: list[tuple[int, list[int]]] = field(default_factory=list)  # cls-int1: (intersection, others)
    fills: list[tuple[int, int]] = field(default_factory=list)        # cls-svf1, c a filler: (restriction, p)
    all_values: list[tuple[int, int]] = field(default_factory=list)   # cls-avf, c a restriction: (p, filler)
    has_value: list[tuple[int, int]] = field(default_factory=list)    # cls-hv1: (p, value)
    max_one: list[tuple[int, int]] = field(default_factory=list)      # cls-maxc2/maxqc3/4: (p, class or _NONE)
    qualifies: list[tuple[int, int]] = field(default_factory=list)    # maxqc3/4, c the onClass: (restriction, p)
    keys: list[list[int]] = field(default_factory=list)               # prp-key: the key's properties


@dataclass
class PropertyTriggers:
    """What a new triple `x p y` does beyond the rules of schema.PropertyRule, for one p."""

    functional: bool = False                                          # prp-fp
    inverse_functional: bool = False                                  # prp-ifp
    some: list[tuple[int, int]] = field(default_factory=list)         # cls-svf1/2: (restriction, filler or _NONE)
    value_of: list[tuple[int, int]] = field(default_factory=list)     # cls-hv2: (restriction, value)
    restricted: list[int] = field(default_factory=list)               # restrictions on p: re-check x (avf, maxc)
    keyed: list[int] = field(default_factory=list)                    # classes p is a key property of


@dataclass
class Restriction:
    node: int
    on: int                 # owl:onProperty
    kind: str               # someValuesFrom, allValuesFrom, hasValue, maxCardinality, maxQualifiedCardinality
    value: int              # the filler, value, or cardinality (an int for the cardinalities)
    qualifier: int = _NONE  # owl:onClass


@dataclass
class Expressions:
    classes: dict[int, ClassTriggers]
    properties: dict[int, PropertyTriggers]
    restrictions: list[Restriction]
    one_of: list[tuple[int, int]]           # cls-oo: (individual, class)
    sub_class_edges: list[tuple[int, int]]  # scm-int, scm-uni: (sub, super)
    equality: bool                          # some rule can make two individuals the same


def _cardinality(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> int | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return int(term.value)
    except ValueError:
        return None


def restrictions(pairs: dict[str, list[tuple[int, int]]], term: Callable[[int], object]) -> list[Restriction]:
    """Every owl:onProperty node with the facet that makes it a restriction owlrl has rules for."""
    on: dict[int, list[int]] = defaultdict(list)
    for node, prop in pairs["onProperty"]:
        on[node].append(prop)
    on_class = dict(pairs["onClass"])
    found = []
    for kind in ("someValuesFrom", "allValuesFrom", "hasValue"):
        found += [Restriction(node, p, kind, value) for node, value in pairs[kind] for p in on.get(node, ())]
    for kind in ("maxCardinality", "maxQualifiedCardinality"):
        for node, literal in pairs[kind]:
            count = _cardinality(term(literal))  # type: ignore[arg-type]
            if count in (0, 1):
                qualifier = on_class.get(node, _NONE) if kind == "maxQualifiedCardinality" else _NONE
                if kind == "maxQualifiedCardinality" and node not in on_class:
                    continue  # owlrl's rules need owl:onClass
                found += [Restriction(node, p, kind, count, qualifier) for p in on.get(node, ())]
    return found


def compile_expressions(pairs: dict[str, list[tuple[int, int]]], typed: dict[str, set[int]],
                        rdf_list: Callable[[int], list[int]], term: Callable[[int], object],
                        thing: int) -> Expressions:
    classes: dict[int, ClassTriggers] = defaultdict(ClassTriggers)
    props: dict[int, PropertyTriggers] = defaultdict(PropertyTriggers)
    edges: list[tuple[int, int]] = []
    for c, head in pairs["intersectionOf"]:
        members = rdf_list(head)
        edges += [(c, m) for m in members]
        for m in set(members):
            classes[m].conjunctions.append((c, [o for o in members if o != m]))
    for c, head in pairs["unionOf"]:
        edges += [(m, c) for m in rdf_list(head)]
    found = restrictions(pairs, term)
    for r in found:
        _restriction_triggers(r, classes, props, thing)
    for c, head in pairs["hasKey"]:
        keys = rdf_list(head)
        if keys:
            classes[c].keys.append(keys)
            for p in set(keys):
                props[p].keyed.append(c)
    for p in typed["FunctionalProperty"]:
        props[p].functional = True
    for p in typed["InverseFunctionalProperty"]:
        props[p].inverse_functional = True
    one_of = [(i, c) for c, head in pairs["oneOf"] for i in rdf_list(head)]
    equality = bool(pairs["sameAs"] or typed["FunctionalProperty"] or typed["InverseFunctionalProperty"]
                    or pairs["hasKey"] or any(r.kind.startswith("max") and r.value == 1 for r in found))
    return Expressions(dict(classes), dict(props), found, one_of, edges, equality)


def _restriction_triggers(r: Restriction, classes: dict[int, ClassTriggers], props: dict[int, PropertyTriggers],
                          thing: int) -> None:
    if r.kind == "someValuesFrom":
        props[r.on].some.append((r.node, _NONE if r.value == thing else r.value))
        if r.value != thing:
            classes[r.value].fills.append((r.node, r.on))
    elif r.kind == "allValuesFrom":
        classes[r.node].all_values.append((r.on, r.value))
        props[r.on].restricted.append(r.node)
    elif r.kind == "hasValue":
        classes[r.node].has_value.append((r.on, r.value))
        props[r.on].value_of.append((r.node, r.value))
    elif r.value == 1:  # max 1, qualified or not; max 0 is a check (reasoning.checks)
        qualifier = _NONE if r.qualifier == thing else r.qualifier
        classes[r.node].max_one.append((r.on, qualifier))
        props[r.on].restricted.append(r.node)
        if qualifier != _NONE:
            classes[qualifier].qualifies.append((r.node, r.on))

