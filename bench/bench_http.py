"""HTTP throughput on the Belenko dataset, side by side in one run, loopback only, bounded in time.

Servers (each started here as a subprocess on a free 127.0.0.1 port and stopped at the end, whatever happens):

- histkg: `histkg serve` (granian, its default server; default workers), twice: with the response cache (repeat
  requests are hits, warmed before measuring) and with HISTKG_RESPONSE_CACHE_MB=0 (every request runs its query:
  cache-miss figures);
- `oxigraph serve --union-default-graph` (PyPI `oxigraph`), loaded by `histkg load --into .../update` with the
  ontology, facts, statements and inferred graphs, so its default graph is the same union histkg queries;
- rdflib-endpoint (PyPI `rdflib-endpoint`) under uvicorn (2 worker processes, access log off), serving
  `histkg export --graph all --format nquads` from an rdflib Dataset whose default graph is the union.

Each answers the same SPARQL SELECT queries by GET (JSON results); their row counts are compared first. histkg
alone also answers a mix of saved queries (/queries/<name>.json), entity pages (/id/...) and label search.

Load: wrk (Debian: `apt-get install -y wrk`), 8 connections over 2 threads, a Lua script rotating the URLs; if wrk
is missing, a bounded Python client (8 threads), which costs far more CPU. Every configuration runs `--duration`
seconds, `--repeats` times, interleaved (so drift hits all alike); figures are medians over the repeats. On a
2-core machine the load generator competes with the server for CPU: every figure includes that.

    apt-get install -y wrk && pip install -e '.[bench]'
    python bench/bench_http.py                  # 10 s x 3 per configuration (~4 min); updates bench/results.md
    python bench/bench_http.py --duration 3 --repeats 1 --no-write
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from _serving import (
    HOST,
    ROOT,
    exit_on_signals,
    free_port,
    get,
    git_rev,
    histkg_argv,
    machine,
    start,
    stop,
    version,
    wait_for,
    write_results,
)

SECTION = "HTTP: histkg vs oxigraph serve vs rdflib-endpoint (Belenko dataset)"
JSON_RESULTS = "application/sparql-results+json"
PREFIXES = ("PREFIX hk: <https://histkg.example.org/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
# Ad-hoc queries: small lookups, joins, an aggregate, a filter, inferred (transitive) facts.
QUERIES: dict[str, str] = {
    "labels": "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 20",
    "people": "SELECT ?person ?name WHERE { ?person a hk:Person ; rdfs:label ?name } ORDER BY ?name",
    "types": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type",
    "located-in": "SELECT ?place ?container WHERE { ?place hk:locatedIn ?container } ORDER BY ?place ?container",
    "events": ("SELECT ?event ?label ?dateLabel WHERE { ?event hk:timeSpan ?ts ; rdfs:label ?label . "
               "?ts hk:dateLabel ?dateLabel } ORDER BY ?label"),
    "search": ('SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "mig")) } '
               "ORDER BY ?s"),
    "ranks": ("SELECT ?person ?name ?rankLabel WHERE { ?person a hk:Person ; rdfs:label ?name . "
              "OPTIONAL { ?person hk:rank/rdfs:label ?rankLabel } } ORDER BY ?name"),
}
ENTITIES = ["viktor-belenko", "belenko-mig-25", "japan", "pvo", "belenko-defection", "hakodate-airport"]
SEARCHES = ["bel", "mig", "hako", "soviet", "japan", "vik"]
WRK_SCRIPT = """
local urls = {}
local n = 0
local i = 0
init = function(args)
  for line in io.lines(args[1]) do
    local accept, path = line:match("^([^\\t]*)\\t(.*)$")
    urls[#urls + 1] = {path = path, accept = accept}
  end
  n = #urls
  i = math.random(n) - 1
end
request = function()
  i = i % n + 1
  return wrk.format("GET", urls[i].path, {["Accept"] = urls[i].accept})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"non2xx": %d, "socket_errors": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Target:
    name: str
    port: int
    urls: list[tuple[str, str]]  # (Accept, path)


@dataclass
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    bad: int  # non-2xx answers and socket errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Measured:
    target: Target
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs) if self.runs else 0.0


def sparql_urls(path: str, extra: str = "") -> list[tuple[str, str]]:
    return [(JSON_RESULTS, f"{path}?query={quote(PREFIXES + q)}{extra}") for q in QUERIES.values()]


