"""Start-up: time from process start to the first answered query for `histkg serve`, and its memory.

For each dataset the closure cache (a fresh temporary folder) is warmed by one start that is not counted, then
`histkg serve` (its default server, granian, default workers) is started `--repeats` times: the clock runs from
just before the process is spawned until a SPARQL query (GET /sparql, JSON) has been answered 200, polling /healthz
first (every 20 ms) and then the query. Memory is sampled every 50 ms over the whole process tree (the server's
master process, its workers and their query processes): peak of the summed RSS (counts pages shared copy-on-write
once per process, so it overstates) and the summed PSS (shared pages divided among their sharers) once the query
was answered.

Datasets: the shipped Belenko dataset; ~500k triples from bench/generate.py; with --5m, ~5M generated triples,
started once cold (load, reason, index, serve: the closure is computed) and, if --5m-warm, once more warm.
Loopback only; every server is stopped (its whole process group) before the script ends.

    python bench/bench_startup.py               # Belenko + 500k, 3 measured starts each; updates bench/results.md
    python bench/bench_startup.py --5m          # also 5M triples (several minutes, ~10 GiB)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from _serving import (
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
    write_results,
)

SECTION = "Start-up: first answered query with a warm closure cache"
QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5"
JSON_RESULTS = "application/sparql-results+json"
MiB = 1 << 20


@dataclass
class Start:
    seconds: float       # process spawn -> first query answered 200
    healthy: float       # process spawn -> /healthz 200
    peak_rss: int        # bytes, summed over the process tree, peak
    pss: int             # bytes, summed over the process tree, after the first answer
    processes: int
    phases: list[str] = field(default_factory=list)


def session_pids(sid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # field 6 of stat: session id
            pids.append(int(entry.name))
    return pids


def rss(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * 4096
    except (OSError, IndexError, ValueError):
        return 0


def pss(pid: int) -> int:
    try:
        for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    def __init__(self, sid: int) -> None:
        super().__init__(daemon=True)
        self.sid = sid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, sum(rss(p) for p in session_pids(self.sid)))
            self.done.wait(0.05)


def one_start(data: Path | None, cache_dir: Path, log_file: Path, timeout: float) -> Start:
    port = free_port()
    extra = ["--data", str(data)] if data is not None else []
    started = time.perf_counter()
    process = start(histkg_argv(port, *extra), env={"HISTKG_CACHE_DIR": str(cache_dir)}, log=log_file)
    sampler = MemorySampler(process.pid)
    sampler.start()
    try:
        deadline = started + timeout
        healthy = 0.0
        path = "/healthz"
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"histkg serve exited with {process.returncode}: {log_file.read_text()[-2000:]}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no answer within {timeout:.0f} s")
            try:
                status, _, _ = get(port, path, JSON_RESULTS if path != "/healthz" else "*/*", timeout=timeout)
            except OSError:
                status = 0
            if status == 200 and path == "/healthz":
                healthy = time.perf_counter() - started
                path = f"/sparql?query={quote(QUERY)}"
                continue
            if status == 200:
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        time.sleep(0.2)
        pids = session_pids(process.pid)
        tree_pss = sum(pss(p) for p in pids)
        sampler.peak = max(sampler.peak, sum(rss(p) for p in pids))
    finally:
        sampler.done.set()
        sampler.join(timeout=5)
        stop(process)
    phases = [line.removeprefix("histkg: ") for line in log_file.read_text().splitlines()
              if line.startswith("histkg: ")]
    return Start(seconds, healthy, sampler.peak, tree_pss, len(pids), phases)


def generate(triples: int, out: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples), "-o", str(out)],
                   check=True, timeout=1200)


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def snapshot_mib(cache: Path) -> str:
    """Size of the on-disk store snapshot(s) in the cache folder (their pages sit in the OS page cache, shared by
    every process, and are not in any process's PSS); "-" when the store was kept in memory."""
    sizes = [f.stat().st_size for d in cache.glob("store-*") if d.is_dir() for f in d.rglob("*") if f.is_file()]
    return f"{sum(sizes) / MiB:,.0f}" if sizes else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--triples", type=int, default=500_000, help="size of the generated dataset")
    parser.add_argument("--5m", dest="five_million", action="store_true", help="also ~5M triples, once, cold")
    parser.add_argument("--5m-warm", dest="five_million_warm", action="store_true",
                        help="with --5m: one more start of the 5M dataset with the closure cache warm")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    exit_on_signals()

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    rows: list[str] = []
    verdicts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="histkg-bench-startup-") as tmp:
        work = Path(tmp)
        generated = work / f"generated-{args.triples}.nt"
        generate(args.triples, generated)
        datasets: list[tuple[str, Path | None, float, float]] = [
            ("Belenko (shipped)", None, 1.0, 120),
            (f"generated, {count_lines(generated):,} triples", generated, 5.0, 600),
        ]
        for label, data, goal, timeout in datasets:
            cache = work / f"cache-{len(rows)}"
            warm = one_start(data, cache, work / "warm.log", timeout)
            log(f"{label}: warming start (closure computed) {warm.seconds:.2f} s")
            starts = []
            for i in range(args.repeats):
                s = one_start(data, cache, work / f"run-{i}.log", timeout)
                log(f"{label}: {s.seconds:.3f} s to the first answer (healthz {s.healthy:.3f} s), peak RSS "
                    f"{s.peak_rss / MiB:.0f} MiB, PSS {s.pss / MiB:.0f} MiB, {s.processes} processes")
                starts.append(s)
            median = statistics.median(s.seconds for s in starts)
            rows.append(f"| {label} | {median:.2f} | {', '.join(f'{s.seconds:.2f}' for s in starts)} | "
                        f"{statistics.median(s.healthy for s in starts):.2f} | "
                        f"{max(s.peak_rss for s in starts) / MiB:.0f} | "
                        f"{statistics.median(s.pss for s in starts) / MiB:.0f} | {snapshot_mib(cache)} | "
                        f"{starts[-1].processes} | "
                        f"{warm.seconds:.1f} | {'; '.join(starts[-1].phases)} |")
            verdicts.append(f"- {label}: first answer {median:.2f} s with a warm closure cache, goal {goal:g} s: "
                            + ("met" if median <= goal else f"NOT met ({median / goal:.1f}x the goal)"))
        big = ""
        if args.five_million:
            data5 = work / "generated-5m.nt"
            started = time.perf_counter()
            generate(5_000_000, data5)
            log(f"generated 5M in {time.perf_counter() - started:.0f} s")
            cache = work / "cache-5m"
            cold = one_start(data5, cache, work / "cold5m.log", 1500)
            big = (f"\n\n~5M generated triples ({count_lines(data5):,}), cold (parse, OWL 2 RL closure, index, fork, "
                   f"serve): first answer after {cold.seconds:.0f} s, peak RSS of the tree {cold.peak_rss / MiB:,.0f} "
                   f"MiB, PSS after the answer {cold.pss / MiB:,.0f} MiB, on-disk store {snapshot_mib(cache)} MiB; "
                   f"phases: {'; '.join(cold.phases)}")
            log(big.strip())
            if args.five_million_warm:
                hot = one_start(data5, cache, work / "warm5m.log", 1500)
                big += (f"\n\nthe same, warm closure cache: first answer after {hot.seconds:.1f} s, peak RSS "
                        f"{hot.peak_rss / MiB:,.0f} MiB, PSS {hot.pss / MiB:,.0f} MiB; phases: {'; '.join(hot.phases)}")
                log(big.strip())
    text = "\n".join([
        machine(), "",
        f"versions: histkg {git_rev()}, pyoxigraph {version('pyoxigraph')}, granian {version('granian')}, "
        f"flask {version('flask')}", "",
        f"`python bench/bench_startup.py --repeats {args.repeats}{' --5m' if args.five_million else ''}"
        f"{' --5m-warm' if args.five_million_warm else ''}`: `histkg serve` (default workers) spawned, the clock "
        "stopped when `SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5` was answered 200; one uncounted start first "
        "warms the closure cache. Memory over the whole process tree (the server's master, workers, query processes).",
        "",
        "| dataset | first answer s (median) | per start | /healthz s | peak RSS MiB (sum) | PSS MiB | "
        "on-disk store MiB | processes | warming start s | phases (last start) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows, "", *verdicts,
    ]) + (big or "\n\n5M triples: not measured in this run (`--5m`).")
    print(text)
    if not args.no_write:
        write_results(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
