"""Why is an inferred triple there? The OWL 2 RL rule and the premises (asserted or inferred) that produce it.

Each rule of the OWL 2 RL profile (OWL 2 Profiles, section 4.3) that concludes a kept triple is written as a SPARQL
pattern over the conclusion's terms (service.provenance.rules); the shallowest rule application whose premises
hold in the closure explains the triple. The
premises are themselves triples, each marked asserted or inferred, so an explanation can be followed down.

The triples of a page are explained together (`explain_many`): one query per derivation height, for all of them,
so a page over a remote SPARQL server costs a few requests, not a few per inferred fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from service.provenance.rules import IRIS, LIST_LENGTHS, Rule, sized
from service.rdf.namespaces import RDF_TYPE
from service.store.batches import chunks, nameable, values_block
from service.store.caches import BoundedCache
from service.store.graph import KnowledgeGraph

Triple = tuple[Any, Any, Any]


def _UNBASED_FIRST(variable: str) -> bool:
    return variable != "unbased"


class RuleSet:
    """The rules of one graph (service.provenance.rules, sized to its lists), with what a batch query needs."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        # Each rule's solutions are ordered by its variables in order of appearance ($s $p $o are fixed).
        self.order = [sorted(dict.fromkeys(v[1:] for v in re.findall(r"\?\w+", r.where)), key=_UNBASED_FIRST)
                      for r in rules]
        # The conclusion's terms each rule uses ($s $p $o): bound by VALUES or substitution, the others left free.
        self.used = [[k for k in "spo" if f"${k}" in r.where + " ".join(r.premises)] for r in rules]
        # What a batch of candidates returns: not the conclusions' terms, known from ?triple_index.
        self.projection = " ".join(f"?{v}" for v in dict.fromkeys(
            ["triple_index", "rule_index", *(v for order in self.order for v in order),
             *(f"inferred_{i}" for i in range(max(len(r.premises) for r in rules)))]))
        self._applicable: dict[Any, tuple[int, ...]] = {}

    def selected(self, index: int) -> str:
        """What a query for one rule projects: the conclusion's terms it uses (so that they can be substituted, a
        FILTER's too), its variables and its premises' flags."""
        flags = [f"?inferred_{i}" for i in range(len(self.rules[index].premises))]
        return " ".join([*(f"?{k}" for k in self.used[index]), *(f"?{v}" for v in self.order[index]), *flags])

    def applicable(self, predicate: Any) -> tuple[int, ...]:
        """The indexes of the rules that can conclude a triple with this predicate."""
        found = self._applicable.get(predicate)
        if found is None:
            is_type = predicate.value == RDF_TYPE
            found = self._applicable[predicate] = tuple(i for i, r in enumerate(self.rules) if (
                r.concludes == "*" or (r.concludes == "type" and is_type) or (r.concludes == "other" and not is_type)
                or predicate.value in {IRIS.get(k) for k in r.concludes.split()}))
        return found


@dataclass
class GraphRules:
    """A graph's RuleSet, made on first use: one query for the lengths of its chains, keys and intersections."""

    found: RuleSet | None = None


def rule_set(kg: KnowledgeGraph) -> RuleSet:
    cache = kg.derived(GraphRules)
    if cache.found is None:
        lengths = frozenset((row["kind"].value, int(row["n"].value)) for row in _solutions(kg, LIST_LENGTHS, {}))
        cache.found = RuleSet(sized(lengths))
    return cache.found


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


def _candidates(kg: KnowledgeGraph, triples: list[Triple]) -> dict[Triple, list[Explanation]]:
    """Every rule application that concludes each triple (a few per rule), for up to _TRIPLES_PER_QUERY triples in
    one query: a branch per rule, each binding the conclusions it applies to with VALUES. (A branch per triple and
    rule costs the engine time quadratic in their number.)"""
    rules = rule_set(kg)
    rows: list[tuple[Triple, int, dict[str, Any]]] = []
    inferred = f"<{kg.graphs.inferred}>"
    # A blank node cannot be written into query text (it would become a variable): where the store can bind one, one
    # rule at a time; a remote server's blank nodes cannot be named at all (a blank node in VALUES is a syntax error).
    unnamed = [t for t in triples if not nameable(*t)] if kg.store.capabilities.binds_blank_nodes else []
    for triple in unnamed:
        rows += [(triple, index, row) for index in rules.applicable(triple[1]) for row in _solutions(
            kg, f"SELECT {rules.selected(index)} WHERE {{ {_rule_pattern(rules.rules[index], inferred)} }}",
            _bound(triple))]
    for chunk in chunks([t for t in triples if nameable(*t)], _TRIPLES_PER_QUERY):
        branches = [_rule_branch(rules, index, inferred, chunk) for index in range(len(rules.rules))]
        query = " UNION ".join(b for b in branches if b)
        for row in _solutions(kg, f"SELECT {rules.projection} WHERE {{ {query} }}", {}):
            triple = chunk[int(row.pop("triple_index").value)]
            rows.append((triple, int(row.pop("rule_index").value), row))
    return {t: _ranked(rules, t, c) for t, c in _grouped(rules, triples, rows).items()}


