"""SHACL validation through the service: core shapes by pyshacl, SPARQL constraints on the query engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.features.validate import ValidationReport, validate
from service.store.graph import KnowledgeGraph

PREFIXES = """@prefix hk: <https://histkg.example.org/ontology#> .
@prefix id: <https://histkg.example.org/id/> .
@prefix st: <https://histkg.example.org/statement/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
id:src a hk:Article ; rdfs:label "A source"@en ; rdfs:comment "A source."@en .
id:a a hk:City ; rdfs:label "A"@en ; rdfs:comment "A city."@en .
id:b a hk:Country ; rdfs:label "B"@en ; rdfs:comment "A country."@en .
"""


def check(tmp_path: Path, turtle: str) -> ValidationReport:
    path = tmp_path / "data.ttl"
    path.write_text(PREFIXES + turtle)
    settings = Settings(data_files=(path,), cache_dir=tmp_path / "cache")
    kg = KnowledgeGraph.load(settings)
    assert settings.shapes_file is not None
    return validate(kg, settings.shapes_file)


def test_a_clean_fact_with_its_statement_conforms(tmp_path: Path) -> None:
    report = check(tmp_path, """id:a hk:locatedIn id:b .
st:s1 a hk:Statement ; rdf:subject id:a ; rdf:predicate hk:locatedIn ; rdf:object id:b ;
    hk:source id:src ; hk:quote "A lies in B" ; hk:status hk:Asserted .""")
    assert report.conforms, report.violations


def test_a_claim_that_is_also_a_fact_is_a_violation(tmp_path: Path) -> None:
    report = check(tmp_path, """id:a hk:locatedIn id:b .
st:claim a hk:Statement ; rdf:subject id:a ; rdf:predicate hk:locatedIn ; rdf:object id:b ;
    hk:source id:src ; hk:quote "they say A lies in B" ; hk:status hk:Claim ; hk:claimant id:src .""")
    assert not report.conforms
    assert any(v.focus.endswith("statement/claim") for v in report.errors)


def test_a_claim_derived_by_reasoning_is_caught_too(tmp_path: Path) -> None:
    """The claim's triple is not asserted, but the reasoner derives it (inverse): still a violation."""
    report = check(tmp_path, """id:a hk:locatedIn id:b .
st:claim a hk:Statement ; rdf:subject id:b ; rdf:predicate hk:containsPlace ; rdf:object id:a ;
    hk:source id:src ; hk:quote "they say B contains A" ; hk:status hk:Claim ; hk:claimant id:src .""")
    assert any(v.focus.endswith("statement/claim") for v in report.errors)


@pytest.mark.parametrize(("turtle", "focus"), [
    ("""id:ts a hk:TimeSpan ; rdfs:label "T"@en ; hk:earliest "1976-09-07"^^xsd:date ;
        hk:latest "1976-09-06"^^xsd:date .""", "id/ts"),
    ("""st:noquote a hk:Statement ; rdf:subject id:a ; rdf:predicate hk:locatedIn ; rdf:object id:b ;
        hk:source id:src ; hk:status hk:Asserted .""", "statement/noquote"),
    ("""id:x a hk:Person .""", "id/x"),
])
def test_violations_are_reported(tmp_path: Path, turtle: str, focus: str) -> None:
    report = check(tmp_path, turtle)
    assert any(v.focus.endswith(focus) for v in report.errors), report.violations


def test_a_cycle_in_the_order_of_events_is_a_violation_naming_every_event(tmp_path: Path) -> None:
    report = check(tmp_path, """id:e1 a hk:Event ; rdfs:label "First"@en ; hk:before id:e2 .
id:e2 a hk:Event ; rdfs:label "Second"@en ; hk:before id:e3 .
id:e3 a hk:Event ; rdfs:label "Third"@en ; hk:after id:e2 ; hk:before id:e1 .
id:e4 a hk:Event ; rdfs:label "Fourth"@en ; hk:after id:e3 .""")
    (cycle,) = [v for v in report.errors if "cycle" in v.message]
    assert cycle.path.endswith("#before") and cycle.focus.endswith("id/e1")
    for name in ("First", "Second", "Third"):
        assert name in cycle.message
    assert "Fourth" not in cycle.message  # after the cycle, not in it


def test_a_consistent_order_is_not_a_cycle(tmp_path: Path) -> None:
    report = check(tmp_path, """id:e1 a hk:Event ; rdfs:label "First"@en ; hk:before id:e2 .
id:e2 a hk:Event ; rdfs:label "Second"@en ; hk:after id:e1 ; hk:before id:e3 .
id:e3 a hk:Event ; rdfs:label "Third"@en .""")
    assert not [v for v in report.violations if "cycle" in v.message]


def test_histkg_check_reports_the_cycle_of_the_fixture_and_exits_1(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from service.cli import main

    fixture = Path(__file__).parent / "data" / "order-cycle.ttl"
    result = CliRunner().invoke(main, ["check", "--data", str(fixture), "--no-cache"], env={
        "HISTKG_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.output.splitlines() if "cycle" in line]
    assert line.startswith("VIOLATION")
    for label in ("The arrest", "The trial", "The sentence"):
        assert label in line
    assert "The appeal" not in line
