"""SHACL validation of what OWL RL cannot check: required labels, provenance on statements, date order, ...

Core constraints go to pyshacl. SPARQL-based constraints (sh:sparql) are run here on the query engine instead:
pyshacl re-parses each constraint's query with rdflib once per focus node, which took 90 s of a 100 s check on
the shipped dataset; run once with `$this` free and joined to the targets, they take milliseconds. `$this` and
`?this` are the same SPARQL variable, so the constraint's text runs unchanged.

Beyond the shapes: a cycle in the order of events (A before B before A) is a data error. hk:before is transitive,
so after reasoning every event of a cycle is before itself; the events that are mutually before one another form
one cycle, reported once, naming them all (by label and IRI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib

from service.errors import DataFileError, QueryError
from service.features.export import Part, quads
from service.features.nodes import iri_node
from service.rdf.namespaces import HK
from service.rdf.terms import triples_to_rdflib
from service.store.graph import KnowledgeGraph

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass
class Violation:
    severity: str       # Violation, Warning, Info
    focus: str
    path: str
    message: str


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]


@dataclass
class SparqlConstraint:
    shape: rdflib.term.Node
    select: str
    message: str
    severity: str
    target_classes: list[str]


def validate(kg: KnowledgeGraph, shapes_file: Path) -> ValidationReport:
    """Validate the union of every graph (so inferred types are targeted too) against the shapes."""
    try:
        shapes = rdflib.Graph().parse(data=shapes_file.read_bytes(), format="turtle")
    except (OSError, SyntaxError, ValueError) as error:
        raise DataFileError(str(shapes_file), str(error)) from None
    constraints = sparql_constraints(shapes)
    for shape, node in [(c.shape, n) for c in constraints for n in shapes.objects(c.shape, SH.sparql)]:
        shapes.remove((shape, SH.sparql, node))
    data = triples_to_rdflib(q.triple for q in quads(kg, Part.ALL))
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    violations = _core_violations(results)
    for constraint in constraints:
        violations += _run_sparql_constraint(kg, constraint)
    violations += [_cycle_violation(kg, cycle) for cycle in order_cycles(kg)]
    violations.sort(key=lambda v: (v.severity != "Violation", v.focus, v.path))
    return ValidationReport(not any(v.severity == "Violation" for v in violations), violations)


def _core_violations(results: rdflib.Graph) -> list[Violation]:
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        violations.append(Violation(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=str(results.value(result, SH.focusNode) or ""),
            path=str(results.value(result, SH.resultPath) or ""),
            message=str(results.value(result, SH.resultMessage) or ""),
        ))
    return violations


def sparql_constraints(shapes: rdflib.Graph) -> list[SparqlConstraint]:
    found = []
    for shape, node in shapes.subject_objects(SH.sparql):
        select = shapes.value(node, SH.select)
        if select is None:
            continue
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for source in shapes.objects(node, SH.prefixes) for d in shapes.objects(source, SH.declare))
        severity = shapes.value(shape, SH.severity)
        found.append(SparqlConstraint(
            shape, prefixes + str(select), str(shapes.value(node, SH.message) or "SPARQL constraint failed"),
            str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            [str(c) for c in shapes.objects(shape, SH.targetClass)]))
    return found


def _run_sparql_constraint(kg: KnowledgeGraph, constraint: SparqlConstraint) -> list[Violation]:
    targets: set[str] = set()
    for target_class in constraint.target_classes:
        rows = kg.query("SELECT DISTINCT ?this WHERE { ?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                        f"<{target_class}> }}")
        targets |= {row["this"].value for row in rows}
    try:
        solutions = kg.query(constraint.select)
    except SyntaxError as error:
        raise QueryError(f"SHACL constraint of {constraint.shape}: {error}") from None
    variables = [v.value for v in solutions.variables]
    violations = []
    for row in solutions:
        values = {v: row[v] for v in variables if row[v] is not None}
        focus = values.get("this")
        if focus is None or focus.value not in targets:
            continue
        violations.append(Violation(constraint.severity, focus.value, str(values.get("path", "")).strip("<>"),
                                    _message(constraint.message, values)))
    return violations


def _message(template: str, values: dict[str, Any]) -> str:
    for name, term in values.items():
        text = getattr(term, "value", str(term))
        template = template.replace(f"{{?{name}}}", text).replace(f"{{${name}}}", text)
    return template


def order_cycles(kg: KnowledgeGraph) -> list[list[str]]:
    """Each cycle in the order of events: the IRIs of events that come (transitively) before one another, sorted;
    the cycles sorted by their first IRI. Empty when the order is consistent."""
    before = f"<{HK}before>"
    rows = kg.query(f"SELECT DISTINCT ?a ?b WHERE {{ ?a {before} ?a . ?a {before} ?b . ?b {before} ?a }}")
    mates: dict[str, set[str]] = {}
    for row in rows:
        a, b = row["a"], row["b"]
        if isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode):
            mates.setdefault(a.value, {a.value}).add(b.value)
    cycles: list[list[str]] = []
    seen: set[str] = set()
    for iri in sorted(mates):
        if iri not in seen:
            cycle = sorted(mates[iri])
            seen.update(cycle)
            cycles.append(cycle)
    return cycles


def _cycle_violation(kg: KnowledgeGraph, cycle: list[str]) -> Violation:
    named = ", ".join(f"{iri_node(kg, iri).label} <{iri}>" for iri in cycle)
    message = (f"The order of events has a cycle: each of {named} comes before itself (hk:before / hk:after, "
               "asserted or inferred); one of the order facts between them is wrong." if len(cycle) > 1 else
               f"The order of events has a cycle: {named} comes before itself (hk:before / hk:after).")
    return Violation("Violation", cycle[0], HK + "before", message)
