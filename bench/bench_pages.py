"""Entity page render on a cache miss: GET an entity page through the real Flask app, response cache off.

    python bench/bench_pages.py [--runs 200] [--path /id/viktor-belenko ...] [--json out.json]

Loads the shipped dataset as the service does (in memory, the closure cache in a private folder), builds the app
with its whole-response cache turned off (`response_cache_bytes=0`), so every request describes the entity and
renders the template: statements, explanations, notes, references, events, the HTML. Per path: one warm-up request
(what a process computes once per graph, such as the timeline and the ontology's display annotations, is not the
page's cost), then `--runs` timed requests through the test client (routing, negotiation, caching headers; no
socket). Prints p50 / p95 / max in milliseconds. The goal (issue 11) is p50 under 10 ms for Belenko's page.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Settings  # noqa: E402
from service.store.graph import KnowledgeGraph  # noqa: E402
from service.web import create_app  # noqa: E402

PATHS = ["/id/viktor-belenko", "/id/belenko-mig-25", "/id/belenko-defection", "/statement/claim-drugged"]
HTML = {"Accept": "text/html"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--path", action="append", help="page paths (default: a few entity and statement pages)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        kg = KnowledgeGraph.load(Settings(cache_dir=Path(cache), response_cache_bytes=0).with_(storage="memory"))
        client = create_app(kg).test_client()
        results = {}
        for path in args.path or PATHS:
            first = client.get(path, headers=HTML)
            assert first.status_code == 200, (path, first.status_code)
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get(path, headers=HTML)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            results[path] = {"p50_ms": round(percentile(times, 0.5), 2), "p95_ms": round(percentile(times, 0.95), 2),
                             "max_ms": round(max(times), 2), "bytes": len(first.data), "runs": args.runs}
            print(f"{path:40} p50 {results[path]['p50_ms']:7.2f} ms  p95 {results[path]['p95_ms']:7.2f} ms  "
                  f"max {results[path]['max_ms']:7.2f} ms  {len(first.data):,} bytes")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