def _rule_branch(rules: RuleSet, index: int, inferred: str, chunk: Sequence[Triple]) -> str:
    """The rule's pattern over the conclusions of `chunk` it applies to (VALUES ?s ?p ?o ?triple_index), or ""."""
    used = rules.used[index]
    bindings = [(*(t for k, t in _bound(triple).items() if k in used), i)
                for i, triple in enumerate(chunk) if index in rules.applicable(triple[1])]
    if not bindings:
        return ""
    return (f"{{ {values_block([*used, 'triple_index'], bindings)} {_rule_pattern(rules.rules[index], inferred)} "
            f"BIND({index} AS ?rule_index) }}")


def _grouped(rules: RuleSet, triples: list[Triple], rows: list[tuple[Triple, int, dict[str, Any]]]
             ) -> dict[Triple, dict[int, list[dict[str, Any]]]]:
    """Solutions by triple and rule, each rule's first _CANDIDATES_PER_RULE: fewest inferred premises first (those
    lead down to asserted triples soonest; a class of equivalent classes or equal individuals otherwise offers
    rewrites of each other only), then in the order of the rule's variables: a few per rule bound the search, and
    every store offers the same few."""
    grouped: dict[Triple, dict[int, list[dict[str, Any]]]] = {t: {} for t in triples}
    for triple, index, row in rows:
        grouped[triple].setdefault(index, []).append(row)
    for by_rule in grouped.values():
        for index, solutions in by_rule.items():
            order = rules.order[index]
            solutions.sort(key=lambda row: (_inferred_count(row), [_term_order(row.get(v)) for v in order]))
            del solutions[_CANDIDATES_PER_RULE:]
    return grouped


def _ranked(rules: RuleSet, triple: Triple, by_rule: dict[int, list[dict[str, Any]]]) -> list[Explanation]:
    """The candidates as explanations, in a stable order (fewest inferred premises, then rule, then premises)."""
    found = [(index, Explanation(rule.id, rule.description, [
        _premise(template, {**_bound(triple), **row}, row.get(f"inferred_{i}"))
        for i, template in enumerate(rule.premises)]))
        for index, rule in enumerate(rules.rules) for row in by_rule.get(index, [])]
    found.sort(key=lambda pair: (sum(p.inferred for p in pair[1].premises), pair[0],
                                 [str(t) for p in pair[1].premises for t in (p.subject, p.predicate, p.object)]))
    return [e for _, e in found]


def _inferred_count(row: dict[str, Any]) -> int:
    return sum(term.value == "true" for name, term in row.items() if name.startswith("inferred_"))


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
    return f"{rule.where.format(**IRIS, inferred=inferred.strip('<>'))}{flags}"


def _inferred_only(template: str, inferred: str) -> str:
    pattern = template.format(**IRIS)
    return (f"(EXISTS {{ GRAPH {inferred} {{ {pattern} }} }} && "
            f"NOT EXISTS {{ GRAPH ?asserted {{ {pattern} }} FILTER(?asserted != {inferred}) }})")


def _solutions(kg: KnowledgeGraph, query: str, bound: dict[str, Any]) -> list[dict[str, Any]]:
    substitutions = {ox.Variable(k): v for k, v in bound.items() if f"${k}" in query}
    solutions = kg.query(query, substitutions=substitutions)
    variables = [v.value for v in solutions.variables]
    return [{v: t for v, t in zip(variables, row, strict=True) if t is not None} for row in solutions]


def _premise(template: str, values: dict[str, Any], inferred: Any) -> Premise:
    terms: list[Any] = []
    for part in template.split(" ", 2):
        if part == "a":
            terms.append(ox.NamedNode(RDF_TYPE))
        elif part.startswith(("$", "?")):
            terms.append(values.get(part[1:]))
        else:
            terms.append(ox.NamedNode(part.strip("<>").format(**IRIS)))
    s, p, o = terms
    return Premise(s, p, o, isinstance(inferred, ox.Literal) and inferred.value == "true")
