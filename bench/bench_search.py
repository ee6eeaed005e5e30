"""Autocomplete at scale: the search index's build time and the time per query, typed prefixes and typos.

    python bench/bench_search.py [--triples 500000] [--runs 20] [--json out.json]

Generates the synthetic dataset (bench/generate.py, same bytes for the same size), loads it as the service does
(the shipped ontology, the fast reasoner, in memory), then measures:

- `build`: the first search, which builds the index (four SPARQL queries: names, asserted types, descriptions,
  links in and out; folding every name; the sorted word-start keys; the vocabulary for fuzzy matching);
- per query, two paths: `function` is features.search.matching.search() itself; `http` is GET /search?q=...&limit=10
  through the real Flask app's test client, as the autocomplete asks (routing, parameters, JSON, caching headers;
  no socket), with the app's whole-response cache turned off so that every request searches.
  Each query runs once to warm up and then `--runs` times; p50 and p95 are over all those runs.

The goal (issue 11) is p95 under 50 ms at 500k triples.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What a person types into the header box: a name growing letter by letter, and the same with typos.
PREFIXES = ["vi", "vik", "vikt", "viktor b", "viktor bel", "be", "bel", "bele", "belen", "belenko", "belenko 1",
            "ai", "air", "airfield 1", "airfield 12", "fl", "flight 3", "la", "landing of", "model 3 var",
            "op", "operation 7", "kowalski", "document 4", "captain"]
TYPOS = ["belenco", "viktr", "airfeild", "kowalsky", "operaton", "landng of flight", "petorv", "tanka",
         "documnet 4", "regimnet 5"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(run: Any, queries: list[str], runs: int) -> dict[str, Any]:
    times: list[float] = []
    per_query: dict[str, float] = {}
    for query in queries:
        run(query)  # warm-up
        mine = []
        for _ in range(runs):
            started = time.perf_counter()
            run(query)
            mine.append((time.perf_counter() - started) * 1000)
        times.extend(mine)
        per_query[query] = statistics.median(mine)
    return {"p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95), "max_ms": max(times),
            "slowest": sorted(per_query.items(), key=lambda item: -item[1])[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from service.config import Settings
    from service.features.search import matching as search
    from service.features.search.index import index_for
    from service.store.graph import KnowledgeGraph
    from service.web import create_app

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "generated.nt"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(args.triples),
                        "-o", str(data)], check=True)
        started = time.perf_counter()
        kg = KnowledgeGraph.load(Settings(data_files=(data,), cache_dir=None, reasoner="fast"))
        load_s = time.perf_counter() - started
    started = time.perf_counter()
    index = index_for(kg)
    build_s = time.perf_counter() - started
    # The response cache off: every request runs the search (a repeated autocomplete query would be a cache hit).
    client = create_app(kg.with_settings(response_cache_bytes=0)).test_client()

    def over_http(query: str) -> None:
        response = client.get("/search", query_string={"q": query, "limit": "10"},
                              headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.get_json() is not None

    found = {q: [h.label for h in search.search(kg, q, limit=3)] for q in ("belenko 1", "belenco", "airfeild")}
    report: dict[str, Any] = {
        "triples": args.triples, "quads_in_store": kg.quad_count, "load_s": round(load_s, 2),
        "index": {"build_s": round(build_s, 3), "entities": len(index.entities), "names": len(index.names),
                  "word_starts": len(index.keys), "vocabulary": len(index.vocabulary)},
        "examples": found,
    }
    for path, run in (("function", lambda q: search.search(kg, q, limit=10)), ("http", over_http)):
        for kind, queries in (("prefixes", PREFIXES), ("typos", TYPOS), ("all", PREFIXES + TYPOS)):
            report[f"{path} {kind}"] = measure(run, queries, args.runs)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
