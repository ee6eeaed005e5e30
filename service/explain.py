"""Why is an inferred triple there? The OWL 2 RL rule and the premises (asserted or inferred) that produce it.

Each rule of the OWL 2 RL profile (OWL 2 Profiles, section 4.3) that the ontology uses is written here as a SPARQL
pattern over the conclusion's terms; the first rule whose premises hold in the closure explains the triple. The
premises are themselves triples, each marked asserted or inferred, so an explanation can be followed down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from service.namespaces import OWL, RDF, RDF_TYPE, RDFS
from service.serialize import tsv_term
from service.store import KnowledgeGraph

Triple = tuple[Any, Any, Any]


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    applies_to_type: bool    # the conclusion is an rdf:type triple (else: any other predicate)
    where: str               # SPARQL pattern; $s $p $o are the conclusion's terms
    premises: tuple[str, ...]  # triple templates over $s $p $o and the pattern's variables


def _rule(rule_id: str, description: str, where: str, *premises: str, types: bool = False) -> Rule:
    return Rule(rule_id, description, types, where, premises)


RULES: tuple[Rule, ...] = (
    _rule("cax-sco", "an instance of a class is an instance of its superclasses",
          "?c <{sco}> $o . $s a ?c . FILTER(?c != $o)", "$s a ?c", "?c <{sco}> $o", types=True),
    _rule("cax-eqc", "an instance of a class is an instance of its equivalent classes",
          "{{ ?c <{eqc}> $o }} UNION {{ $o <{eqc}> ?c }} $s a ?c . FILTER(?c != $o)", "$s a ?c",
          "?c <{eqc}> $o", types=True),
    _rule("prp-dom", "the subject of a property is an instance of the property's domain",
          "?q <{dom}> $o . $s ?q ?x", "$s ?q ?x", "?q <{dom}> $o", types=True),
    _rule("prp-rng", "the object of a property is an instance of the property's range",
          "?q <{rng}> $o . ?x ?q $s", "?x ?q $s", "?q <{rng}> $o", types=True),
    _rule("prp-spo1", "a statement with a sub-property holds for the super-property too",
          "?q <{spo}> $p . $s ?q $o . FILTER(?q != $p)", "$s ?q $o", "?q <{spo}> $p"),
    _rule("prp-inv1", "a statement implies its inverse",
          "$p <{inv}> ?q . $o ?q $s", "$o ?q $s", "$p <{inv}> ?q"),
    _rule("prp-inv2", "a statement implies its inverse",
          "?q <{inv}> $p . $o ?q $s", "$o ?q $s", "?q <{inv}> $p"),
    _rule("prp-symp", "a symmetric property holds both ways",
          "$p a <{symp}> . $o $p $s", "$o $p $s", "$p a <{symp}>"),
    _rule("prp-trp", "a transitive property chains through an intermediate",
          "$p a <{trp}> . $s $p ?x . ?x $p $o . FILTER(?x != $s && ?x != $o)",
          "$s $p ?x", "?x $p $o", "$p a <{trp}>"),
    _rule("prp-spo2", "a property chain: following the chain's properties in turn implies the property",
          "$p <{chain}> ?l . ?l <{first}> ?p1 ; <{rest}> ?l2 . ?l2 <{first}> ?p2 ; <{rest}> <{nil}> . "
          "$s ?p1 ?x . ?x ?p2 $o", "$s ?p1 ?x", "?x ?p2 $o", "$p <{chain}> (?p1 ?p2)"),
    _rule("prp-eqp", "equivalent properties share their statements",
          "{{ $p <{eqp}> ?q }} UNION {{ ?q <{eqp}> $p }} $s ?q $o . FILTER(?q != $p)", "$s ?q $o",
          "$p <{eqp}> ?q"),
    _rule("scm-sco", "subclass is transitive",
          "$s <{sco}> ?x . ?x <{sco}> $o . FILTER(?x != $s && ?x != $o)", "$s <{sco}> ?x", "?x <{sco}> $o"),
    _rule("scm-spo", "sub-property is transitive",
          "$s <{spo}> ?x . ?x <{spo}> $o . FILTER(?x != $s && ?x != $o)", "$s <{spo}> ?x", "?x <{spo}> $o"),
)
_IRIS = {"sco": RDFS + "subClassOf", "spo": RDFS + "subPropertyOf", "dom": RDFS + "domain",
         "rng": RDFS + "range", "inv": OWL + "inverseOf", "symp": OWL + "SymmetricProperty",
         "trp": OWL + "TransitiveProperty", "chain": OWL + "propertyChainAxiom", "first": RDF + "first",
         "rest": RDF + "rest", "nil": RDF + "nil", "eqc": OWL + "equivalentClass", "eqp": OWL + "equivalentProperty"}


@dataclass
class Premise:
    subject: Any
    predicate: Any
    object: Any
    inferred: bool


@dataclass
class Explanation:
    rule: str
    description: str
    premises: list[Premise]


def explain(kg: KnowledgeGraph, subject: Any, predicate: Any, obj: Any) -> Explanation | None:
    """The shallowest derivation: a rule whose premises are asserted or derivable in fewer steps.

    Choosing the shallowest makes explanations well-founded: following "why" from premise to premise always
    reaches asserted triples, and never goes round in a circle (inverse properties could otherwise explain each
    other). None for an asserted triple or one no known rule derives.
    """
    triple = (subject, predicate, obj)
    remembered: dict[Triple, Explanation | None] = kg.memo.setdefault("explanations", {})
    if triple in remembered:
        return remembered[triple]
    found = _search(kg, triple) if kg.is_inferred(*triple) else None
    if len(remembered) >= _REMEMBERED:
        remembered.clear()  # crude but thread-safe under the GIL, and the dataset never changes
    remembered[triple] = found
    return found


def _search(kg: KnowledgeGraph, triple: Triple) -> Explanation | None:
    search = _Search(kg)
    for height in range(1, _MAX_HEIGHT + 1):
        if (found := search.derivation(triple, height)) is not None:
            return found
    return None


_MAX_HEIGHT = 16
_REMEMBERED = 20_000  # explanations kept per dataset
_CANDIDATES_PER_RULE = 5


class _Search:
    """Iterative deepening over rule applications, remembering candidates and results per (triple, height)."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.candidates: dict[Triple, list[Explanation]] = {}
        self.results: dict[tuple[Triple, int], Explanation | None] = {}

    def derivation(self, triple: Triple, height: int) -> Explanation | None:
        """A derivation of `triple` no taller than `height` (premises at most height - 1), or None."""
        key = (triple, height)
        if key in self.results:
            return self.results[key]
        self.results[key] = None  # guards against re-entry while this one is being worked out
        if triple not in self.candidates:
            self.candidates[triple] = _candidates(self.kg, triple)
        for candidate in self.candidates[triple]:
            if all(not p.inferred or (height > 1 and self.derivation((p.subject, p.predicate, p.object),
                                                                     height - 1) is not None)
                   for p in candidate.premises):
                self.results[key] = candidate
                break
        return self.results[key]