def mix_urls(saved: list[str]) -> list[tuple[str, str]]:
    """Saved queries, entity pages, search and ad-hoc queries interleaved (30/30/25/15 like bench/load.py)."""
    kinds: list[list[tuple[str, str]]] = [
        [("application/json", f"/queries/{name}.json") for name in saved],
        [("text/html", f"/id/{e}") for e in ENTITIES],
        [("application/json", f"/search?q={s}") for s in SEARCHES],
        sparql_urls("/sparql"),
    ]
    weights = [30, 30, 25, 15]
    urls: list[tuple[str, str]] = []
    for step in range(100):
        for kind, weight in zip(kinds, weights, strict=True):
            if step < weight:
                urls.append(kind[step % len(kind)])
    return urls


# --- load generators ---------------------------------------------------------------------------------------------
def run_wrk(wrk: str, target: Target, workdir: Path, duration: float, connections: int) -> Run:
    script, listing = workdir / "rotate.lua", workdir / f"urls-{target.name}.tsv"
    script.write_text(WRK_SCRIPT)
    listing.write_text("".join(f"{accept}\t{path}\n" for accept, path in target.urls))
    argv = [wrk, "-t", "2", "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "10s", "-s", str(script),
            f"http://{HOST}:{target.port}", "--", str(listing)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary for {target.name}: {out[-500:]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    return Run(data["requests"], data["duration_us"] / 1e6, data["p50_us"] / 1000, data["p95_us"] / 1000,
               data["non2xx"] + data["socket_errors"])


def run_python(target: Target, duration: float, connections: int) -> Run:
    """The bounded fallback: `connections` threads, keep-alive connections, each rotating the URLs."""
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(HOST, target.port, timeout=10)
        mine: list[float] = []
        errors = 0
        i = offset
        while time.monotonic() < stop_at:
            accept, path = target.urls[i % len(target.urls)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": accept})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, target.port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            bad[0] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 30)
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]
    return Run(len(latencies), elapsed, statistics.median(ordered) * 1000,
               ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, bad[0])


# --- servers -----------------------------------------------------------------------------------------------------
RDFLIB_APP = """
import os
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint

dataset = Dataset(default_union=True)
dataset.parse(os.environ["BENCH_NQUADS"], format="nquads")
app = SparqlEndpoint(graph=dataset, public_url="http://127.0.0.1/", cors_enabled=False)
"""


def start_servers(workdir: Path, procs: list[subprocess.Popen[bytes]], workers: int | None,
                  log: Callable[[str], None]) -> dict[str, int]:
    """Start every server (appending each to `procs` at once, so the caller can stop it); their ports."""
    cache_env = {"HISTKG_CACHE_DIR": str(workdir / "closure-cache")}
    extra = ["--workers", str(workers)] if workers else []
    ports: dict[str, int] = {}

    # The closure is computed once (first server, or this export) and read from the cache after that.
    nquads = workdir / "belenko-all.nq"
    subprocess.run([sys.executable, "-m", "service.cli", "export", "--graph", "all", "--format", "nquads",
                    "-o", str(nquads)], cwd=ROOT, env={**_env(), **cache_env}, check=True, timeout=300)
    log(f"exported {sum(1 for _ in nquads.open())} quads for rdflib-endpoint")

    for name, env in (("histkg", cache_env), ("histkg-nocache", {**cache_env, "HISTKG_RESPONSE_CACHE_MB": "0"})):
        port = free_port()
        procs.append(start(histkg_argv(port, *extra), env=env, log=workdir / f"{name}.log"))
        wait_for(port, "/healthz", procs[-1], timeout=180)
        ports[name] = port

    port = free_port()
    procs.append(start(["oxigraph", "serve", "--bind", f"{HOST}:{port}", "--union-default-graph"],
                       log=workdir / "oxigraph.log"))
    wait_for(port, "/", procs[-1], timeout=60)
    loaded = subprocess.run([sys.executable, "-m", "service.cli", "load", "--into", f"http://{HOST}:{port}/update"],
                            cwd=ROOT, env={**_env(), **cache_env}, capture_output=True, text=True, check=True,
                            timeout=300)
    log(" ".join(loaded.stdout.split()))
    ports["oxigraph"] = port

    port = free_port()
    (workdir / "rdflib_app.py").write_text(RDFLIB_APP)
    procs.append(start([sys.executable, "-m", "uvicorn", "rdflib_app:app", "--host", HOST, "--port", str(port),
                        "--workers", "2", "--no-access-log", "--log-level", "warning", "--app-dir", str(workdir)],
                       env={"BENCH_NQUADS": str(nquads)}, log=workdir / "rdflib-endpoint.log", cwd=workdir))
    wait_for(port, f"/?query={quote('ASK {}')}", procs[-1], timeout=180, accept=JSON_RESULTS, poll=0.2)
    ports["rdflib-endpoint"] = port
    return ports


def _env() -> dict[str, str]:
    return dict(os.environ)


def row_counts(port: int, path: str) -> dict[str, int | str]:
    counts: dict[str, int | str] = {}
    for name, query in QUERIES.items():
        status, _, body = get(port, f"{path}?query={quote(PREFIXES + query)}", JSON_RESULTS, timeout=60)
        counts[name] = len(json.loads(body)["results"]["bindings"]) if status == 200 else f"HTTP {status}"
    return counts


def check_mix(port: int, urls: list[tuple[str, str]]) -> list[str]:
    problems = []
    for accept, path in sorted(set(urls)):
        status, _, _ = get(port, path, accept, timeout=60)
        if status != 200:
            problems.append(f"{path}: HTTP {status}")
    return problems


def hit_share(port: int, urls: list[tuple[str, str]]) -> str:
    hits = sum(get(port, path, accept)[1].get("x-histkg-cache") == "hit" for accept, path in sorted(set(urls)))
    return f"{hits}/{len(set(urls))}"


# --- report ------------------------------------------------------------------------------------------------------
def report(measured: dict[str, Measured], notes: list[str], args: argparse.Namespace, generator: str) -> str:
    def ms(x: float) -> str:
        return f"{x:.1f}" if x < 100 else f"{x:.0f}"

    lines = [
        machine(),
        "",
        f"versions: histkg {git_rev()}, pyoxigraph {version('pyoxigraph')}, oxigraph {version('oxigraph')}, "
        f"rdflib-endpoint {version('rdflib-endpoint')}, rdflib {version('rdflib')}, granian {version('granian')}, "
        f"gunicorn {version('gunicorn')}, "
        f"flask {version('flask')}, uvicorn {version('uvicorn')}; load generator: {generator}",
        "",
        f"`python bench/bench_http.py --duration {args.duration:g} --repeats {args.repeats}"
        f"{f' --workers {args.workers}' if args.workers else ''}`: {args.connections} connections, "
        f"{args.duration:g} s per configuration, {args.repeats} repetitions interleaved; medians over the "
        f"repetitions. The load generator runs on the same 2 cores as the server: every figure includes that.",
        "",
        f"SPARQL: the same {len(QUERIES)} SELECT queries ({', '.join(QUERIES)}) by GET, JSON results, rotated; "
        "mix (histkg only): 30% saved queries (/queries/NAME.json), 30% entity pages (/id/..., HTML), 25% label "
        "search, 15% the SPARQL queries.",
        "",
        "| configuration | req/s (median) | median ms | p95 ms | req/s per run | bad answers |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, m in measured.items():
        runs = ", ".join(f"{r.rps:.0f}" for r in m.runs)
        lines.append(f"| {name} | {m.median('rps'):.0f} | {ms(m.median('p50_ms'))} | {ms(m.median('p95_ms'))} | "
                     f"{runs} | {sum(r.bad for r in m.runs)} |")

    def rps(name: str) -> float:
        return measured[name].median("rps") if name in measured else 0.0

    def ratio(a: str, b: str) -> float:
        return rps(a) / rps(b) if rps(b) else 0.0

    hit, miss, ox, rdf = ("sparql: histkg, cache hits", "sparql: histkg, cache misses", "sparql: oxigraph serve",
                          "sparql: rdflib-endpoint")
    mix_hit, mix_miss = "mix: histkg, cache hits", "mix: histkg, cache misses"
    checks = [
        (f"histkg with cache hits / oxigraph serve = {ratio(hit, ox):.2f} (goal >= 1)", ratio(hit, ox) >= 1),
        (f"histkg mix with cache hits / oxigraph serve (SPARQL) = {ratio(mix_hit, ox):.2f} (goal >= 1)",
         ratio(mix_hit, ox) >= 1),
        (f"histkg cache misses / oxigraph serve = {ratio(miss, ox):.2f}, i.e. oxigraph "
         f"{1 / max(ratio(miss, ox), 1e-9):.1f}x faster (goal: within 2x, ratio >= 0.5)", ratio(miss, ox) >= 0.5),
        (f"histkg mix with cache misses / oxigraph serve (SPARQL) = {ratio(mix_miss, ox):.2f} (goal >= 0.5)",
         ratio(mix_miss, ox) >= 0.5),
        (f"histkg with cache hits / rdflib-endpoint = {ratio(hit, rdf):.1f} (goal >= 10)", ratio(hit, rdf) >= 10),
        (f"histkg cache misses / rdflib-endpoint = {ratio(miss, rdf):.1f} (goal >= 10)", ratio(miss, rdf) >= 10),
    ]
    lines += ["", "Ratios (req/s, medians):", ""]
    lines += [f"- {text}: {'met' if ok else 'NOT met'}" for text, ok in checks]

    def paired(a: str, b: str) -> str:
        """Ratios within each repetition (the two ran seconds apart), which drift on a shared machine hits less."""
        if a not in measured or b not in measured:
            return "?"
        pairs = [x.rps / y.rps for x, y in zip(measured[a].runs, measured[b].runs, strict=True) if y.rps]
        return f"{', '.join(f'{r:.2f}' for r in pairs)} (median {statistics.median(pairs):.2f})" if pairs else "?"

    lines += ["", "The same ratios paired per repetition:", "",
              f"- cache hits / oxigraph serve: {paired(hit, ox)}",
              f"- cache misses / oxigraph serve: {paired(miss, ox)}",
              f"- cache misses / rdflib-endpoint: {paired(miss, rdf)}"]
    lines += ["", *[f"- {n}" for n in notes]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per configuration and repetition")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="HTTP workers (default: histkg's default)")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk exists")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results.md alone")
    args = parser.parse_args()
    exit_on_signals()
    wrk = None if args.python_client else shutil.which("wrk")
    generator = "wrk " + subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split()[1] if wrk \
        else f"bounded Python client ({args.connections} threads)"

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    notes: list[str] = []
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="histkg-bench-http-") as tmp:
        workdir = Path(tmp)
        try:
            ports = start_servers(workdir, procs, args.workers, log)
            saved = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
            mix = mix_urls(saved)
            targets = {
                "sparql: histkg, cache hits": Target("histkg-hit", ports["histkg"], sparql_urls("/sparql")),
                "sparql: histkg, cache misses": Target("histkg-miss", ports["histkg-nocache"], sparql_urls("/sparql")),
                "sparql: oxigraph serve": Target("oxigraph", ports["oxigraph"], sparql_urls("/query")),
                "sparql: rdflib-endpoint": Target("rdflib", ports["rdflib-endpoint"], sparql_urls("/")),
                "mix: histkg, cache hits": Target("mix-hit", ports["histkg"], mix),
                "mix: histkg, cache misses": Target("mix-miss", ports["histkg-nocache"], mix),
            }
            counts = {name: row_counts(ports[name], path) for name, path in
                      (("histkg", "/sparql"), ("oxigraph", "/query"), ("rdflib-endpoint", "/"))}
            log(f"rows per query: {json.dumps(counts)}")
            same = counts["histkg"] == counts["oxigraph"] == counts["rdflib-endpoint"]
            notes.append(("same row counts from all three servers for every query: " if same else
                          "ROW COUNTS DIFFER between servers: ") + json.dumps(counts["histkg"]) +
                         ("" if same else f" vs oxigraph {counts['oxigraph']} vs rdflib {counts['rdflib-endpoint']}"))
            problems = check_mix(ports["histkg"], mix)
            if problems:
                notes.append(f"mix URLs not answered 200: {problems}")
            measured = {name: Measured(t) for name, t in targets.items()}
            for repeat in range(args.repeats):
                for name, m in measured.items():
                    # warm-up (fills histkg's per-worker caches; warms every server), then the measured run
                    warm = min(2.0, args.duration)
                    if wrk:
                        run_wrk(wrk, m.target, workdir, warm, args.connections)
                        result = run_wrk(wrk, m.target, workdir, args.duration, args.connections)
                    else:
                        run_python(m.target, warm, args.connections)
                        result = run_python(m.target, args.duration, args.connections)
                    m.runs.append(result)
                    log(f"[{repeat + 1}/{args.repeats}] {name}: {result.rps:.0f} req/s, median {result.p50_ms:.1f} "
                        f"ms, p95 {result.p95_ms:.1f} ms, bad {result.bad}")
            notes.append(f"response-cache hits on a re-fetch after the runs: SPARQL "
                         f"{hit_share(ports['histkg'], targets['sparql: histkg, cache hits'].urls)}, mix "
                         f"{hit_share(ports['histkg'], mix)} (one worker answers each re-fetch); the no-cache "
                         f"server: {hit_share(ports['histkg-nocache'], mix)}")
        finally:
            for process in procs:
                stop(process)
    text = report(measured, notes, args, generator)
    print(text)
    if not args.no_write:
        write_results(SECTION, text)
    return 0 if all(r.bad == 0 for m in measured.values() for r in m.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
