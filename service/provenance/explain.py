"""Why is an inferred triple there? The OWL 2 RL rule and the premises (asserted or inferred) that produce it.

Each rule of the OWL 2 RL profile (OWL 2 Profiles, section 4.3) that the ontology uses is written here as a SPARQL
pattern over the conclusion's terms; the first rule whose premises hold in the closure explains the triple. The
premises are themselves triples, each marked asserted or inferred, so an explanation can be followed down.

The triples of a page are explained together (`explain_many`): one query per derivation height, for all of them,
so a page over a remote SPARQL server costs a few requests, not a few per inferred fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from service.rdf.namespaces import OWL, RDF, RDF_TYPE, RDFS
from service.store.batches import chunks, nameable, values_block
from service.store.caches import BoundedCache
from service.store.graph import KnowledgeGraph

Triple = tuple[Any, Any, Any]


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    applies_to_type: bool    # the conclusion is an rdf:type triple (else: any other predicate)
    where: str               # SPARQL pattern; $s $p $o are the conclusion's terms
    premises: tuple[str, ...]  # triple templates over $s $p $o and the pattern's variables
    only: str = ""           # the one predicate it concludes (a key of _IRIS), or "*": any, rdf:type included


def _rule(rule_id: str, description: str, where: str, *premises: str, types: bool = False, only: str = "") -> Rule:
    return Rule(rule_id, description, types, where, premises, only)


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
    # Equality (the fast materialiser's union-find writes every pair of a class and every rewritten triple).
    _rule("eq-sym", "sameAs is symmetric", "$o <{same}> $s", "$o <{same}> $s", only="same"),
    _rule("eq-trans", "sameAs is transitive", "$s <{same}> ?x . ?x <{same}> $o . FILTER(?x != $s && ?x != $o)",
          "$s <{same}> ?x", "?x <{same}> $o", only="same"),
    _rule("prp-fp", "a functional property has one value: two values are the same",
          "?q a <{fp}> . ?x ?q $s . ?x ?q $o", "?x ?q $s", "?x ?q $o", "?q a <{fp}>", only="same"),
    _rule("prp-ifp", "an inverse-functional property's value has one subject: two subjects are the same",
          "?q a <{ifp}> . $s ?q ?y . $o ?q ?y", "$s ?q ?y", "$o ?q ?y", "?q a <{ifp}>", only="same"),
    _rule("cls-maxc2", "at most one value: two values are the same",
          "?r <{maxc}> ?n ; <{onp}> ?q . ?u a ?r ; ?q $s , $o", "?u a ?r", "?u ?q $s", "?u ?q $o", "?r <{onp}> ?q",
          only="same"),
    _rule("eq-rep-s", "a statement about a resource holds for whatever is the same as it",
          "$s <{same}> ?x . ?x $p $o . FILTER(?x != $s)", "$s <{same}> ?x", "?x $p $o", only="*"),
    _rule("eq-rep-o", "a statement about a resource holds for whatever is the same as it",
          "$o <{same}> ?x . $s $p ?x . FILTER(?x != $o)", "$o <{same}> ?x", "$s $p ?x", only="*"),
    # Class expressions.
    _rule("cls-hv1", "a member of a hasValue restriction has that value",
          "?r <{hv}> $o ; <{onp}> $p . $s a ?r", "$s a ?r", "?r <{hv}> $o", "?r <{onp}> $p"),
    _rule("cls-hv2", "whatever has the value is a member of the hasValue restriction",
          "$o <{hv}> ?v ; <{onp}> ?q . $s ?q ?v", "$s ?q ?v", "$o <{hv}> ?v", "$o <{onp}> ?q", types=True),
    _rule("cls-svf1", "a value of the restriction's class makes a member of the someValuesFrom restriction",
          "$o <{svf}> ?y ; <{onp}> ?q . $s ?q ?v . ?v a ?y", "$s ?q ?v", "?v a ?y", "$o <{svf}> ?y", types=True),
    _rule("cls-svf2", "any value makes a member of a someValuesFrom owl:Thing restriction",
          "$o <{svf}> <{thing}> ; <{onp}> ?q . $s ?q ?v", "$s ?q ?v", "$o <{onp}> ?q", types=True),
    _rule("cls-avf", "the values of a member of an allValuesFrom restriction are in its class",
          "?r <{avf}> $o ; <{onp}> ?q . ?u a ?r ; ?q $s", "?u a ?r", "?u ?q $s", "?r <{avf}> $o", types=True),
    _rule("cls-int1", "a member of every class of an intersection is a member of the intersection",
          "$o <{int}> ?l . FILTER NOT EXISTS {{ ?l <{rest}>*/<{first}> ?c . FILTER NOT EXISTS {{ $s a ?c }} }}",
          "$o <{int}> ?l", types=True),
    _rule("cls-oo", "a listed individual is a member of the enumerated class",
          "$o <{oneof}> ?l . ?l <{rest}>*/<{first}> $s", "$o <{oneof}> ?l", types=True),
    _rule("scm-sco", "subclass is transitive",
          "$s <{sco}> ?x . ?x <{sco}> $o . FILTER(?x != $s && ?x != $o)", "$s <{sco}> ?x", "?x <{sco}> $o"),
    _rule("scm-spo", "sub-property is transitive",
          "$s <{spo}> ?x . ?x <{spo}> $o . FILTER(?x != $s && ?x != $o)", "$s <{spo}> ?x", "?x <{spo}> $o"),
)
_IRIS = {"sco": RDFS + "subClassOf", "spo": RDFS + "subPropertyOf", "dom": RDFS + "domain",
         "rng": RDFS + "range", "inv": OWL + "inverseOf", "symp": OWL + "SymmetricProperty",
         "trp": OWL + "TransitiveProperty", "chain": OWL + "propertyChainAxiom", "first": RDF + "first",
         "rest": RDF + "rest", "nil": RDF + "nil", "eqc": OWL + "equivalentClass", "eqp": OWL + "equivalentProperty",
         "same": OWL + "sameAs", "fp": OWL + "FunctionalProperty", "ifp": OWL + "InverseFunctionalProperty",
         "maxc": OWL + "maxCardinality", "onp": OWL + "onProperty", "hv": OWL + "hasValue",
         "svf": OWL + "someValuesFrom", "avf": OWL + "allValuesFrom", "thing": OWL + "Thing",
         "int": OWL + "intersectionOf", "oneof": OWL + "oneOf"}
# Each rule's solutions are ordered by its variables in order of appearance (the conclusion's $s $p $o are fixed).
_ORDER = {r.id: list(dict.fromkeys(v[1:] for v in re.findall(r"\?\w+", r.where))) for r in RULES}
# What a batch of candidates returns: not the conclusions' terms, known from ?triple_index (a third of the answer).
_PROJECTION = " ".join(f"?{v}" for v in dict.fromkeys(
    ["triple_index", "rule_index", *(v for order in _ORDER.values() for v in order),
     *(f"inferred_{i}" for i in range(max(len(r.premises) for r in RULES)))]))


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
    remembered = kg.derived(ExplanationCache)
    if triple in remembered:
        return remembered[triple]
    if not kg.is_inferred(*triple):
        remembered.update({triple: None})
        return None
    return explain_many(kg, [triple])[triple]


def explain_many(kg: KnowledgeGraph, triples: Iterable[Triple]) -> dict[Triple, Explanation | None]:
    """`explain` for many triples the caller knows to be inferred, searched together: a query per derivation
    height reached (for all of them at once), instead of several queries per triple."""
    remembered = kg.derived(ExplanationCache)
    wanted = list(dict.fromkeys(triples))
    found = {t: remembered[t] for t in wanted if t in remembered}
    searched = _search(kg, [t for t in wanted if t not in found])
    remembered.update(searched)
    return {**found, **searched}


@dataclass
class ExplanationCache(BoundedCache[Triple, Explanation | None]):
    """The explanations found for a graph (None: asserted, or no known rule derives it), kept beside it."""

    max_size: int = 20_000


def _search(kg: KnowledgeGraph, targets: list[Triple]) -> dict[Triple, Explanation | None]:
    """Iterative deepening for all targets at once. Before trying height h, the candidates of every triple the
    search can reach (h - 1 premises deep) are fetched in one batch, so each height costs one query, and the
    result is the one a search fetching candidates one triple at a time would find."""
    search = _Search(kg)
    found: dict[Triple, Explanation | None] = {}
    pending = targets
    for height in range(1, _MAX_HEIGHT + 1):
        if not pending:
            break
        search.fetch(search.unknown(pending, height - 1))
        for triple in pending:
            found[triple] = search.derivation(triple, height)
        pending = [t for t in pending if found[t] is None]
    return found


_MAX_HEIGHT = 16
_CANDIDATES_PER_RULE = 5
_TRIPLES_PER_QUERY = 250  # conclusions one query asks about: some 300 kB of query text at most


class _Search:
    """Derivations by height over rule applications (candidates), remembering results per (triple, height)."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.candidates: dict[Triple, list[Explanation]] = {}
        self.results: dict[tuple[Triple, int], Explanation | None] = {}

    def unknown(self, targets: list[Triple], depth: int) -> list[Triple]:
        """The triples up to `depth` inferred premises below `targets` whose candidates are not fetched yet. Those
        less deep were fetched for the previous height (breadth first), so their premises are known."""
        seen = dict.fromkeys(targets)
        level = list(seen)
        for _ in range(depth):
            below = [(p.subject, p.predicate, p.object) for t in level for c in self.candidates[t]
                     for p in c.premises if p.inferred]
            level = [t for t in dict.fromkeys(below) if t not in seen]
            seen.update(dict.fromkeys(level))
        return [t for t in seen if t not in self.candidates]

    def fetch(self, triples: list[Triple]) -> None:
        if triples:
            self.candidates.update(_candidates(self.kg, triples))

    def derivation(self, triple: Triple, height: int) -> Explanation | None:
        """A derivation of `triple` no taller than `height` (premises at most height - 1), or None. The candidates
        of every triple it reaches have been fetched (see `unknown`)."""
        key = (triple, height)
        if key not in self.results:
            self.results[key] = next((c for c in self.candidates[triple] if all(
                not p.inferred or (height > 1 and self.derivation((p.subject, p.predicate, p.object),
                                                                  height - 1) is not None)
                for p in c.premises)), None)
        return self.results[key]