def _candidates(kg: KnowledgeGraph, triple: Triple) -> list[Explanation]:
    """Every rule application that concludes `triple` (a few per rule), found with one query over all rules."""
    subject, predicate, obj = triple
    is_type = predicate.value == RDF_TYPE
    rules = [r for r in RULES if (predicate.value == _IRIS[r.id[-3:]] if r.id.startswith("scm")
                                  else r.applies_to_type == is_type)]
    bound = {"s": subject, "p": predicate, "o": obj}
    if any(isinstance(t, ox.BlankNode) for t in triple):
        # A blank node cannot be written into query text (it would become a variable): bind it, one rule a time.
        rows = [(rule, row) for rule in rules for row in _solutions(kg, _rule_query(rule), bound)]
    else:
        inline = {f"${k}": tsv_term(t) for k, t in bound.items()}
        union = " UNION ".join(f"{{ {_rule_query(r, inline)} BIND({i} AS ?rule_index) }}" for i, r in enumerate(rules))
        solutions = _solutions(kg, f"SELECT * WHERE {{ {union} }}", {})
        rows = [(rules[int(row.pop("rule_index").value)], row) for row in solutions]
    found = [Explanation(rule.id, rule.description, [_premise(kg, t, {**bound, **row}) for t in rule.premises])
             for rule, row in rows]
    # A stable order (fewest inferred premises, then rule, then premises) so every store picks the same one.
    order = {rule.id: i for i, rule in enumerate(RULES)}
    return sorted(found, key=lambda e: (sum(p.inferred for p in e.premises), order[e.rule],
                                        [str(t) for p in e.premises for t in (p.subject, p.predicate, p.object)]))


def _rule_query(rule: Rule, inline: dict[str, str] | None = None) -> str:
    where = rule.where.format(**_IRIS)
    for variable, term in (inline or {}).items():
        where = where.replace(variable, term)
    # Ordered before the limit, so every store (in memory or remote) offers the same few candidates.
    order = " ".join(dict.fromkeys(re.findall(r"\?\w+", where))) or "?s"
    return f"{{ SELECT * WHERE {{ {where} }} ORDER BY {order} LIMIT {_CANDIDATES_PER_RULE} }}"


def _solutions(kg: KnowledgeGraph, query: str, bound: dict[str, Any]) -> list[dict[str, Any]]:
    if not query.startswith("SELECT"):
        query = f"SELECT * WHERE {query}"
    substitutions = {ox.Variable(k): v for k, v in bound.items() if f"${k}" in query}
    solutions = kg.query(query, substitutions=substitutions)
    variables = [v.value for v in solutions.variables]
    return [{v: row[v] for v in variables if row[v] is not None} for row in solutions]


def _premise(kg: KnowledgeGraph, template: str, values: dict[str, Any]) -> Premise:
    parts = template.replace("(?p1 ?p2)", "?chain").split(" ", 2)
    terms: list[Any] = []
    for part in parts:
        if part == "a":
            terms.append(ox.NamedNode(RDF_TYPE))
        elif part.startswith(("$", "?")):
            name = part[1:]
            terms.append(values.get(name) if name != "chain" else ox.Literal(
                f"({values['p1'].value} {values['p2'].value})"))
        else:
            terms.append(ox.NamedNode(part.strip("<>").format(**_IRIS)))
    s, p, o = terms
    inferred = isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal) and kg.is_inferred(s, p, o)
    return Premise(s, p, o, inferred)
