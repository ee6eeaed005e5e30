"""Time limits that stop the work, results that say they were cut, and the outbound guard."""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from service.errors import OutboundRefused, QueryError, QueryTimeout
from service.query import executor, guard
from service.query.executor import close_pool, execute, pool_for
from service.query.sparql import Dataset, PreparedQuery, prepare
from service.rdf import formats
from service.store.graph import KnowledgeGraph
from service.web import create_app
from service.web.security import register
from tests.hostile_support import Listener, children, cpu_ticks

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def with_settings(kg: KnowledgeGraph, **changes: object) -> KnowledgeGraph:
    return kg.with_settings(**changes)


@pytest.fixture(scope="module")
def short_kg(kg: KnowledgeGraph) -> Iterator[KnowledgeGraph]:
    short = with_settings(kg, query_timeout=1.0, result_limit=5)
    yield short
    close_pool(short)


@pytest.fixture(scope="module")
def short_app(short_kg: KnowledgeGraph) -> Flask:
    return create_app(short_kg)


@pytest.mark.stores("memory", "disk")  # the query processes: a remote store answers over HTTP instead
def test_timeout_kills_the_worker_and_frees_the_cpu(short_app: Flask, short_kg: KnowledgeGraph) -> None:
    client = short_app.test_client()
    pool_for(short_kg)
    before = set(children())
    replies: list[int] = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: replies.append(
        client.get("/sparql", query_string={"query": CARTESIAN}).status_code))
    thread.start()
    busy = _busy_child(before | set(children()), deadline=started + 0.9)
    thread.join(timeout=5)
    elapsed = time.monotonic() - started
    assert replies == [503] and elapsed < 1.0 + 1.0
    assert busy is not None, "no query process was using the CPU"
    for _ in range(20):  # gone (killed and reaped) within a second of the limit
        if cpu_ticks(busy) is None:
            break
        time.sleep(0.05)
    assert cpu_ticks(busy) is None
    time.sleep(0.3)
    ok = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})  # the service keeps serving
    assert ok.status_code == 200 and ok.get_json()["boolean"] is True


@pytest.mark.stores("memory", "disk")
def test_quick_queries_share_the_steady_processes(kg: KnowledgeGraph) -> None:
    """One after another, quick queries reuse the same query process (no switching between idle ones)."""
    pool = executor.QueryPool(kg, size=4, warm=2, steady=1)
    try:
        query = prepare("ASK { ?s ?p ?o }", set(kg.graph_names()))
        pids = {pool.execute(executor.Job(query, Dataset(), None, 5.0)).worker_pid for _ in range(20)}
    finally:
        pool.close()
    assert len(pids) == 1


@pytest.mark.stores("memory", "disk")
def test_a_slow_query_does_not_hold_up_quick_ones(kg: KnowledgeGraph) -> None:
    """With one steady process busy on a slow query, a quick query takes another process after PATIENCE."""
    pool = executor.QueryPool(kg, size=3, warm=1, steady=1)
    slow = prepare(CARTESIAN, set(kg.graph_names()))
    quick = prepare("ASK { ?s ?p ?o }", set(kg.graph_names()))
    outcome: list[str] = []

    def run_slow() -> None:
        try:
            pool.execute(executor.Job(slow, Dataset(), None, 2.0))
            outcome.append("answered")
        except QueryTimeout:
            outcome.append("timeout")

    try:
        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.3)  # the slow query holds the one steady process
        started = time.monotonic()
        answer = pool.execute(executor.Job(quick, Dataset(), None, 5.0))
        waited = time.monotonic() - started
        thread.join(timeout=10)
    finally:
        pool.close()
    assert answer.form == "ASK"
    assert waited < 1.0, f"the quick query waited {waited:.2f} s behind the slow one"
    assert outcome == ["timeout"]


def _busy_child(candidates: set[int], deadline: float) -> int | None:
    first = {pid: cpu_ticks(pid) for pid in candidates}
    while time.monotonic() < deadline:
        time.sleep(0.2)
        for pid in set(children()) | candidates:
            now, then = cpu_ticks(pid), first.get(pid)
            if now is not None and then is not None and now > then:
                return pid
            first.setdefault(pid, now)
    return None


@pytest.mark.stores("memory", "disk")  # the query processes: a remote store answers over HTTP instead
def test_a_worker_cannot_open_anything(short_kg: KnowledgeGraph) -> None:
    answer = execute(short_kg, prepare("ASK {}", set()))
    assert answer.worker_pid is not None
    fd_dir = f"/proc/{answer.worker_pid}/fd"
    held = {int(fd): os.readlink(f"{fd_dir}/{fd}") for fd in os.listdir(fd_dir)}
    assert {0, 1, 2, 3} <= set(held)
    beyond = {fd: target for fd, target in held.items() if fd > 3}
    if short_kg.snapshot_path is None:
        assert beyond == {}
    else:  # the on-disk store's files, opened before the fork; nothing else
        inside = str(short_kg.snapshot_path.resolve()) + os.sep
        assert beyond and all(target.startswith(inside) for target in beyond.values()), beyond
    limits = Path(f"/proc/{answer.worker_pid}/limits").read_text()
    (soft, hard) = next(line.split()[3:5] for line in limits.splitlines() if line.startswith("Max open files"))
    if short_kg.snapshot_path is None:
        assert (soft, hard) == ("4", "4")
    else:  # one more per store file (RocksDB opens them on first use), reading under the store only (Landlock)
        allowance = len(list(short_kg.snapshot_path.iterdir())) + 8
        assert soft == hard and int(soft) <= max(held) + 1 + allowance


