"""The instance rules of class expressions, keys and functional properties (reasoning.expressions' tables), run by
the engine for each new typing `x a c` and each new triple `x p y`.

Rules whose premises span several triples are re-checked from whichever premise arrives last: cls-avf and
cls-maxc2 on a new typing of x as the restriction or on a new value of x for its property; cls-maxqc3/4 also on a
new typing of a value as the qualifying class; prp-key on a new typing or a new key value. Merges go through the
engine's owl:sameAs emission (reasoning.equality).
"""

from __future__ import annotations

from itertools import product
from typing import TYPE_CHECKING

from service.reasoning.expressions import _NONE, Expressions

if TYPE_CHECKING:
    from service.reasoning.materialise import Emit, Engine, Typed


def joined(expressions: Expressions) -> set[int]:
    """The predicates these rules look up by subject or object."""
    found = set()
    for p, t in expressions.properties.items():
        if t.functional or t.inverse_functional or t.restricted or t.keyed or any(f != _NONE for _, f in t.some):
            found.add(p)
    for c in expressions.classes.values():
        found.update(p for p, _ in c.all_values)
        found.update(p for p, _ in c.max_one)
        found.update(p for _, p in c.qualifies)
        found.update(p for _, p in c.fills)
        found.update(p for keys in c.keys for p in keys)
    return found


class Triggers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.classes = engine.schema.expressions.classes
        self.properties = engine.schema.expressions.properties
        self.supers = engine.schema.class_supers
        self.keys: dict[tuple[int, tuple[int, ...]], dict[tuple[int, ...], int]] = {}

    def typing(self, c: int) -> tuple[int, list[int]]:
        return c, self.supers.get(c, [])

    def values(self, x: int, p: int) -> set[int]:
        engine = self.engine
        return {engine.find(v) for v in engine.by_subject[p].get(x, ())}

    def on_typing(self, x: int, c: int, emit: Emit, typed: Typed) -> None:
        engine, rules = self.engine, self.classes[c]
        for intersection, others in rules.conjunctions:  # cls-int1
            if all(engine.has_type(x, other) for other in others):
                typed(x, self.typing(intersection))
        for restriction, p in rules.fills:  # cls-svf1, x the value
            for u in tuple(engine.by_object[p].get(x, ())):
                typed(u, self.typing(restriction))
        for p, value in rules.has_value:  # cls-hv1
            emit(x, p, value)
        for p, filler in rules.all_values:  # cls-avf
            self.all_values(x, p, filler, typed)
        for p, qualifier in rules.max_one:  # cls-maxc2, cls-maxqc3/4
            self.max_one(x, p, qualifier, emit)
        for restriction, p in rules.qualifies:  # cls-maxqc3/4, x a value of the qualifying class
            for u in tuple(engine.by_object[p].get(x, ())):
                if engine.has_type(engine.find(u), restriction):
                    self.max_one(engine.find(u), p, c, emit)
        for keys in rules.keys:  # prp-key
            self.key(x, c, keys, emit)

    def on_triple(self, s: int, p: int, o: int, emit: Emit, typed: Typed) -> None:
        engine, rules = self.engine, self.properties[p]
        same_as = engine.same_as
        if rules.functional:  # prp-fp
            for y in tuple(engine.by_subject[p].get(s, ())):
                if y != o:
                    emit(o, same_as, y)
        if rules.inverse_functional:  # prp-ifp
            for x in tuple(engine.by_object[p].get(o, ())):
                if x != s:
                    emit(s, same_as, x)
        for restriction, filler in rules.some:  # cls-svf1 (x the subject), cls-svf2
            if filler == _NONE or engine.has_type(o, filler):
                typed(s, self.typing(restriction))
        for restriction, value in rules.value_of:  # cls-hv2
            if engine.find(value) == o:
                typed(s, self.typing(restriction))
        for restriction in rules.restricted:  # cls-avf, cls-maxc2, cls-maxqc3/4 on a new value
            if engine.has_type(s, restriction):
                self.restricted(s, p, restriction, emit, typed)
        for c in rules.keyed:  # prp-key on a new key value
            if engine.has_type(s, c):
                for keys in self.classes[c].keys:
                    if p in keys:
                        self.key(s, c, keys, emit)

    def restricted(self, x: int, p: int, restriction: int, emit: Emit, typed: Typed) -> None:
        rules = self.classes[restriction]
        for q, filler in rules.all_values:
            if q == p:
                self.all_values(x, p, filler, typed)
        for q, qualifier in rules.max_one:
            if q == p:
                self.max_one(x, p, qualifier, emit)

    def all_values(self, x: int, p: int, filler: int, typed: Typed) -> None:
        literal = self.engine.literal
        for v in self.values(x, p):
            if not literal[v]:  # a literal's typing has a literal subject: junk, as owlrl's is filtered
                typed(v, self.typing(filler))

    def max_one(self, x: int, p: int, qualifier: int, emit: Emit) -> None:
        engine = self.engine
        values = sorted(v for v in self.values(x, p) if qualifier == _NONE or engine.has_type(v, qualifier))
        for other in values[1:]:
            emit(values[0], engine.same_as, other)

    def key(self, x: int, c: int, keys: list[int], emit: Emit) -> None:
        """prp-key: members of c with the same values for every key property are the same (every combination of
        values counts, as in the spec; owlrl compares all key properties but the last)."""
        engine = self.engine
        x = engine.find(x)
        columns = [sorted(self.values(x, p)) for p in keys]
        if not all(columns):
            return
        table = self.keys.setdefault((c, tuple(keys)), {})
        for combination in product(*columns):
            other = table.setdefault(combination, x)
            if engine.find(other) != x:
                emit(x, engine.same_as, other)

