"""A query cannot take the machine's memory; a refused upload still gets its answer (issue 15).

Against `histkg serve` in a subprocess (granian, the default server; the 413 also under gunicorn and werkzeug's dev
server), with a small memory limit so that the bombs reach it in a second or two: 64 MB per query process, a budget
of 256 MB (so 4 query processes), and a time limit of 30 s, so that the memory limit, not the time limit, stops
them. The test samples the server's whole process tree's memory from /proc (every 10 ms: RSS, and PSS, which counts
a page shared by the serving process and its query processes once) while five memory bombs run at once, and asserts
it grew by less than the budget plus a margin; without the limit the same bombs grow it by gigabytes (issue 15: one
sort reached 2.6 GB).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import PROJECT_ROOT
from tests.conftest import LiveServer
from tests.hostile_support import MEMORY_BOMBS, NORMAL, PeakSampler, Reply, fetch, q, send_whole_body_first, tree_memory

LIMIT_MB = 64
BUDGET_MB = 256
PSS_MARGIN_MB = 64  # the serving process's own growth, pages a fresh query process copies from its parent
SHARED_MB = 64  # RSS also counts, in each query process, the pages it shares with its parent (~45 MB here)
MB = 1 << 20
TEN_MB_FORM = b"query=" + b"x" * (10 * MB - 6)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(server: str, cache_dir: Path, log: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    extra = ["--server", "gunicorn"] if server == "gunicorn" else []
    with log.open("wb") as out:  # a file, not a pipe: the engine's abort messages must never fill a pipe
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "1", *extra],
            cwd=PROJECT_ROOT, env={**os.environ, "HISTKG_CACHE_DIR": str(cache_dir), **env},
            stdout=subprocess.DEVNULL, stderr=out)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-2000:]
        try:
            if fetch(base, "GET", "/healthz", timeout=2).status == 200:
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not become ready")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - a server that ignores SIGTERM
        process.kill()
        process.wait()
        pytest.fail("the server did not stop on SIGTERM")


@pytest.fixture(scope="module")
def server(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    log = tmp_path_factory.mktemp("memory-server") / "stderr.log"
    process, base = start("granian", cache_dir, log, HISTKG_QUERY_MEMORY_MB=str(LIMIT_MB),
                          HISTKG_QUERY_MEMORY_BUDGET_MB=str(BUDGET_MB), HISTKG_QUERY_TIMEOUT="30")
    yield process.pid, base
    stop(process)


def _normal_answer(base: str) -> Reply:
    reply = fetch(base, "GET", f"/sparql?query={q(NORMAL)}")
    assert reply.status == 200, reply.text[:300]
    assert int(json.loads(reply.text)["results"]["bindings"][0]["n"]["value"]) > 0
    return reply


def test_the_budget_sizes_the_pool(server: tuple[int, str]) -> None:
    _, base = server
    _normal_answer(base)
    queries = json.loads(fetch(base, "GET", "/healthz").text)["queries"]
    assert queries["limit"] == BUDGET_MB // LIMIT_MB and queries["memory_limit_mb"] == LIMIT_MB


def test_concurrent_memory_bombs_stay_within_the_budget(server: tuple[int, str]) -> None:
    pid, base = server
    _normal_answer(base)  # the query processes are up, the serving process has answered once
    before_rss, before_pss = tree_memory(pid)
    sampler = PeakSampler(pid)
    replies: dict[str, Reply] = {}

    def bomb(name: str, text: str) -> None:
        replies[name] = fetch(base, "POST", "/sparql", text.encode(), {"Content-Type": "application/sparql-query"})

    threads = [threading.Thread(target=bomb, args=item) for item in MEMORY_BOMBS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    peak_rss, peak_pss = sampler.stop()
    assert sorted(replies) == sorted(MEMORY_BOMBS)
    for name, reply in replies.items():
        assert reply.status == 503, (name, reply.text[:300])
        message = json.loads(reply.text)["error"]["message"]
        assert f"memory limit of {LIMIT_MB} MB" in message, (name, message)
        assert reply.seconds < 20, (name, reply.seconds)  # the memory limit stopped it, not the 30 s one
    assert sampler.samples > 10
    grown_pss, grown_rss = (peak_pss - before_pss) / MB, (peak_rss - before_rss) / MB
    assert grown_pss < BUDGET_MB + PSS_MARGIN_MB, f"the process tree grew by {grown_pss:.0f} MB (PSS)"
    workers = BUDGET_MB // LIMIT_MB
    assert grown_rss < BUDGET_MB + PSS_MARGIN_MB + workers * SHARED_MB, f"grew by {grown_rss:.0f} MB (RSS)"
    assert _normal_answer(base).seconds < 2.0  # served normally right after, by fresh query processes
    queries = json.loads(fetch(base, "GET", "/healthz").text)["queries"]
    assert queries["stopped_at_memory_limit"] >= len(MEMORY_BOMBS) and queries["killed_at_time_limit"] == 0


def _urllib_post(base: str, body: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(f"{base}/sparql", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _assert_refused_bodies_get_their_413(base: str) -> None:
    status, document = _urllib_post(base, TEN_MB_FORM)
    assert status == 413 and "the limit is 1,048,576 bytes" in document["error"]["message"], document
    raw = send_whole_body_first(base, "/sparql", TEN_MB_FORM, "application/x-www-form-urlencoded")
    assert raw.status == 413 and "the limit is 1,048,576 bytes" in json.loads(raw.text)["error"]["message"]
    _normal_answer(base)


def test_a_refused_body_gets_its_413_under_granian(server: tuple[int, str]) -> None:
    _assert_refused_bodies_get_their_413(server[1])


def test_a_refused_body_gets_its_413_under_gunicorn(cache_dir: Path, tmp_path: Path) -> None:
    process, base = start("gunicorn", cache_dir, tmp_path / "stderr.log")
    try:
        _assert_refused_bodies_get_their_413(base)
    finally:
        stop(process)


def test_a_refused_body_gets_its_413_under_the_dev_server(live_server: LiveServer) -> None:
    _assert_refused_bodies_get_their_413(live_server.url)


def test_the_pool_never_exceeds_the_budget() -> None:
    from service.config import Settings
    from service.query.executor import pool_size

    base = Settings(cache_dir=None)
    assert pool_size(base.with_(serving_processes=2)) == 4  # 1024 MB / (128 MB x 2 serving processes)
    assert pool_size(base.with_(serving_processes=4)) == 2
    assert pool_size(base.with_(query_memory_mb=0, serving_processes=4)) == base.query_workers  # no limit
    for processes in (1, 2, 3, 5, 8):
        settings = base.with_(serving_processes=processes)
        assert pool_size(settings) * processes * settings.query_memory_mb <= settings.query_memory_budget_mb
    with pytest.raises(ValueError, match="does not fit one query process"):
        base.with_(serving_processes=9)