@lru_cache(maxsize=1024)
def _rules_for(predicate: Any) -> tuple[Rule, ...]:
    is_type = predicate.value == RDF_TYPE
    return tuple(r for r in RULES if r.only == "*" or (
        predicate.value == _IRIS[r.only or r.id[-3:]] if r.id.startswith("scm") or r.only
        else r.applies_to_type == is_type))


def _candidates(kg: KnowledgeGraph, triples: list[Triple]) -> dict[Triple, list[Explanation]]:
    """Every rule application that concludes each triple (a few per rule), for up to _TRIPLES_PER_QUERY triples in
    one query: a branch per rule, each binding the conclusions it applies to with VALUES. (A branch per triple and
    rule costs the engine time quadratic in their number.)"""
    rows: list[tuple[Triple, Rule, dict[str, Any]]] = []
    inferred = f"<{kg.graphs.inferred}>"
    # A blank node cannot be written into query text (it would become a variable): where the store can bind one, one
    # rule at a time; a remote server's blank nodes cannot be named at all (a blank node in VALUES is a syntax error).
    unnamed = [t for t in triples if not nameable(*t)] if kg.store.capabilities.binds_blank_nodes else []
    for triple in unnamed:
        rows += [(triple, rule, row) for rule in _rules_for(triple[1])
                 for row in _solutions(kg, f"SELECT * WHERE {{ {_rule_pattern(rule, inferred)} }}", _bound(triple))]
    for chunk in chunks([t for t in triples if nameable(*t)], _TRIPLES_PER_QUERY):
        branches = [_rule_branch(rule, inferred, chunk) for rule in RULES]
        query = " UNION ".join(b for b in branches if b)
        for row in _solutions(kg, f"SELECT {_PROJECTION} WHERE {{ {query} }}", {}):
            triple = chunk[int(row.pop("triple_index").value)]
            rows.append((triple, RULES[int(row.pop("rule_index").value)], row))
    return {t: _ranked(t, c) for t, c in _grouped(triples, rows).items()}


