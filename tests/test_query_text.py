"""Saved queries opened in the SPARQL editor keep their parameters: the text with VALUES gives the engine's rows."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from service.features import query_text
from service.features.saved_queries import SavedQuery, load_saved_queries
from service.query.executor import execute
from service.query.sparql import Dataset, prepare
from service.store.graph import KnowledgeGraph

# Values other than the defaults, to show the parameter is what picks the rows.
OTHER_VALUES = {"aircraft": "id:zuyev-mig-29", "person": "id:aleksandr-zuyev", "organisation": "id:530-iap",
                "agent": "id:viktor-belenko", "place": "id:hakodate", "event": "id:belenko-defection",
                "entity": "id:mig-25"}


@pytest.fixture(scope="module")
def saved(kg: KnowledgeGraph) -> dict[str, SavedQuery]:
    return load_saved_queries(kg.settings.queries_dir)


def _rows(kg: KnowledgeGraph, text: str, substitutions: dict[str, object] | None = None) -> list[tuple[str, ...]]:
    result = execute(kg, prepare(text, set(kg.graph_names())), Dataset(), substitutions=substitutions).result
    assert result is not None
    return sorted(tuple("" if t is None else str(t) for t in row) for row in result.rows) + sorted(
        (str(t.subject), str(t.predicate), str(t.object)) for t in result.triples)


def test_every_parametrised_saved_query_gives_the_same_rows(kg: KnowledgeGraph,
                                                            saved: dict[str, SavedQuery]) -> None:
    checked = 0
    for query in saved.values():
        if not query.parameters:
            continue
        for values in ({}, {p.name: OTHER_VALUES[p.name] for p in query.parameters if p.name in OTHER_VALUES}):
            bindings = query.bind(values)
            text = query_text.with_values(query.text, bindings)
            assert "VALUES ?" in text
            expected = _rows(kg, query.text, bindings)
            assert _rows(kg, text) == expected, f"{query.name} with {values}"
            checked += 1
    assert checked >= 16


def test_aircraft_fate_for_zuyevs_mig_is_not_all_aircraft(kg: KnowledgeGraph,
                                                           saved: dict[str, SavedQuery]) -> None:
    query = saved["aircraft-fate"]
    text = query_text.with_values(query.text, query.bind({"aircraft": "id:zuyev-mig-29"}))
    rows = _rows(kg, text)
    assert rows and all(row[0] == "<https://histkg.example.org/id/zuyev-mig-29>" for row in rows)
    assert rows != _rows(kg, query.text)


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {"),
    ("# a { in a comment\nSELECT ?x ('{' AS ?y) { ?x ?p ?o }", "SELECT ?x ('{' AS ?y) {"),
    ("PREFIX select: <http://e/>\nSELECT ?select WHERE { ?select select:p '}' }", "SELECT ?select WHERE {"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {"),
    ('ASK { ?s ?p """a } { b""" }', "ASK {"),
])
def test_the_where_group_is_found(text: str, expected: str) -> None:
    at = query_text.where_group_start(text)
    assert at is not None and text[:at].endswith(expected)
    bound = query_text.with_values(text, {"z": ox.NamedNode("https://histkg.example.org/id/japan")})
    ox.Store().query(bound)  # still a query the engine parses


def test_without_a_group_the_values_trail() -> None:
    assert query_text.where_group_start("SELECT ?x") is None
    assert query_text.where_group_start("CONSTRUCT WHERE { ?s ?p ?o }") is None  # only triples allowed inside
    short = query_text.with_values("CONSTRUCT WHERE { ?s ?p ?z }", {"z": ox.NamedNode("https://e.org/x")})
    ox.Store().query(short)
    assert query_text.with_values("SELECT ?x", {"x": ox.Literal("1")}).endswith('VALUES (?x) { ("1") }\n')
    assert query_text.with_values("SELECT * { }", {}) == "SELECT * { }"
