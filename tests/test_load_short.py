"""A short run of bench/load.py: `histkg serve` (granian, the default, and gunicorn) in a subprocess, 8 clients
for a few seconds, mixing
saved queries, entity pages, search, small queries and slow ones. No 5xx but the intended 503s; every normal request
answered; startup logged one line per phase; /healthz says the query processes are ready."""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def bench_load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("histkg_bench_load", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("server", ["granian", "gthread"])
def test_short_load(server: str, cache_dir: Path) -> None:
    load = bench_load()
    report = load.run_load(clients=8, duration=5, worker_class=server, slow_share=0.02, cache_dir=str(cache_dir))
    assert report.failures == []
    normal = report.normal_latencies()
    assert len(normal) > 100
    assert all(set(report.statuses[k]) == {200} for k in report.statuses if k != "slow")
    assert set(report.statuses.get("slow", {503: 0})) == {503}
    assert load.percentile(normal, 0.5) < 0.5
    phases = [line for line in report.startup if " in " in line]
    assert any("parsed" in line for line in phases) and any("indexed" in line for line in phases)
    assert any("closure" in line for line in phases)


@pytest.mark.parametrize("kind", ["granian", "gthread"])
def test_serve_reports_readiness(kind: str, cache_dir: Path) -> None:
    load = bench_load()
    port = load.free_port()
    server = load.start_server(port, kind, 1, str(cache_dir))
    try:
        load.wait_ready(port, server)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            health = json.load(response)
            headers = response.headers
        assert health["status"] == "ok" and health["queries"]["ready"] is True
        assert health["queries"]["mode"] == "worker processes" and health["queries"]["started"] >= 1
        assert headers["X-Frame-Options"] == "DENY"
    finally:
        server.terminate()
        try:
            server.communicate(timeout=30)
        except Exception:  # pragma: no cover - a server that ignores SIGTERM
            server.kill()
            pytest.fail("the server did not stop on SIGTERM")
