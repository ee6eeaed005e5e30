"""SHACL validation of what OWL RL cannot check: required labels, provenance on statements, date order, ..."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
import rdflib

from service.errors import DataFileError
from service.export import Part, quads
from service.store import KnowledgeGraph
from service.terms import triples_to_rdflib

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


def validate(kg: KnowledgeGraph, shapes_file: Path) -> ValidationReport:
    """Validate the union of every graph (so inferred types are targeted too) against the shapes."""
    try:
        shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    except (OSError, SyntaxError, ValueError) as error:
        raise DataFileError(str(shapes_file), str(error)) from None
    data = triples_to_rdflib(q.triple for q in quads(kg, Part.ALL))
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        violations.append(Violation(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=str(results.value(result, SH.focusNode) or ""),
            path=str(results.value(result, SH.resultPath) or ""),
            message=str(results.value(result, SH.resultMessage) or ""),
        ))
    violations.sort(key=lambda v: (v.severity != "Violation", v.focus, v.path))
    return ValidationReport(bool(conforms), violations)
