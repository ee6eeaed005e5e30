"""The "false" rules of OWL 2 RL, checked on the fast materialiser's fixpoint, worded as owlrl words them.

cax-dw, cax-adc, cls-nothing2, cls-com, cls-maxc1, cls-maxqc1/2, prp-irp, prp-asyp, prp-pdw, prp-adp, prp-npa1/2,
eq-diff1/2/3. Where owlrl skips cases the spec has (prp-adp and eq-diff2/3 never compare a list's last member), the
spec is followed. Individuals are named with every member of their equality class.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from service.reasoning.equality import MASK
from service.reasoning.expressions import _NONE
from service.reasoning.interning import BITS

if TYPE_CHECKING:
    from service.reasoning.materialise import Engine
    from service.reasoning.schema import Schema


def tracked_classes(schema: Schema) -> set[int]:
    """The classes whose members the checks read (kept up to date as typings arrive)."""
    pairs, tracked = schema.pairs, {schema.nothing, *schema.disjoint}
    tracked.update(c for pair in pairs["complementOf"] for c in pair)
    for node in schema.typed["AllDisjointClasses"]:
        for _, head in _objects(pairs["members"], node):
            tracked.update(schema.rdf_list(head))
    tracked.update(r.node for r in schema.expressions.restrictions if r.kind.startswith("max") and r.value == 0)
    return tracked


def schema_terms(engine: Engine) -> set[int]:
    """Terms whose equality changes the compiled schema (reasoning.equality.touches): properties used, classes with
    rules, restriction values."""
    schema, ex = engine.schema, engine.schema.expressions
    return {p for p in engine.seen if p != engine.type_id} | set(schema.class_supers) | set(ex.classes) | \
        set(engine.members) | set(schema.properties) | set(ex.properties) | \
        {r.value for r in ex.restrictions if r.kind == "hasValue"}


def _objects(pairs: list[tuple[int, int]], subject: int) -> list[tuple[int, int]]:
    return [(s, o) for s, o in pairs if s == subject]


def _by_subject(pairs: list[tuple[int, int]]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for s, o in pairs:
        found.setdefault(s, []).append(o)
    return found


def inconsistencies(engine: Engine) -> list[str]:
    return sorted(set(_classes(engine)) | set(_properties(engine)) | set(_equality(engine)))


def _name(engine: Engine, x: int) -> str:
    members = engine.equality.members(x) if engine.equality is not None else [x]
    return ", ".join(sorted(engine.terms.text(m) for m in members))


def _members(engine: Engine, c: int) -> set[int]:
    return {engine.find(x) for x in engine.members.get(c, ())}


def _classes(engine: Engine) -> Iterator[str]:
    schema, text = engine.schema, engine.terms.text
    for x in sorted(_members(engine, schema.nothing)):
        yield f"{_name(engine, x)} is defined of type 'Nothing'"
    disjoint = list(schema.disjoint_pairs)
    for node in schema.typed["AllDisjointClasses"]:
        for _, head in _objects(schema.pairs["members"], node):
            disjoint += list(combinations(schema.rdf_list(head), 2))
    for c1, c2 in disjoint:
        for x in sorted(_members(engine, c1) & _members(engine, c2)):
            yield f"Disjoint classes {text(c1)} and {text(c2)} have a common individual {_name(engine, x)}"
    for c1, c2 in schema.pairs["complementOf"]:
        for x in sorted(_members(engine, c1) & _members(engine, c2)):
            yield f"Violation of complementarity for classes {text(c1)} and {text(c2)} on element {_name(engine, x)}"
    for r in schema.expressions.restrictions:
        if r.kind.startswith("max") and r.value == 0:
            for u in sorted(_members(engine, r.node)):
                for y in sorted(engine.find(v) for v in _values(engine, u, r.on)):
                    qualifier = r.qualifier if r.qualifier != schema.thing else _NONE
                    if qualifier == _NONE or engine.has_type(y, qualifier):
                        yield f"Erroneous usage of maximum cardinality with {text(r.node)} and {_name(engine, y)}"


def _values(engine: Engine, x: int, p: int) -> Iterator[int]:
    keys = engine.seen.get(p, set())
    if p in engine.by_subject:
        yield from engine.by_subject[p].get(x, ())
        return
    yield from (key & MASK for key in keys if key >> BITS == x)


def _pairs(engine: Engine, p: int) -> set[tuple[int, int]]:
    find = engine.find
    return {(find(key >> BITS), find(key & MASK)) for key in engine.seen.get(p, ())}


def _properties(engine: Engine) -> Iterator[str]:
    schema, text = engine.schema, engine.terms.text
    for p in sorted(schema.typed["IrreflexiveProperty"]):
        for x, y in sorted(_pairs(engine, p)):
            if x == y:
                yield f"Irreflexive property used on {_name(engine, x)} with {text(p)}"
    for p in sorted(schema.typed["AsymmetricProperty"]):
        pairs = _pairs(engine, p)
        for x, y in sorted(pairs):
            if (y, x) in pairs:
                yield f"Erroneous usage of asymmetric property {text(p)} on {_name(engine, x)} and {_name(engine, y)}"
    disjoint = list(schema.pairs["propertyDisjointWith"])
    for node in schema.typed["AllDisjointProperties"]:
        for _, head in _objects(schema.pairs["members"], node):
            disjoint += list(combinations(schema.rdf_list(head), 2))
    for p1, p2 in disjoint:
        for x, y in sorted(_pairs(engine, p1) & _pairs(engine, p2)):
            yield (f"Erroneous usage of disjoint properties {text(p1)} and {text(p2)} on {_name(engine, x)} and "
                   f"{_name(engine, y)}")
    yield from _negative_assertions(engine)


def _negative_assertions(engine: Engine) -> Iterator[str]:
    """prp-npa1/2, by lookups: a triple over representatives is stored (the rules rewrite every triple on a merge)."""
    pairs, find, text = engine.schema.pairs, engine.find, engine.terms.text
    by_node = {kind: _by_subject(pairs[kind]) for kind in ("assertionProperty", "targetIndividual", "targetValue")}
    for node, source in pairs["sourceIndividual"]:
        for p in by_node["assertionProperty"].get(node, ()):
            held = engine.seen.get(p, set())
            for kind, target_kind in (("object", "targetIndividual"), ("datatype", "targetValue")):
                for target in by_node[target_kind].get(node, ()):
                    if (find(source) << BITS | find(target)) in held:
                        yield (f"Negative ({kind}) property assertion violated for: ({text(source)}, {text(p)}, "
                               f"{text(target)})")


def _equality(engine: Engine) -> Iterator[str]:
    pairs, find, text, schema = engine.schema.pairs, engine.find, engine.terms.text, engine.schema
    for x, y in pairs["differentFrom"]:
        if find(x) == find(y):
            yield (f"'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: "
                   f"({text(x)}, {text(y)})")
    for node in schema.typed["AllDifferent"]:
        for _, head in [*_objects(pairs["members"], node), *_objects(pairs["distinctMembers"], node)]:
            for x, y in combinations(schema.rdf_list(head), 2):
                if x != y and find(x) == find(y):
                    yield (f"'sameAs' and 'AllDifferent' cannot be used on the same subject-object pair: "
                           f"({text(x)}, {text(y)})")