def _rule_branch(rule: Rule, inferred: str, chunk: Sequence[Triple]) -> str:
    """The rule's pattern over the conclusions of `chunk` it applies to (VALUES ?s ?p ?o ?triple_index), or ""."""
    used = [k for k in "spo" if f"${k}" in rule.where + " ".join(rule.premises)]
    bindings = [(*(t for k, t in _bound(triple).items() if k in used), i)
                for i, triple in enumerate(chunk) if rule in _rules_for(triple[1])]
    if not bindings:
        return ""
    return (f"{{ {values_block([*used, 'triple_index'], bindings)} {_rule_pattern(rule, inferred)} "
            f"BIND({RULES.index(rule)} AS ?rule_index) }}")


def _grouped(triples: list[Triple], rows: list[tuple[Triple, Rule, dict[str, Any]]]
             ) -> dict[Triple, dict[str, list[dict[str, Any]]]]:
    """Solutions by triple and rule, each rule's first _CANDIDATES_PER_RULE in the order of the rule's variables
    (as they appear in its pattern): a few per rule bound the search, and every store offers the same few."""
    grouped: dict[Triple, dict[str, list[dict[str, Any]]]] = {t: {} for t in triples}
    for triple, rule, row in rows:
        grouped[triple].setdefault(rule.id, []).append(row)
    for by_rule in grouped.values():
        for rule_id, solutions in by_rule.items():
            order = _ORDER[rule_id]
            solutions.sort(key=lambda row: [_term_order(row.get(v)) for v in order])
            del solutions[_CANDIDATES_PER_RULE:]
    return grouped