@pytest.mark.stores("memory", "disk")  # the query processes: a remote store answers over HTTP instead
def test_engine_level_service_cannot_connect_even_past_the_guard(short_kg: KnowledgeGraph) -> None:
    listener = Listener()
    try:
        unvetted = PreparedQuery(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", "SELECT")
        # In memory no descriptor can be made at all; over the on-disk store Landlock refuses the connection.
        with pytest.raises(QueryError, match=r"Too many open files|Permission denied"):
            execute(short_kg, unvetted)
        time.sleep(0.1)
        assert listener.seen == []
    finally:
        listener.close()


@pytest.mark.stores("memory", "disk")  # the query processes: a remote store answers over HTTP instead
def test_an_engine_crash_costs_one_query_not_the_server(short_kg: KnowledgeGraph) -> None:
    overflow = PreparedQuery("SELECT * WHERE " + "{ " * 20_000 + "?s ?p ?o" + " }" * 20_000, "SELECT")
    with pytest.raises(QueryError, match="engine failed"):
        execute(short_kg, overflow)
    assert execute(short_kg, prepare("ASK { ?s ?p ?o }", set())).result.boolean is True  # type: ignore[union-attr]


def test_requests_may_ask_for_less_time_never_more(short_kg: KnowledgeGraph) -> None:
    query = prepare(CARTESIAN, set())
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"0\.3 s"):
        execute(short_kg, query, timeout=0.3)
    assert time.monotonic() - started < 1.0
    assert executor.effective_timeout(short_kg, 3600) == 1.0


def test_a_capped_result_says_so_everywhere(short_app: Flask) -> None:
    client = short_app.test_client()
    query = {"query": "SELECT ?s WHERE { ?s ?p ?o }"}
    json_reply = client.get("/sparql", query_string=query)
    assert json_reply.headers["X-Histkg-Truncated"] == "5"
    assert json_reply.get_json()["histkg"] == {"truncated": True, "limit": 5}
    csv_reply = client.get("/sparql", query_string={**query, "format": "csv"})
    assert csv_reply.headers["X-Histkg-Truncated"] == "5"
    html = client.get("/sparql", query_string=query, headers={"Accept": "text/html"})
    assert html.headers["X-Histkg-Truncated"] == "5" and "Cut at 5" in html.get_data(as_text=True)
    small = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"})
    assert "X-Histkg-Truncated" not in small.headers and "histkg" not in small.get_json()


def test_saved_queries_and_exports_are_not_cut(short_app: Flask, short_kg: KnowledgeGraph) -> None:
    client = short_app.test_client()
    saved = client.get("/queries/timeline.json")
    assert saved.status_code == 200 and "X-Histkg-Truncated" not in saved.headers
    assert len(saved.get_json()["results"]["bindings"]) > 5
    export = client.get("/export", query_string={"graph": "asserted", "format": "ntriples"})
    assert export.status_code == 200 and export.get_data().count(b"\n") > 5


def test_in_process_mode_for_the_cli(kg: KnowledgeGraph) -> None:
    inline = with_settings(kg, query_workers=0)
    answer = execute(inline, prepare("SELECT * WHERE { ?s ?p ?o } LIMIT 2", set()), fmt=formats.by_name("json"))
    assert answer.worker_pid is None and answer.body is not None and b'"bindings"' in answer.body


# --- the outbound guard ---------------------------------------------------------------------------------------------
def test_guard_refuses_network_and_foreign_files_only_while_active(tmp_path: Path, kg: KnowledgeGraph) -> None:
    guard.install([tmp_path / "readable"])
    (tmp_path / "readable").mkdir()
    (tmp_path / "readable" / "ok.txt").write_text("fine")
    listener = Listener()
    try:
        with guard.guarded():
            with pytest.raises(OutboundRefused):
                socket.create_connection(("127.0.0.1", listener.port), timeout=1)
            with pytest.raises(OutboundRefused):
                urllib.request.urlopen(listener.url, timeout=1)
            with pytest.raises(OutboundRefused):
                Path("/etc/passwd").read_text()
            with pytest.raises(OutboundRefused):
                (tmp_path / "readable" / "new.txt").write_text("no writing")
            assert (tmp_path / "readable" / "ok.txt").read_text() == "fine"
        time.sleep(0.1)
        assert listener.seen == []
        assert Path("/etc/hostname").exists() and len(Path("/etc/passwd").read_text()) > 0  # off: no effect
    finally:
        listener.close()


def test_guard_turns_outbound_attempts_into_a_400_in_requests(kg: KnowledgeGraph) -> None:
    app = Flask(__name__)
    register(app, kg)
    listener = Listener()

    @app.get("/reach")
    def reach() -> str:
        socket.create_connection(("127.0.0.1", listener.port), timeout=1)
        return "reached"

    @app.get("/read")
    def read() -> str:
        return Path("/etc/passwd").read_text()[:10]

    from service.web import errors
    errors.register(app)
    try:
        client = app.test_client()
        for path in ("/reach", "/read"):
            reply = client.get(path)
            assert reply.status_code == 400, reply.get_data(as_text=True)
            assert "refused" in reply.get_json()["error"]["message"]
        assert listener.seen == []
    finally:
        listener.close()
