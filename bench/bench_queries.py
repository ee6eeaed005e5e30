"""The benchmark query set on rdflib's SPARQL engine, pyoxigraph, and histkg's own query path, on the same data.

`histkg` is the service's path for a query: the guard (`sparql.prepare`), the default dataset (asserted + inferred),
the run with its deadline checks, rows collected. `histkg-store` is pyoxigraph's own `Store.query` on that very
store and default graph (same triples, same answers): histkg / histkg-store is what the service adds, and the goal
(issue 6) is to stay within 1.5x of pyoxigraph's own time. `histkg-disk` / `histkg-disk-store` are the same over the
on-disk store snapshot (`--storage disk`, what `auto` picks for large datasets); the snapshot folder is left in a
temporary folder (remove /tmp/histkg-bench-disk-*). `pyoxigraph` and `rdflib` see the asserted file only.

    python bench/bench_queries.py [--sizes 50000 500000] [--runs 3] [--json out.json]

Each (engine, size) runs in its own subprocess: it parses the generated file plus the ontology, then runs every
query once to warm up and `--runs` more times; the median is reported, with the number of result rows, which must be
the same on both engines. Asserted triples only (no closure), so the transitive queries use property paths.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """PREFIX hk: <https://histkg.example.org/ontology#>
PREFIX id: <https://histkg.example.org/id/gen->
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
QUERIES = {
    "lookup": "SELECT ?p ?o WHERE { id:person-3 ?p ?o }",
    "statements": """SELECT ?st ?p ?doc ?quote WHERE { ?st rdf:subject id:person-3 ; rdf:predicate ?p ;
        hk:source ?doc ; hk:quote ?quote }""",
    "join": """SELECT ?pilot ?model ?label WHERE { ?flight hk:pilot ?pilot ; hk:aircraftUsed ?aircraft .
        ?aircraft hk:model ?model . ?model rdfs:label ?label . ?pilot hk:rank id:rank-captain }""",
    "transitive": """SELECT ?event WHERE { ?event hk:place/hk:locatedIn* id:country-0 }""",
    "sub-events": """SELECT (COUNT(?e) AS ?n) WHERE { ?e hk:subEventOf+ id:operation-0 }""",
    "aggregate": """SELECT ?country (COUNT(?flight) AS ?flights) WHERE { ?flight hk:origin ?airfield .
        ?airfield hk:locatedIn/hk:locatedIn/hk:locatedIn ?country } GROUP BY ?country ORDER BY DESC(?flights)""",
    "dates": """SELECT ?flight ?d WHERE { ?flight a hk:Flight ; hk:timeSpan/hk:earliest ?d .
        FILTER(?d >= "1976-01-01"^^xsd:date && ?d < "1977-01-01"^^xsd:date) }""",
    "label-search": """SELECT ?s ?label WHERE { ?s rdfs:label ?label .
        FILTER(CONTAINS(LCASE(STR(?label)), "belenko")) }""",
}


def load(engine: str, path: Path) -> Any:
    if engine in ("histkg", "histkg-store"):
        from service.config import Settings
        from service.store.graph import KnowledgeGraph

        return KnowledgeGraph.load(Settings(data_files=(path,), cache_dir=None, reasoner="fast"))
    if engine in ("histkg-disk", "histkg-disk-store"):  # the same store as an on-disk snapshot (service.store.snapshot)
        import tempfile

        from service.config import Settings
        from service.store.graph import KnowledgeGraph

        cache = Path(tempfile.mkdtemp(prefix="histkg-bench-disk-"))
        return KnowledgeGraph.load(Settings(data_files=(path,), cache_dir=cache, reasoner="fast", storage="disk"))
    ontology = [ROOT / "ontology" / "histkg.ttl", ROOT / "ontology" / "alignment.ttl"]
    if engine == "rdflib":
        import rdflib

        graph = rdflib.Graph()
        graph.parse(path, format="nt")
        for file in ontology:
            graph.parse(file, format="turtle")
        return graph
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    for file in ontology:
        store.bulk_load(path=str(file), format=ox.RdfFormat.TURTLE)
    return store


def run(engine: str, graph: Any, query: str) -> int:
    if engine in ("histkg", "histkg-disk"):
        from service.query.sparql import Dataset, prepare
        from service.query.sparql import run as run_query

        prepared = prepare(PREFIXES + query, set(graph.graph_names()))
        return run_query(graph, prepared, Dataset(infer=True)).size
    if engine in ("histkg-store", "histkg-disk-store"):
        return len(list(graph.store.query(PREFIXES + query)))
    if engine == "rdflib":
        return len(list(graph.query(PREFIXES + query)))
    import pyoxigraph as ox

    return len(list(graph.query(PREFIXES + query, default_graph=ox.DefaultGraph())))


def child(engine: str, path: Path, runs: int) -> None:
    started = time.perf_counter()
    graph = load(engine, path)
    result: dict[str, Any] = {"load_seconds": time.perf_counter() - started, "queries": {}}
    for name, query in QUERIES.items():
        rows = run(engine, graph, query)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            run(engine, graph, query)
            times.append(time.perf_counter() - started)
        result["queries"][name] = {"median": statistics.median(times), "rows": rows}
    result["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50000, 500000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/histkg-bench"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--engines", nargs="+", default=["pyoxigraph", "rdflib", "histkg-store", "histkg"])
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.runs)
        return
    results = {}
    for size in args.sizes:
        path = args.data_dir / f"generated-{size}.nt"
        if not path.exists():
            args.data_dir.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(size),
                            "-o", str(path)], check=True)
        for engine in args.engines:
            done = subprocess.run([sys.executable, __file__, "--runs", str(args.runs), "--child", engine, str(path)],
                                  capture_output=True, text=True, check=True)
            results[f"{engine}@{size}"] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{engine:10} {size:>8} {json.dumps(results[f'{engine}@{size}'])}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
