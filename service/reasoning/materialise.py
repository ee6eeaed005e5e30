"""Fast OWL 2 RL materialisation for the rules histkg's ontology uses, evaluated semi-naively over integer triples.

The reference reasoner is owlrl (reasoning.reasoner); it walks every triple of the graph through every rule in every
round and takes minutes at 50k triples. This one does the same work in two steps:

1. The schema (TBox) is closed once, in Python, with the scm-* rules of the OWL 2 Profiles spec (section 4.3,
   table 9): scm-cls, scm-sco, scm-eqc1/2, scm-op/dp, scm-spo, scm-eqp1/2, scm-dom1/2, scm-rng1/2. The closed schema
   is compiled into one rule table per property (super-properties, inverses, symmetric, transitive, domains, ranges,
   property chains by first and second link) and one per class (super-classes, disjoint classes).
2. The instance level is run to a fixpoint semi-naively: every triple is pushed through the rules exactly once, when
   it is new (round 0: the input; round n: what round n-1 derived), and joins only look it up against the indexes
   of everything known so far. Rules: prp-dom, prp-rng, prp-spo1, prp-spo2 (chains of two), prp-inv1/2, prp-symp,
   prp-trp, prp-eqp1/2 and cax-sco, cax-eqc1/2 (through the compiled tables), cax-dw (checked at the end), and
   dt-not-type on the input's literals, by XML Schema's lexical grammar (service.rdf.xsd).

Terms are interned as integers; a triple is known by predicate -> set of (subject << 32 | object), kept only for
predicates some rule can derive, and subject/object indexes are kept only for predicates a join reads
(transitive properties and chain links). The result is the set of derived triples (input excluded), not yet junk
filtered: reasoning.reasoner applies the same filter as for owlrl. Triples owlrl derives only to drop them as junk
(owl:Thing and rdfs:Resource typings, literal subjects) are not derived here at all.

Ontologies that use anything else (owl:sameAs, functional or irreflexive properties, restrictions, keys, chains
longer than two, ...) raise UnsupportedOntology; service.reasoning.reasoner then falls back to owlrl.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from service.errors import InconsistencyError
from service.rdf import xsd
from service.reasoning.interning import BITS, Interner, Triple
from service.reasoning.schema import PropertyRule, Schema, Typing, compile_schema

log = logging.getLogger(__name__)

__all__ = ["Engine", "materialise", "paused_gc"]


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


class Engine:
    """The instance-level fixpoint over interned triples, driven by the compiled schema."""

    def __init__(self, schema: Schema, terms: Interner) -> None:
        self.schema = schema
        self.type_id = terms.type_id
        self.literal = terms.literal
        self.seen: dict[int, set[int]] = {p: set() for p in schema.derivable}
        self.by_subject: dict[int, dict[int, set[int]]] = {p: {} for p in schema.joined}
        self.by_object: dict[int, dict[int, set[int]]] = {p: {} for p in schema.joined}
        self.members: dict[int, set[int]] = {c: set() for c in (*schema.disjoint, schema.nothing)}
        self.derived: list[Triple] = []
        self.rules = {p: _compiled(p, rule) for p, rule in schema.properties.items()}

    def add(self, s: int, p: int, o: int) -> bool:
        """Record a triple; False when it was already known (only derivable predicates are remembered)."""
        bucket = self.seen.get(p)
        if bucket is not None:
            key = s << BITS | o
            if key in bucket:
                return False
            bucket.add(key)
        if p in self.by_subject:
            self.by_subject[p].setdefault(s, set()).add(o)
            self.by_object[p].setdefault(o, set()).add(s)
        if p == self.type_id and o in self.members:
            self.members[o].add(s)
        return True

    def run(self, asserted: list[Triple]) -> list[Triple]:
        """Derive everything; returns the derived triples (asserted ones excluded)."""
        delta = [t for t in asserted if self.add(*t)]
        schema = [t for t in self.schema.derived if self.add(*t)]
        self.derived.extend(schema)
        delta += schema
        rounds = 0
        while delta:
            started = time.perf_counter()
            delta = self.step(delta, first=rounds == 0)
            rounds += 1
            self.derived.extend(delta)
            log.info("OWL RL (fast) round %d: %d new triples, %d derived in all (%.2f s)",
                     rounds, len(delta), len(self.derived), time.perf_counter() - started)
        return self.derived

    def step(self, delta: list[Triple], first: bool) -> list[Triple]:
        """One semi-naive round: each triple of `delta` through every rule, joined against everything known.

        Only asserted typings need cax-sco (round 0): derived ones come with all their super-classes."""
        new: list[Triple] = []
        emit, typed = self.emitter(new.append), self.typer(new.append)
        type_id, rules, class_supers = self.type_id, self.rules, self.schema.class_supers
        by_subject, by_object, literal = self.by_subject, self.by_object, self.literal
        for s, p, o in delta:
            if p == type_id and first:
                typed(s, (-1, class_supers.get(o, [])))
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

    def emitter(self, append: Callable[[Triple], None]) -> Callable[[int, int, int], None]:
        """Record a derived triple and hand it to `append` when it is new."""
        seen, by_subject, by_object = self.seen, self.by_subject, self.by_object
        type_id, class_supers, typed = self.type_id, self.schema.class_supers, self.typer(append)

        def emit(s: int, p: int, o: int) -> None:
            if p == type_id:  # from a sub-property of rdf:type, an inverse, a chain: super-classes too (cax-sco)
                typed(s, (o, class_supers.get(o, [])))
                return
            bucket = seen[p]  # every predicate a rule can produce has one
            key = s << BITS | o
            if key in bucket:
                return
            bucket.add(key)
            if p in by_subject:
                by_subject[p].setdefault(s, set()).add(o)
                by_object[p].setdefault(o, set()).add(s)
            append((s, p, o))
        return emit

    def typer(self, append: Callable[[Triple], None]) -> Callable[[int, Typing], None]:
        """x a c and x a (every super-class of c), unless x already has c (then it has, or gets, the rest)."""
        known, type_id, members = self.seen[self.type_id], self.type_id, self.members

        def typed(x: int, typing: Typing) -> None:
            cls, supers = typing
            if cls >= 0 and (x << BITS | cls) in known:
                return
            for c in (cls, *supers) if cls >= 0 else supers:
                key = x << BITS | c
                if key not in known:
                    known.add(key)
                    append((x, type_id, c))
                    if c in members:
                        members[c].add(x)
        return typed

    def inconsistencies(self, describe: Interner) -> list[str]:
        """cax-dw: an individual in two disjoint classes; cls-nothing2: one in owl:Nothing (as owlrl words them)."""
        problems = [f"{describe.text(x)} is defined of type 'Nothing'" for x in self.members[self.schema.nothing]]
        for c1, c2 in self.schema.disjoint_pairs:
            for x in sorted(self.members[c1] & self.members[c2]):
                problems.append(f"Disjoint classes {describe.text(c1)} and {describe.text(c2)} "
                                f"have a common individual {describe.text(x)}")
        return sorted(set(problems))


Compiled = tuple[list[int], list[Typing], list[Typing], list[int], bool, list[tuple[int, int]], list[tuple[int, int]]]


def _compiled(p: int, rule: PropertyRule) -> Compiled:
    """A rule as a tuple, unpacked in one step in the inner loop; inverses and symmetry are both "o q s"."""
    flips = [*rule.inverses, *([p] if rule.symmetric else [])]
    return rule.supers, rule.domains, rule.ranges, flips, rule.transitive, rule.first_of, rule.second_of


def ill_typed(literals: Iterable[ox.Literal]) -> list[str]:
    """dt-not-type: literals whose lexical form is outside their datatype's lexical space (service.rdf.xsd, XML
    Schema's grammar; owlrl's converters refuse valid forms such as 0E1). Both reasoners check this first."""
    checks = xsd.CHECKS
    return sorted({xsd.problem(t.value, t.datatype.value) for t in literals
                   if (check := checks.get(t.datatype.value)) is not None and not check(t.value)})


def literals_of(triples: Iterable[ox.Triple]) -> Iterator[ox.Literal]:
    literal = ox.Literal
    return (t.object for t in triples if type(t.object) is literal)


def materialise(ontology: Iterable[ox.Triple], facts: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The OWL 2 RL inferences of ontology + facts (input excluded, junk not yet filtered). Raises
    InconsistencyError on an individual in two disjoint classes, UnsupportedOntology on OWL this does not do."""
    started = time.perf_counter()
    terms = Interner()
    asserted = terms.encode_all(ontology, facts)
    if problems := ill_typed(t for t in terms.terms if type(t) is ox.Literal):
        raise InconsistencyError(problems)
    schema = compile_schema(asserted, terms)
    log.info("OWL RL (fast): %d triples, %d terms read, schema compiled (%.2f s)",
             len(asserted), len(terms), time.perf_counter() - started)
    engine = Engine(schema, terms)
    derived = engine.run(asserted)
    if problems := engine.inconsistencies(terms):
        raise InconsistencyError(problems)
    del asserted, engine
    return terms.decode_all(derived)
