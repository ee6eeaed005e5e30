"""How the ontology asks pages to show its properties, and which properties say what another already says.

Display (ontology/histkg.ttl, "Display" section): hk:displayGroup and hk:displayOrder group and order an entity's
facts by importance, not alphabetically; hk:displayInSummary names the properties of a summary's key roles;
hk:displayPhrase reads a statement as a sentence. Properties without them (other vocabularies, users' ontologies)
come after, by label.

Redundancy: a fact (s, P, o) says nothing new when (s, Q, o) is shown and Q is a strict sub-property of P (the
reasoner's roll-up: hk:aircraftUsed under hk:aircraftInvolved, hk:participant under crm:P11_had_participant), or
the inverse of Q is a sub-property of the inverse of P (hk:pilotOf under hk:participatedIn). An incoming link
(x, P, s) says nothing new when (s, inverse(P), x) is shown.

Read with one query per graph (a VALUES block of the annotation and schema properties, so over a remote store it is
one request that names what it asks for), and kept while the graph is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.rdf.namespaces import HK, OWL, RDF_TYPE, RDFS
from service.store.graph import KnowledgeGraph

DISPLAY_GROUP = HK + "displayGroup"
DISPLAY_ORDER = HK + "displayOrder"
DISPLAY_IN_SUMMARY = HK + "displayInSummary"
DISPLAY_PHRASE = HK + "displayPhrase"
SUB_PROPERTY_OF = RDFS + "subPropertyOf"
INVERSE_OF = OWL + "inverseOf"
SYMMETRIC = OWL + "SymmetricProperty"
OTHER_GROUP = "other facts"
UNORDERED = 1_000_000  # after every declared order


@dataclass(frozen=True)
class Presentation:
    order: dict[str, int]
    group: dict[str, str]
    summary: frozenset[str]
    phrase: dict[str, str]
    supers: dict[str, frozenset[str]]    # property -> its strict super-properties, transitively
    inverses: dict[str, frozenset[str]]  # property -> its inverses (itself, if symmetric)

    def rank(self, predicate: str, label: str) -> tuple[int, str, str]:
        return self.order.get(predicate, UNORDERED), label.lower(), predicate

    def group_of(self, predicate: str) -> str:
        return self.group.get(predicate, OTHER_GROUP)

    def implies(self, shown: str, other: str) -> bool:
        """Whether a shown (s, `shown`, o) already says (s, `other`, o)."""
        if shown == other:
            return False
        if other in self.supers.get(shown, ()):
            return True
        return any(io in self.supers.get(iq, ()) for iq in self.inverses.get(shown, ())
                   for io in self.inverses.get(other, ()))


_QUERY = f"""SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ <{DISPLAY_GROUP}> <{DISPLAY_ORDER}> <{DISPLAY_IN_SUMMARY}> <{DISPLAY_PHRASE}> <{SUB_PROPERTY_OF}>
              <{INVERSE_OF}> <{RDF_TYPE}> }}
  ?s ?p ?o . FILTER(?p != <{RDF_TYPE}> || ?o = <{SYMMETRIC}>) }}"""


@lru_cache(maxsize=8)
def presentation(kg: KnowledgeGraph) -> Presentation:
    rows = [(r["s"], r["p"].value, r["o"]) for r in kg.query(_QUERY) if isinstance(r["s"], ox.NamedNode)]
    return read(rows)


def read(rows: list[tuple[Any, str, Any]]) -> Presentation:
    """The presentation from (subject, predicate IRI, object) rows, read in a fixed order (the same answer from
    every store): the lowest order and the first group and phrase in code-point order win."""
    order: dict[str, int] = {}
    group: dict[str, str] = {}
    phrase: dict[str, str] = {}
    summary: set[str] = set()
    direct: dict[str, set[str]] = defaultdict(set)
    inverses: dict[str, set[str]] = defaultdict(set)
    for s, p, o in sorted(rows, key=lambda r: (r[0].value, r[1], str(r[2]))):
        if p == DISPLAY_ORDER and isinstance(o, ox.Literal):
            try:
                order[s.value] = min(order.get(s.value, UNORDERED), int(o.value))
            except ValueError:
                continue  # not a number: the property stays unordered
        elif p == DISPLAY_GROUP and isinstance(o, ox.Literal):
            group.setdefault(s.value, o.value)
        elif p == DISPLAY_PHRASE and isinstance(o, ox.Literal) and "{s}" in o.value and "{o}" in o.value:
            phrase.setdefault(s.value, o.value)
        elif p == DISPLAY_IN_SUMMARY and isinstance(o, ox.Literal) and o.value in ("true", "1"):
            summary.add(s.value)
        elif p == SUB_PROPERTY_OF and isinstance(o, ox.NamedNode) and o != s:
            direct[s.value].add(o.value)
        elif p == INVERSE_OF and isinstance(o, ox.NamedNode):
            inverses[s.value].add(o.value)
            inverses[o.value].add(s.value)
        elif p == RDF_TYPE:
            inverses[s.value].add(s.value)
    return Presentation(order, group, frozenset(summary), phrase, _closure(direct),
                        {k: frozenset(v) for k, v in inverses.items()})


def _closure(direct: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Every strict super-property of each property (the asserted-only view has no inferred closure)."""
    out: dict[str, frozenset[str]] = {}
    for start in direct:
        seen: set[str] = set()
        todo = list(direct[start])
        while todo:
            nxt = todo.pop()
            if nxt not in seen and nxt != start:
                seen.add(nxt)
                todo.extend(direct.get(nxt, ()))
        out[start] = frozenset(seen)
    return out
