"""Shared fixtures: the real graph of the shipped dataset, the real app, and a real HTTP server on loopback.

Store modes. Every test that uses the shared graph (`kg`, and so `app`, `client`, `live_server`) runs once per
store mode: `memory` (pyoxigraph in memory), `disk` (an on-disk store snapshot reopened read-only,
service.store.snapshot) and `remote` (a real `oxigraph serve` on loopback, loaded with the graph, served through
service.store.remote). `pytest --stores memory` picks modes. A test that is about one mode's machinery (the query
processes, say) says so with `@pytest.mark.stores(...)` and is not run in the others.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

from service.config import PROJECT_ROOT, Settings
from service.query.executor import close_pool
from service.store.graph import KnowledgeGraph
from service.store.remote import RemoteStore
from service.web import create_app
from tests.browser_support import browser  # noqa: F401  (the browser tests' module-scoped Chromium)

ROOT = PROJECT_ROOT
# Vendored test material (with its licence or notice): the tests read nothing outside the repository.
TEST_DATA = Path(__file__).resolve().parent / "data"
SEED_DIR = TEST_DATA / "seed"
ARTICLE = SEED_DIR / "leone-2023-belenko-mig-25.txt"
CONFORMANCE_DIR = TEST_DATA / "w3c"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("closure-cache")


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> Settings:
    """The shipped dataset, with a closure cache private to this test session."""
    return Settings(cache_dir=cache_dir)


STORE_MODES = ("memory", "disk", "remote")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--stores", default=",".join(STORE_MODES),
                     help=f"comma-separated store modes to run the graph-level tests in (default: all of "
                          f"{', '.join(STORE_MODES)})")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "stores(*modes): run this test only in these store modes")
    unknown = set(_selected_modes(config)) - set(STORE_MODES)
    if unknown:
        raise pytest.UsageError(f"--stores: unknown mode(s) {', '.join(sorted(unknown))}")


def _selected_modes(config: pytest.Config) -> list[str]:
    return [mode for mode in str(config.getoption("--stores")).split(",") if mode]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_mode" in metafunc.fixturenames:
        modes = _selected_modes(metafunc.config)
        marker = metafunc.definition.get_closest_marker("stores")
        if marker is not None:
            modes = [mode for mode in modes if mode in marker.args]
        metafunc.parametrize("store_mode", modes, scope="session")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests mode by mode and, within a mode, module by module, whatever pytest's own reordering did.

    Why: pytest before 9.2 interleaves modules when a session-scoped fixture is parametrized (one hostile case, a
    few negotiation tests, one hostile case, ...). Module-scoped servers and query pools were then set up again for
    each test, and the session's graphs swapped back and forth, until CI ran out of memory. Sorting is stable, so
    pytest's order within a module is kept."""
    modes = _selected_modes(config)
    first_seen: dict[str, int] = {}
    for item in items:
        first_seen.setdefault(item.nodeid.split("::")[0], len(first_seen))

    def position(item: pytest.Item) -> tuple[int, int]:
        callspec = getattr(item, "callspec", None)
        mode = callspec.params.get("store_mode") if callspec is not None else None
        mode_rank = modes.index(mode) if mode in modes else len(modes)
        return mode_rank, first_seen[item.nodeid.split("::")[0]]

    items.sort(key=position)


@pytest.fixture(scope="session")
def kg(store_mode: str, settings: Settings, request: pytest.FixtureRequest) -> Iterator[KnowledgeGraph]:
    if store_mode == "remote":
        loaded: KnowledgeGraph = request.getfixturevalue("remote_kg")
    else:
        loaded = KnowledgeGraph.load(settings.with_(storage=store_mode))
        assert (loaded.snapshot_path is not None) == (store_mode == "disk")
    yield loaded
    close_pool(loaded)  # its query processes, and the pool's hold on the graph, end with the mode


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def sparql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real SPARQL 1.1 server on loopback: `oxigraph serve` (PyPI `oxigraph`), empty. Its base URL."""
    executable = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(executable).exists():
        pytest.fail("the `oxigraph` server is not installed: pip install -e '.[test]' brings it")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-store")
    # --timeout-s: the server stops a query after 5 s, abandoned ones too (the tests' limits are 1-2 s, their real
    # queries take milliseconds). Without it the hostile catalogue's abandoned sorts over a cross product went on
    # growing this process by ~180 MB/s for the rest of the session: the suite's largest process (issue 15).
    process = subprocess.Popen([executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                "--timeout-s", "5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("oxigraph serve did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def remote_kg(sparql_server: str, settings: Settings) -> KnowledgeGraph:
    """The shipped graph pushed into the SPARQL server (as `histkg load --into` does) and served from there."""
    local = KnowledgeGraph.load(settings.with_(storage="memory"))
    local.push(RemoteStore(f"{sparql_server}/query", f"{sparql_server}/update"))
    return KnowledgeGraph.connect(settings, f"{sparql_server}/query")


@pytest.fixture(scope="session")
def app(kg: KnowledgeGraph) -> Flask:
    return create_app(kg)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    app: Flask


def serve_in_thread(app: Flask) -> tuple[BaseWSGIServer, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The real app on a real socket on loopback, for HTTP clients and the browser."""
    server, thread = serve_in_thread(app)
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=5)
