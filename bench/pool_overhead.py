"""What running a query outside the serving process costs: in-process vs the pre-forked pool vs fork-per-query.

    python bench/pool_overhead.py [--n 500] [--no-write]

Each mode runs the same small SELECT (20 labels, written as SPARQL JSON) n times on the shipped graph, one at a
time; the figure is the mean wall time per query. Also: how long the pool takes to notice a timeout and free the
CPU (the limit is 1 s here).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import machine, write_results
from service.config import Settings
from service.errors import QueryTimeout
from service.query import executor
from service.query.sparql import prepare, run
from service.rdf import formats
from service.store.graph import KnowledgeGraph

SMALL = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def per_query(fn: object, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - started) / n * 1000


def fork_per_query(kg: KnowledgeGraph, query: object, fmt: formats.Format) -> bytes:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        body = executor.write(run(kg, query, limit=10_000), fmt)  # type: ignore[arg-type]
        os.write(write, pickle.dumps(body))
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return pickle.loads(b"".join(chunks))  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    kg = KnowledgeGraph.load(Settings(query_timeout=1.0))
    fmt = formats.by_name("json")
    assert fmt is not None
    query = prepare(SMALL, set(kg.graph_names()))
    executor.pool_for(kg)
    rows = [
        ("in-process (no time limit that stops the engine)",
         per_query(lambda: executor.write(run(kg, query, limit=10_000), fmt), args.n)),
        ("pre-forked pool (chosen)", per_query(lambda: executor.execute(kg, query, limit=10_000, fmt=fmt), args.n)),
        ("fork per query", per_query(lambda: fork_per_query(kg, query, fmt), max(50, args.n // 5))),
    ]
    started = time.perf_counter()
    with contextlib.suppress(QueryTimeout):
        executor.execute(kg, prepare(SLOW, set()))
    stopped = time.perf_counter() - started
    table = ["| mode | ms per query |", "| --- | --- |", *(f"| {name} | {ms:.2f} |" for name, ms in rows)]
    text = (f"{machine()}; shipped graph ({len(kg.store)} quads), a 20-row SELECT written as SPARQL JSON, "
            f"{args.n} runs.\n\n" + "\n".join(table) +
            f"\n\nA cartesian product under a 1 s limit answered 503 after {stopped:.2f} s; its process was "
            "SIGKILLed then (CPU freed at once) and a replacement forked in the background.")
    print(text)
    executor.shutdown()
    if not args.no_write:
        write_results("Query time limits: pool overhead", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
