"""SELECT answers the engine writes itself (query.sparql.write_by_engine) mean the same as the row-by-row writer's,
and the row cap still holds: an answer that might pass it is left to the row-by-row path, which cuts it."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from service.query.executor import close_pool, execute
from service.query.sparql import Dataset, prepare, run, write_by_engine, write_result
from service.rdf import formats
from service.store.graph import KnowledgeGraph

HK = "PREFIX hk: <https://histkg.example.org/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
QUERIES = {
    "languages": HK + "SELECT ?person ?name WHERE { ?person a hk:Person ; rdfs:label ?name } ORDER BY ?name",
    "counts": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type",
    "unbound": HK + ("SELECT ?person ?rank WHERE { ?person a hk:Person OPTIONAL { ?person hk:rank ?rank } } "
                     "ORDER BY ?person"),
    "blank-nodes": "SELECT ?s ?p WHERE { ?s ?p ?o FILTER(isBlank(?s)) } ORDER BY ?p LIMIT 50",
    "typed-and-quotes": ('SELECT ?x ?y ?z WHERE { VALUES (?x ?y ?z) { (1 "a \\"quoted\\" <tag> & co"@en '
                         '"2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) } }'),
    "no-rows": "SELECT ?s WHERE { ?s <urn:x:nothing> ?o }",
    "no-variables": "SELECT * WHERE { }",
}
ENGINE_FORMATS = ["json", "xml"]


def solutions(body: bytes, fmt_name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The answer as variables and rows of terms, parsed by the engine's own results parser."""
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(
        formats.by_name(fmt_name).media_type))  # type: ignore[union-attr]
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return names, [tuple(row[i] for i in range(len(names))) for row in parsed]


@pytest.mark.parametrize("fmt_name", ENGINE_FORMATS)
@pytest.mark.parametrize("name", list(QUERIES))
def test_same_answer_as_the_row_writer(kg: KnowledgeGraph, name: str, fmt_name: str) -> None:
    fmt = formats.by_name(fmt_name)
    assert fmt is not None
    query = prepare(QUERIES[name], set(kg.graph_names()))
    by_engine = write_by_engine(kg, query, Dataset(), fmt, limit=10_000)
    if not kg.store.capabilities.writes_answers:
        assert by_engine is None  # a remote store's answer comes over HTTP, already written
        return
    assert by_engine is not None
    by_rows = write_result(run(kg, query, Dataset(), limit=10_000), fmt)
    assert solutions(by_engine, fmt_name) == solutions(by_rows, fmt_name)


@pytest.mark.stores("memory", "disk")
def test_infer_false_is_kept(kg: KnowledgeGraph) -> None:
    query = prepare(QUERIES["counts"], set(kg.graph_names()))
    fmt = formats.by_name("json")
    assert fmt is not None
    for infer in (True, False):
        by_engine = write_by_engine(kg, query, Dataset(infer), fmt, limit=10_000)
        assert by_engine is not None
        assert solutions(by_engine, "json") == solutions(write_result(run(kg, query, Dataset(infer)), fmt), "json")
    assert write_by_engine(kg, query, Dataset(True), fmt, limit=10_000) != \
        write_by_engine(kg, query, Dataset(False), fmt, limit=10_000)


@pytest.mark.stores("memory", "disk")
@pytest.mark.parametrize("limit", [1, 5, 66, 67, 68, 200])
def test_answers_past_the_cap_are_left_to_the_row_writer(kg: KnowledgeGraph, limit: int) -> None:
    query = prepare(QUERIES["counts"], set(kg.graph_names()))
    rows = len(run(kg, query).rows)
    fmt = formats.by_name("json")
    assert fmt is not None
    by_engine = write_by_engine(kg, query, Dataset(), fmt, limit=limit)
    if limit < rows:
        assert by_engine is None
    else:  # within the cap, even past the size that proves it without counting (67 rows x 3 bytes)
        assert by_engine is not None
        assert len(solutions(by_engine, "json")[1]) == rows


@pytest.mark.stores("memory", "disk")
def test_through_the_query_processes(kg: KnowledgeGraph) -> None:
    """In a query process the engine writes small answers (not counted: size None); a capped one is cut and says
    so, as before."""
    short = kg.with_settings(result_limit=5)
    query = prepare(QUERIES["counts"], set(kg.graph_names()))
    fmt = formats.by_name("json")
    try:
        whole = execute(short, query, limit=10_000, fmt=fmt)
        cut = execute(short, query, limit=5, fmt=fmt)
    finally:
        close_pool(short)
    assert whole.size is None and whole.truncated_at is None and whole.body is not None
    assert cut.size == 5 and cut.truncated_at == 5 and cut.body is not None
    assert len(solutions(whole.body, "json")[1]) > 5
    assert len(solutions(cut.body, "json")[1]) == 5


@pytest.mark.parametrize(("text", "fmt_name"), [
    ("ASK { ?s ?p ?o }", "json"),
    ("CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "turtle"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "csv"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "tsv"),
])
def test_other_forms_and_formats_keep_the_row_writer(kg: KnowledgeGraph, text: str, fmt_name: str) -> None:
    fmt = formats.by_name(fmt_name)
    assert fmt is not None
    assert write_by_engine(kg, prepare(text, set(kg.graph_names())), Dataset(), fmt, limit=10) is None
