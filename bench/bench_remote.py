"""Pages over the remote-store mode: HTTP requests to the SPARQL server and time per first page view.

A real `oxigraph serve` on loopback (a fresh temporary folder) is loaded with the shipped dataset (the same graphs
`histkg load --into` pushes), then the app is connected to it as `histkg serve --store sparql+URL` would be, and
each page (the home page, the timeline, entity pages) is fetched through Flask's test client. Requests are counted
at the wiring seam (every request RemoteStore sends), so the count is exactly what the SPARQL server sees.

Three views of each page:
  cold process  a freshly connected app: the page pays for whatever the process computes once (the timeline's
                events, the home page's lists) as well as for itself;
  warm process  a freshly connected app that has already served an entity page: what one more page costs in a
                long-running service (the timeline's events are computed by then);
  repeated      the same page again (the answer LRU and the response cache make it free).
The in-memory store's page times (first view in a freshly loaded graph, then repeated) are given for comparison.

    python bench/bench_remote.py                       # home, timeline, Belenko, Japan, Hakodate airport; 3 runs
    python bench/bench_remote.py --runs 5 /id/japan
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _serving import ROOT, exit_on_signals, free_port, start, stop

sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient

from service.config import Settings
from service.store.graph import KnowledgeGraph
from service.store.remote import RemoteStore
from service.web import create_app

PAGES = ["/", "/timeline", "/id/viktor-belenko", "/id/japan", "/id/hakodate-airport"]
WARM_UP_PAGE = "/id/belenko-mig-25"  # an entity page not measured, to warm the process before a "warm" view
HTML = {"Accept": "text/html"}


class Counter:
    """Counts what RemoteStore sends (queries and updates), by wrapping its one sending method."""

    def __init__(self) -> None:
        self.sent = 0
        original: Callable[..., Any] = RemoteStore._send

        def counting(store: RemoteStore, client: Any) -> Any:
            self.sent += 1
            return original(store, client)

        RemoteStore._send = counting  # type: ignore[method-assign]


def oxigraph(folder: Path) -> tuple[Any, str]:
    executable = Path(sys.executable).parent / "oxigraph"
    port = free_port()
    process = start([str(executable if executable.exists() else "oxigraph"), "serve", "--location", str(folder),
                     "--bind", f"127.0.0.1:{port}"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise SystemExit("oxigraph serve did not start")


def view(client: FlaskClient, counter: Counter, url: str) -> tuple[int, float]:
    before, started = counter.sent, time.perf_counter()
    response = client.get(url, headers=HTML)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return counter.sent - before, seconds


def remote_views(settings: Settings, query_url: str, counter: Counter, url: str, runs: int) -> dict[str, Any]:
    cold, warm, repeated = [], [], []
    for _ in range(runs):
        client = create_app(KnowledgeGraph.connect(settings, query_url)).test_client()
        cold.append(view(client, counter, url))
        repeated.append(view(client, counter, url))
        client = create_app(KnowledgeGraph.connect(settings, query_url)).test_client()
        view(client, counter, WARM_UP_PAGE)
        warm.append(view(client, counter, url))
    return {"cold": cold, "warm": warm, "repeated": repeated}


def memory_views(settings: Settings, counter: Counter, url: str, runs: int) -> tuple[float, float]:
    first, again = [], []
    for _ in range(runs):
        client = create_app(KnowledgeGraph.load(settings)).test_client()
        view(client, counter, WARM_UP_PAGE)  # the same warm-up as the remote "warm" view
        first.append(view(client, counter, url)[1])
        again.append(view(client, counter, url)[1])
    return statistics.median(first), statistics.median(again)


def summary(views: list[tuple[int, float]]) -> str:
    counts = sorted({n for n, _ in views})
    shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"{shown} req, {statistics.median(s for _, s in views) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", default=PAGES)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    exit_on_signals()
    with tempfile.TemporaryDirectory(prefix="histkg-bench-remote-") as tmp:
        settings = Settings(cache_dir=Path(tmp) / "cache")
        process, url = oxigraph(Path(tmp) / "oxigraph")
        try:
            KnowledgeGraph.load(settings).push(RemoteStore(f"{url}/query", f"{url}/update"))
            counter = Counter()
            print("| page | remote, cold process | remote, warm process | remote, repeated "
                  "| in memory, first view (warm process) | in memory, repeated |")
            print("| --- | --- | --- | --- | --- | --- |")
            for page in args.pages:
                remote = remote_views(settings, f"{url}/query", counter, page, args.runs)
                first, again = memory_views(settings, counter, page, args.runs)
                print(f"| `{page}` | {summary(remote['cold'])} | {summary(remote['warm'])} "
                      f"| {summary(remote['repeated'])} | {first * 1000:.0f} ms | {again * 1000:.1f} ms |")
        finally:
            stop(process)


if __name__ == "__main__":
    main()
