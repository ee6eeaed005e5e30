"""A bounded load test on loopback: `histkg serve` (gunicorn) as a subprocess, N clients for T seconds.

The mix: saved queries (JSON), entity pages (HTML), label search, small ad-hoc SPARQL queries, and now and then a
slow query (a cartesian product asking for timeout=2) that must end in a 503, and with --bomb-share a memory bomb
(a sort over a cross product) that must end in the memory limit's 503 (issue 15). Passes when there is no 5xx other
than those intended 503s and every normal request is answered. Samples the server's process tree's memory (PSS, from
/proc) and reports its peak. Writes its figures to bench/results.md.

    python bench/load.py                      # 32 clients, 60 s, granian; updates bench/results.md
    python bench/load.py --worker-class sync --clients 32 --duration 30 --no-write
    python bench/load.py --clients 16 --duration 20 --bomb-share 0.02
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
# The shared report helpers live beside this script; it is also loaded by path (tests/test_load_short.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import machine, write_results  # noqa: E402

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BOMB = ("SELECT ?x WHERE { ?a ?b ?c . ?d ?e ?f . BIND(CONCAT(STR(?a), STR(?c), STR(?d), STR(?f)) AS ?x) } "
        "ORDER BY ?x LIMIT 1")
INTENDED_503 = ("slow", "bomb")
SMALL = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20"
ENTITIES = ["viktor-belenko", "belenko-mig-25", "japan", "pvo", "belenko-defection", "hakodate-airport"]
SEARCHES = ["bel", "mig", "hako", "soviet", "japan", "vik"]


@dataclass
class Report:
    clients: int
    duration: float
    worker_class: str
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    failures: list[str] = field(default_factory=list)
    startup: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    memory_before_mb: float = 0.0  # the server's process tree (PSS) once ready, and its peak under load
    memory_peak_mb: float = 0.0
    bombs_stopped_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def normal_latencies(self) -> list[float]:
        return [x for kind, xs in self.latencies.items() if kind not in INTENDED_503 for x in xs]


def saved_query_paths() -> list[str]:
    return [f"/queries/{p.stem}.json" for p in sorted((ROOT / "queries").glob("*.rq"))]


def pick(rng: random.Random, saved: list[str], slow_share: float,
         bomb_share: float = 0.0) -> tuple[str, str, dict[str, str]]:
    """(kind, path, headers) for the next request."""
    roll = rng.random()
    if roll < slow_share:
        return "slow", f"/sparql?timeout=2&query={quote(SLOW)}", {"Accept": "application/json"}
    if roll < slow_share + bomb_share:
        return "bomb", f"/sparql?query={quote(BOMB)}", {"Accept": "application/json"}
    roll = rng.random()
    if roll < 0.3:
        return "saved", rng.choice(saved), {"Accept": "application/json"}
    if roll < 0.6:
        return "entity", f"/id/{rng.choice(ENTITIES)}", {"Accept": "text/html"}
    if roll < 0.85:
        return "search", f"/search?q={rng.choice(SEARCHES)}", {"Accept": "application/json"}
    return "sparql", f"/sparql?query={quote(SMALL)}", {"Accept": "application/sparql-results+json"}


def client(port: int, stop: float, report: Report, lock: threading.Lock, seed: int, slow_share: float,
           bomb_share: float = 0.0) -> None:
    rng = random.Random(seed)
    saved = saved_query_paths()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < stop:
        kind, path, headers = pick(rng, saved, slow_share, bomb_share)
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                report.failures.append(f"{kind} {path[:80]}: {type(error).__name__} {error}")
            continue
        seconds = time.perf_counter() - started
        with lock:
            report.latencies[kind].append(seconds)
            report.statuses[kind][status] += 1
            expected = (503,) if kind in INTENDED_503 else (200,)
            if status not in expected:
                report.failures.append(f"{kind} {path[:80]}: HTTP {status}")
            elif kind == "bomb":  # the memory limit stops it, or on a starved CPU the time limit first
                report.bombs_stopped_by["memory" if b"memory limit" in body else "time"] += 1
    conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, worker_class: str, workers: int, cache_dir: str | None) -> subprocess.Popen[str]:
    """`worker_class`: "granian" (the default server), or gunicorn's "gthread" or "sync"."""
    env = {**os.environ}
    if cache_dir:
        env["HISTKG_CACHE_DIR"] = cache_dir
    server = ["--server", "granian"] if worker_class == "granian" else [
        "--server", "gunicorn", "--worker-class", worker_class]
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", str(workers), *server],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_ready(port: int, server: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {server.stderr.read() if server.stderr else ''}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError("the server did not become ready")


