"""Fast OWL 2 RL materialisation, every rule of the OWL 2 RL/RDF rules that owlrl runs, semi-naive over integers.

The reference reasoner is owlrl (reasoning.reasoner); it walks every triple of the graph through every rule in every
round and takes minutes at 50k triples. This one does the same work in two steps:

1. The schema (TBox) is closed once, in Python (reasoning.schema: the scm-* rules of OWL 2 Profiles section 4.3,
   table 9, scm-int/uni/hv/svf/avf included) and compiled into one rule table per property (super-properties,
   inverses, symmetric, transitive, domains, ranges, property chains of any length as links of two) and per class
   (super-classes), plus the triggers of class expressions, keys and functional properties
   (reasoning.expressions).
2. The instance level is run to a fixpoint semi-naively: every triple is pushed through the rules exactly once, when
   it is new, and joins only look it up against the indexes of everything known so far (reasoning.triggers for
   cls-*, prp-fp/ifp, prp-key). Equality is a union-find (reasoning.equality): rules see representatives only and
   the closure is expanded to every member when written. The "false" rules (cax-dw/adc, cls-nothing2, cls-com,
   cls-maxc1, cls-maxqc1/2, prp-irp/asyp/pdw/adp/npa1/2, eq-diff1/2/3) are checked on the fixpoint
   (reasoning.checks), and dt-not-type on the input's literals first (service.rdf.xsd).

Terms are interned as integers; a triple is known by predicate -> set of (subject << 32 | object); subject/object
indexes are kept only for predicates a join reads. The result is the set of derived triples (input excluded), not
yet junk filtered: reasoning.reasoner applies the same filter as for owlrl. Triples owlrl derives only to drop them
as junk (owl:Thing and rdfs:Resource typings, literal subjects, reflexive sameAs) are not derived here at all.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from service.errors import InconsistencyError, UnsupportedOntology
from service.rdf import xsd
from service.rdf.namespaces import OWL
from service.reasoning import triggers
from service.reasoning.checks import inconsistencies, schema_terms, tracked_classes
from service.reasoning.equality import Equality
from service.reasoning.interning import BITS, Interner, Triple
from service.reasoning.schema import PropertyRule, Schema, Typing, compile_schema

log = logging.getLogger(__name__)

__all__ = ["Engine", "ill_typed", "literals_of", "materialise", "paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Millions of small tuples make Python's cyclic collector rescan the heap over and over (a third of the time
    at 500k triples); none of them form cycles, so it is paused while they are built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Emit = Callable[[int, int, int], None]
Typed = Callable[[int, Typing], None]


class Engine:
    """The instance-level fixpoint over interned triples, driven by the compiled schema."""

    def __init__(self, schema: Schema, terms: Interner) -> None:
        self.schema, self.terms = schema, terms
        self.type_id = terms.type_id
        self.same_as = terms.id(ox.NamedNode(OWL + "sameAs"))
        self.literal = terms.literal
        self.seen: dict[int, set[int]] = defaultdict(set)
        joined = {p for p, r in schema.properties.items() if r.transitive or r.first_of or r.second_of}
        joined |= triggers.joined(schema.expressions)
        self.by_subject: dict[int, dict[int, set[int]]] = {p: {} for p in joined}
        self.by_object: dict[int, dict[int, set[int]]] = {p: {} for p in joined}
        self.members: dict[int, set[int]] = {c: set() for c in tracked_classes(schema)}
        self.equality = Equality(terms.literal) if schema.expressions.equality else None
        self.derived: list[Triple] = []
        self.rules = {p: _compiled(p, rule) for p, rule in schema.properties.items()}
        self.triggers = triggers.Triggers(self)

    def find(self, term: int) -> int:
        return self.equality.find(term) if self.equality is not None else term

    def has_type(self, x: int, c: int) -> bool:
        return (x << BITS | c) in self.seen[self.type_id]

    def run(self, asserted: list[Triple]) -> list[Triple]:
        """Derive everything; returns the derived triples (asserted ones excluded, not expanded to equals)."""
        delta: list[Triple] = []
        emit = self.emitter(delta.append, plain=True)  # asserted typings get their super-classes in round 0
        for t in asserted:
            emit(*t)
        given = len(delta)
        emit = self.emitter(delta.append)
        for t in self.schema.derived:
            emit(*t)
        self.derived.extend(delta[given:])
        rounds = 0
        while delta:
            started = time.perf_counter()
            delta = self.step(delta, first=rounds == 0)
            self.derived.extend(delta)
            rounds += 1
            log.info("OWL RL (fast) round %d: %d new triples, %d derived in all (%.2f s)",
                     rounds, len(delta), len(self.derived), time.perf_counter() - started)
        return self.derived

    def step(self, delta: list[Triple], first: bool) -> list[Triple]:
        """One semi-naive round: each triple of `delta` through every rule, joined against everything known.

        Asserted typings (round 0) get their super-classes here; derived ones come with them (see `typer`)."""
        new: list[Triple] = []
        emit, typed = self.emitter(new.append), self.typer(new.append)
        type_id, rules, class_supers = self.type_id, self.rules, self.schema.class_supers
        by_subject, by_object, literal = self.by_subject, self.by_object, self.literal
        on_typing, on_triple = self.triggers.on_typing, self.triggers.on_triple
        class_triggers, property_triggers = self.schema.expressions.classes, self.schema.expressions.properties
        rep = self.equality.rep if self.equality is not None else {}
        for s, p, o in delta:
            if rep and (rep.get(s, s) != s or rep.get(o, o) != o):
                continue  # stale: its rewrite over representatives is (or was) in a delta of its own
            if p == type_id:
                if first:
                    typed(s, (-1, class_supers.get(o, [])))
                if o in class_triggers:
                    on_typing(s, o, emit, typed)
            if p in property_triggers:
                on_triple(s, p, o, emit, typed)
            rule = rules.get(p)
            if rule is None:
                continue
            supers, domains, ranges, flips, transitive, first_of, second_of = rule
            for typing in domains:
                typed(s, typing)
            for q in supers:
                emit(s, q, o)
            if not literal[o]:
                for typing in ranges:
                    typed(o, typing)
                for q in flips:
                    emit(o, q, s)
                if transitive:  # copies: emit() may grow the very set being read when s == o
                    for z in tuple(by_subject[p].get(o, ())):
                        emit(s, p, z)
                    for x in tuple(by_object[p].get(s, ())):
                        emit(x, p, o)
                for second, head in first_of:
                    for z in tuple(by_subject[second].get(o, ())):
                        emit(s, head, z)
            for link, head in second_of:
                for x in tuple(by_object[link].get(s, ())):
                    emit(x, head, o)
        return new

    def emitter(self, append: Callable[[Triple], None], plain: bool = False) -> Emit:
        """Record a triple (over representatives) and hand it to `append` when it is new. owl:sameAs merges; a
        typing comes with its super-classes unless `plain`."""
        seen, by_subject, by_object = self.seen, self.by_subject, self.by_object
        type_id, same_as, class_supers = self.type_id, self.same_as, self.schema.class_supers
        typed, equality, members = self.typer(append), self.equality, self.members
        rep = equality.rep if equality is not None else {}
        mentions = equality.mentions if equality is not None else {}

        def emit(s: int, p: int, o: int) -> None:
            if equality is not None:
                if p == same_as:
                    for t in equality.union(s, o):
                        emit(*t)
                    return
                s, o = rep.get(s, s), rep.get(o, o)
            if p == type_id and not plain:  # from a sub-property of rdf:type, a chain...: super-classes (cax-sco)
                typed(s, (o, class_supers.get(o, [])))
                return
            bucket = seen[p]
            key = s << BITS | o
            if key in bucket:
                return
            bucket.add(key)
            if p in by_subject:
                by_subject[p].setdefault(s, set()).add(o)
                by_object[p].setdefault(o, set()).add(s)
            if p == type_id and o in members:
                members[o].add(s)
            t = s, p, o
            if equality is not None:  # inline: once per stored triple
                if (at := mentions.get(s)) is None:
                    mentions[s] = [t]
                else:
                    at.append(t)
                if o != s:
                    if (at := mentions.get(o)) is None:
                        mentions[o] = [t]
                    else:
                        at.append(t)
            append(t)
        return emit

    def typer(self, append: Callable[[Triple], None]) -> Typed:
        """x a c and x a (every super-class of c), unless x already has c (then it has, or gets, the rest)."""
        known, type_id, members, equality = self.seen[self.type_id], self.type_id, self.members, self.equality

        def typed(x: int, typing: Typing) -> None:
            if equality is not None:
                x = equality.find(x)
            cls, supers = typing
            if cls >= 0 and (x << BITS | cls) in known:
                return
            for c in (cls, *supers) if cls >= 0 else supers:
                key = x << BITS | c
                if key not in known:
                    known.add(key)
                    if c in members:
                        members[c].add(x)
                    if equality is not None:
                        equality.mention((x, type_id, c))
                    append((x, type_id, c))
        return typed

    def closure(self, asserted: list[Triple]) -> list[Triple]:
        """The derived triples as owlrl would write them: equal terms expanded, hidden chain links left out."""
        hidden = self.schema.hidden
        if self.equality is None:
            return [t for t in self.derived if t[1] not in hidden] if hidden else self.derived
        equality = self.equality
        if not equality.classes:  # nothing was made the same: nothing to expand
            return [t for t in self.derived if t[1] not in hidden] if hidden else self.derived
        rep = equality.rep
        # The stored triples over representatives (derived ones; stale ones left out), then every triple that
        # mentions a class of two or more, written for every member (eq-rep-s/o/p), then eq-sym/eq-trans.
        out = dict.fromkeys(t for t in self.derived if rep.get(t[0], t[0]) == t[0] and rep.get(t[2], t[2]) == t[2]
                            and t[1] not in hidden)
        out.update(dict.fromkeys(equality.expand(self.seen, hidden)))
        out.update(dict.fromkeys(equality.same_as_pairs(self.same_as)))
        given = set(asserted)
        return [t for t in out if t not in given]


Compiled = tuple[list[int], list[Typing], list[Typing], list[int], bool, list[tuple[int, int]], list[tuple[int, int]]]


def _compiled(p: int, rule: PropertyRule) -> Compiled:
    """A rule as a tuple, unpacked in one step in the inner loop; inverses and symmetry are both "o q s"."""
    flips = [*rule.inverses, *([p] if rule.symmetric else [])]
    return rule.supers, rule.domains, rule.ranges, flips, rule.transitive, rule.first_of, rule.second_of


def ill_typed(literals: Iterable[ox.Literal]) -> list[str]:
    """dt-not-type: literals whose lexical form is outside their datatype's lexical space (service.rdf.xsd, XML
    Schema's grammar; owlrl's converters refuse valid forms such as 0E1). Both reasoners check this first."""
    table = xsd.CHECKS
    return sorted({xsd.problem(t.value, t.datatype.value) for t in literals
                   if (check := table.get(t.datatype.value)) is not None and not check(t.value)})


def literals_of(triples: Iterable[ox.Triple]) -> Iterator[ox.Literal]:
    literal = ox.Literal
    return (t.object for t in triples if type(t.object) is literal)


def materialise(ontology: Iterable[ox.Triple], facts: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The OWL 2 RL inferences of ontology + facts (input excluded, junk not yet filtered). Raises
    InconsistencyError when a "false" rule fires or a literal is ill-typed."""
    started = time.perf_counter()
    terms = Interner()
    asserted = terms.encode_all(ontology, facts)
    if problems := ill_typed(t for t in terms.terms if type(t) is ox.Literal):
        raise InconsistencyError(problems)
    engine, given = _fixpoint(asserted, terms, started)
    if problems := inconsistencies(engine):
        raise InconsistencyError(problems)
    derived = engine.closure(asserted)
    if given is not asserted:  # a later run: what earlier runs derived was its input
        known = set(asserted)
        derived = list(dict.fromkeys([*(t for t in given if t not in known), *derived]))
    del asserted, engine, given
    return terms.decode_all(derived)


_RERUNS = 16


def _fixpoint(asserted: list[Triple], terms: Interner, started: float) -> tuple[Engine, list[Triple]]:
    """Compile the schema and run the rules; again on the expanded closure while equality reaches the schema (two
    properties or classes made the same, or a restriction's value): each run compiles what the last one derived.
    Returns the last engine and its input."""
    given = asserted
    for _ in range(_RERUNS):
        schema = compile_schema(given, terms)
        log.info("OWL RL (fast): %d triples, %d terms read, schema compiled (%.2f s)",
                 len(given), len(terms), time.perf_counter() - started)
        engine = Engine(schema, terms)
        engine.run(given)
        if engine.equality is None or not engine.equality.touches(schema_terms(engine)):
            return engine, given
        grown = list(dict.fromkeys([*given, *engine.closure(given)]))
        if len(grown) == len(given):
            return engine, given
        log.info("OWL RL (fast): equality reaches the schema; running again on %d triples", len(grown))
        given = grown
    raise UnsupportedOntology([f"equality on schema terms that does not settle in {_RERUNS} runs"])
