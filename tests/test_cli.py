"""The `histkg` command as a user runs it: a real subprocess, real files, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import isomorphic

DATA = Path(__file__).parent / "data"
ID = "https://histkg.example.org/id/"


def histkg(*args: str, cache: Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    env = {"HISTKG_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "error"}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True,
                          env=env, check=check, timeout=300)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture(scope="module")
def exports(cache: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("exports")
    written = {}
    for part in ("asserted", "inferred", "all"):
        for fmt in ("turtle", "jsonld", "ntriples", "nquads", "trig"):
            path = folder / f"{part}.{fmt}"
            histkg("export", "--graph", part, "--format", fmt, "-o", str(path), cache=cache, check=True)
            written[(part, fmt)] = path
    return written


def as_graph(path: Path, fmt: str) -> rdflib.Graph:
    """Re-parse with rdflib (an independent parser: the export was written by pyoxigraph or rdflib's writer)."""
    if fmt in ("nquads", "trig"):
        dataset = rdflib.Dataset()
        with warnings.catch_warnings():
            # rdflib 7.6's own TriG/N-Quads parsers call its deprecated Dataset.default_context internally.
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=path.read_bytes(), format=fmt)
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    if fmt == "jsonld":
        # pyld, an independent JSON-LD processor, expands it to N-Quads; rdflib reads those.
        nquads = jsonld.to_rdf(json.loads(path.read_text()), {"format": "application/n-quads"})
        return rdflib.Graph().parse(data=nquads, format="nt")  # default-graph N-Quads are N-Triples
    return rdflib.Graph().parse(data=path.read_bytes(), format={"turtle": "turtle", "ntriples": "nt"}[fmt])


@pytest.mark.parametrize("part", ["asserted", "inferred", "all"])
def test_every_export_format_holds_the_same_graph(exports: dict[tuple[str, str], Path], part: str) -> None:
    reference = as_graph(exports[(part, "ntriples")], "ntriples")
    assert len(reference) > 100
    for fmt in ("turtle", "jsonld", "nquads", "trig"):
        assert isomorphic(as_graph(exports[(part, fmt)], fmt), reference), fmt


def test_inferred_export_has_containment_and_inverses(exports: dict[tuple[str, str], Path]) -> None:
    graph = as_graph(exports[("inferred", "ntriples")], "ntriples")
    located = rdflib.URIRef("https://histkg.example.org/ontology#locatedIn")
    assert (rdflib.URIRef(ID + "hakodate-airport"), located, rdflib.URIRef(ID + "hokkaido")) in graph
    assert (rdflib.URIRef(ID + "hakodate-airport"), located, rdflib.URIRef(ID + "japan")) in graph
    contains = rdflib.URIRef("https://histkg.example.org/ontology#containsPlace")
    assert (rdflib.URIRef(ID + "japan"), contains, rdflib.URIRef(ID + "hakodate")) in graph
    assert all(not isinstance(s, rdflib.Literal) for s in graph.subjects())


def test_nquads_export_keeps_the_named_graphs(exports: dict[tuple[str, str], Path]) -> None:
    graphs = {q.graph_name.value for q in ox.parse(path=str(exports[("all", "nquads")]), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {f"https://histkg.example.org/graph/{g}" for g in ("ontology", "facts", "statements",
                                                                         "inferred")}


def test_jsonld_uses_a_local_context(exports: dict[tuple[str, str], Path]) -> None:
    document = json.loads(exports[("asserted", "jsonld")].read_text())
    context = document["@context"]
    assert isinstance(context, dict) and context["hk"] == "https://histkg.example.org/ontology#"


def test_query_outputs(cache: Path) -> None:
    query = f"SELECT ?unit WHERE {{ <{ID}viktor-belenko> <https://histkg.example.org/ontology#memberOf> ?unit }}"
    table = histkg("query", query, cache=cache, check=True).stdout
    assert "id:530-iap" in table and "row" in table
    parsed = json.loads(histkg("query", query, "--format", "json", cache=cache, check=True).stdout)
    units = {b["unit"]["value"] for b in parsed["results"]["bindings"]}
    assert ID + "530-iap" in units
    asserted = json.loads(histkg("query", query, "--format", "json", "--no-infer", cache=cache, check=True).stdout)
    assert len(asserted["results"]["bindings"]) < len(parsed["results"]["bindings"]), "roll-up is inferred"
    csv = histkg("query", query, "--format", "csv", cache=cache, check=True).stdout
    assert csv.splitlines()[0] == "unit"
    turtle = histkg("query", f"CONSTRUCT WHERE {{ <{ID}hakodate> ?p ?o }}", "--format", "turtle",
                    cache=cache, check=True).stdout
    assert len(rdflib.Graph().parse(data=turtle, format="turtle")) > 3


def test_saved_query_by_name(cache: Path) -> None:
    names = sorted(p.stem for p in (Path(__file__).parents[1] / "queries").glob("*.rq"))
    assert names
    result = histkg("query", "--saved", names[0], "--format", "json", cache=cache)
    assert result.returncode == 0, result.stderr
    assert "results" in json.loads(result.stdout) or "boolean" in json.loads(result.stdout)


@pytest.mark.parametrize(("args", "message"), [
    (["check", "--data", str(DATA / "malformed.ttl")], "malformed.ttl:5"),
    (["export", "--data", str(DATA / "absent.ttl")], "absent.ttl: no such file"),
    (["query", "--data", str(DATA / "inconsistent.ttl"), "ASK {}"], "inconsistent"),
    (["query", "SELECT * WHERE { ?s ?p "], "syntax error"),
    (["query", "INSERT DATA { <a:b> <a:c> <a:d> }"], "read-only"),
    (["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE"),
    (["query", "--saved", "../../etc/passwd"], "no saved query"),
    (["query"], "exactly one of"),
])
def test_bad_input_is_one_clear_line_and_exit_2(cache: Path, args: list[str], message: str) -> None:
    result = histkg(*args, cache=cache)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_export_to_missing_folder_fails_cleanly(cache: Path, tmp_path: Path) -> None:
    result = histkg("export", "-o", str(tmp_path / "nope" / "out.ttl"), cache=cache)
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not list(tmp_path.iterdir())


def test_check_passes_on_the_shipped_dataset(cache: Path) -> None:
    result = histkg("check", cache=cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SHACL: 0 violation(s)" in result.stdout


def test_check_reports_shacl_violations_with_exit_1(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix hk: <https://histkg.example.org/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<https://histkg.example.org/statement/x> a hk:Statement ; rdf:subject <https://histkg.example.org/id/a> ;
    rdf:predicate hk:locatedIn ; rdf:object <https://histkg.example.org/id/b> ; hk:status hk:Asserted .
""")
    result = histkg("check", "--data", str(bad), cache=cache)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "VIOLATION" in result.stdout and "st:x" in result.stdout  # the statement, by its prefixed name