def tree_pss_mb(pid: int) -> float:
    """The memory a process tree takes (PSS: a page shared by several processes counted once), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    children.setdefault(int(stat.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
        except OSError:
            continue
    return total / 1024


def sample_memory(pid: int, stop: threading.Event, report: Report) -> None:
    while not stop.wait(0.1):
        report.memory_peak_mb = max(report.memory_peak_mb, tree_pss_mb(pid))


def run_load(clients: int = 32, duration: float = 60, worker_class: str = "gthread", workers: int = 2,
             slow_share: float = 0.01, cache_dir: str | None = None, bomb_share: float = 0.0) -> Report:
    port = free_port()
    server = start_server(port, worker_class, workers, cache_dir)
    report = Report(clients, duration, worker_class)
    try:
        wait_ready(port, server)
        report.memory_before_mb = tree_pss_mb(server.pid)
        sampled = threading.Event()
        sampler = threading.Thread(target=sample_memory, args=(server.pid, sampled, report), daemon=True)
        sampler.start()
        lock = threading.Lock()
        stop = time.monotonic() + duration
        threads = [threading.Thread(target=client, args=(port, stop, report, lock, i, slow_share, bomb_share))
                   for i in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=duration + 60)
        report.elapsed = time.monotonic() - started
        sampled.set()
        sampler.join(timeout=5)
    finally:
        server.terminate()
        try:
            _, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
        report.startup = [line for line in err.splitlines() if line.startswith("histkg:")]
    return report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summary(report: Report) -> str:
    normal = report.normal_latencies()
    threads = " x 4 threads" if report.worker_class in ("gthread", "granian") else ""
    server = "granian" if report.worker_class == "granian" else f"gunicorn {report.worker_class}"
    lines = [f"{report.clients} clients, {report.elapsed:.0f} s, {server} (2 workers{threads}"
             f"): {report.total} requests, {report.total / max(report.elapsed, 1e-9):.0f} req/s; normal "
             f"requests median {statistics.median(normal) * 1000:.1f} ms, p95 {percentile(normal, 0.95) * 1000:.1f} "
             f"ms; failures: {len(report.failures)}; server's process tree (PSS) {report.memory_before_mb:.0f} MB "
             f"ready, {report.memory_peak_mb:.0f} MB at its peak; memory bombs stopped by "
             f"{dict(report.bombs_stopped_by) or 'none'}", "",
             "| kind | requests | statuses | median ms | p95 ms |", "| --- | --- | --- | --- | --- |"]
    for kind in sorted(report.latencies):
        xs = report.latencies[kind]
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(report.statuses[kind].items()))
        lines.append(f"| {kind} | {len(xs)} | {codes} | {statistics.median(xs) * 1000:.1f} | "
                     f"{percentile(xs, 0.95) * 1000:.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--worker-class", default="granian", choices=["granian", "gthread", "sync"],
                        help="granian (histkg serve's default server) or a gunicorn worker class")
    parser.add_argument("--slow-share", type=float, default=0.01)
    parser.add_argument("--bomb-share", type=float, default=0.01, help="share of memory-bomb queries (issue 15)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    report = run_load(args.clients, args.duration, args.worker_class, slow_share=args.slow_share,
                      bomb_share=args.bomb_share)
    text = summary(report)
    print("\n".join(report.startup))
    print(text)
    for failure in report.failures[:20]:
        print("FAIL", failure)
    if not args.no_write:
        write_results(f"Load: {args.worker_class}", f"{machine()}\n\n`python bench/load.py --worker-class "
                      f"{args.worker_class} --clients {args.clients} --duration {args.duration:g} --bomb-share "
                      f"{args.bomb_share:g}`\n\n{text}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
