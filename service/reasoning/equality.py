"""owl:sameAs as a union-find: one representative per equality class, the rules run on representatives only.

This is how RDFox and other fast reasoners keep equality from exploding the rule loop: instead of copying every
triple to every equal term (eq-rep-s/p/o, quadratic in a class's size), a triple is stored once, over
representatives, and expanded to every member of its terms' classes when the closure is written (with eq-sym and
eq-trans as every ordered pair of a class). A term's representative is one dictionary lookup: on a merge, every
member of the smaller class is pointed at the new representative, and the triples that mention the old one are
handed back to the engine to be rewritten (and to run through the rules again).
"""

from __future__ import annotations

from collections.abc import Iterator

from service.reasoning.interning import BITS, Triple

MASK = (1 << BITS) - 1


class Equality:
    def __init__(self, literal: bytearray) -> None:
        self.rep: dict[int, int] = {}                # member -> representative, for members of classes of 2+
        self.classes: dict[int, list[int]] = {}      # representative -> members (itself included)
        self.mentions: dict[int, list[Triple]] = {}  # term -> the stored triples it is the subject or object of
        self.literal = literal

    def find(self, term: int) -> int:
        return self.rep.get(term, term)

    def mention(self, triple: Triple) -> None:
        """Remember a stored triple under its subject and object (the engine's emitter does this inline)."""
        s, _, o = triple
        self.mentions.setdefault(s, []).append(triple)
        if o != s:
            self.mentions.setdefault(o, []).append(triple)

    def union(self, a: int, b: int) -> list[Triple]:
        """Merge the classes of a and b; the stored triples that mention the class that lost its representative
        (to be rewritten over the new one). A literal is never chosen over a resource (it cannot be a subject)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return []
        big, small = self.classes.get(ra, [ra]), self.classes.get(rb, [rb])
        if (len(big), -self.literal[ra]) < (len(small), -self.literal[rb]):
            ra, rb, big, small = rb, ra, small, big
        if self.literal[ra] and not self.literal[rb]:
            ra, rb, big, small = rb, ra, small, big
        for member in small:
            self.rep[member] = ra
        self.rep[ra] = ra
        self.classes[ra] = big + small
        self.classes.pop(rb, None)
        return self.mentions.pop(rb, [])

    def members(self, term: int) -> list[int]:
        return self.classes.get(term, [term])

    def same_as_pairs(self, same_as: int) -> Iterator[Triple]:
        """eq-sym, eq-trans: every ordered pair of distinct members of a class (eq-ref's reflexive ones are junk)."""
        literal = self.literal
        for members in self.classes.values():
            for a in members:
                for b in members:
                    if a != b and not literal[a]:
                        yield a, same_as, b

    def expand(self, seen: dict[int, set[int]], hidden: set[int]) -> Iterator[Triple]:
        """Every stored triple that mentions a class of two or more (as subject, object or predicate), written for
        every member of its terms' classes. Stale triples (stored before a merge, over a term that is no longer a
        representative) are skipped: their rewritten copies are stored too."""
        rep, classes, literal = self.rep, self.classes, self.literal

        def current(t: Triple) -> bool:
            return rep.get(t[0], t[0]) == t[0] and rep.get(t[2], t[2]) == t[2]

        touched = [t for r in classes for t in self.mentions.get(r, ()) if current(t)]
        for p in seen:  # eq-rep-p: every triple of a property made the same as another term
            if rep.get(p, p) in classes and p not in hidden:
                touched += [(key >> BITS, p, key & MASK) for key in seen[p]]
        for s, p, o in touched:
            if p in hidden or not current((s, p, o)):
                continue
            predicates = classes.get(rep.get(p, p), (p,))
            for s2 in classes.get(s, (s,)):
                if not literal[s2]:
                    for o2 in classes.get(o, (o,)):
                        for p2 in predicates:
                            yield s2, p2, o2

    def touches(self, schema_terms: set[int]) -> bool:
        """Whether a class of two or more members holds a term the compiled schema reads (a property, a class with
        rules, a restriction's value): equality there (eq-rep-p, or eq-rep-s/o on schema triples) changes the
        schema, so the caller runs again on the expanded closure."""
        return any(m in schema_terms for members in self.classes.values() for m in members)