def _ranked(triple: Triple, by_rule: dict[str, list[dict[str, Any]]]) -> list[Explanation]:
    """The candidates as explanations, in a stable order (fewest inferred premises, then rule, then premises)."""
    found = [Explanation(rule.id, rule.description, [
        _premise(template, {**_bound(triple), **row}, row.get(f"inferred_{i}"))
        for i, template in enumerate(rule.premises)]) for rule in RULES for row in by_rule.get(rule.id, [])]
    order = {rule.id: i for i, rule in enumerate(RULES)}
    return sorted(found, key=lambda e: (sum(p.inferred for p in e.premises), order[e.rule],
                                        [str(t) for p in e.premises for t in (p.subject, p.predicate, p.object)]))


def _bound(triple: Triple) -> dict[str, Any]:
    return dict(zip("spo", triple, strict=True))


def _term_order(term: Any) -> tuple[int, str, str]:
    """An order like SPARQL's ORDER BY: blank nodes, then IRIs, then literals; within each, by text (so numbers
    compare as text: which few of many candidates are kept need only be the same on every store)."""
    if isinstance(term, ox.Literal):
        return 3, term.value, term.language or term.datatype.value
    if isinstance(term, ox.NamedNode):
        return 2, term.value, ""
    return (1, term.value, "") if isinstance(term, ox.BlankNode) else (0, "", "")


def _rule_pattern(rule: Rule, inferred: str) -> str:
    """The rule's pattern over $s $p $o (bound by VALUES or substitutions) and, for each premise, ?inferred_i:
    whether it is inferred only (in the inferred graph and no other), asked in the same query, not one per
    premise."""
    flags = "".join(f" BIND({_inferred_only(template, inferred)} AS ?inferred_{i})"
                    for i, template in enumerate(rule.premises))
    return f"{rule.where.format(**_IRIS)}{flags}"


def _inferred_only(template: str, inferred: str) -> str:
    if "(" in template:
        return "false"  # the property chain's list stands for several triples, none of them a fact of the page
    pattern = template.format(**_IRIS)
    return (f"(EXISTS {{ GRAPH {inferred} {{ {pattern} }} }} && "
            f"NOT EXISTS {{ GRAPH ?asserted {{ {pattern} }} FILTER(?asserted != {inferred}) }})")


def _solutions(kg: KnowledgeGraph, query: str, bound: dict[str, Any]) -> list[dict[str, Any]]:
    substitutions = {ox.Variable(k): v for k, v in bound.items() if f"${k}" in query}
    solutions = kg.query(query, substitutions=substitutions)
    variables = [v.value for v in solutions.variables]
    return [{v: t for v, t in zip(variables, row, strict=True) if t is not None} for row in solutions]


def _premise(template: str, values: dict[str, Any], inferred: Any) -> Premise:
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
    return Premise(s, p, o, isinstance(inferred, ox.Literal) and inferred.value == "true")
