"""Shared fixtures: the real graph of the shipped dataset, the real app, and a real HTTP server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

from service.config import PROJECT_ROOT, Settings
from service.store import KnowledgeGraph
from service.web import create_app

ROOT = PROJECT_ROOT
SEED_DIR = ROOT.parent / "shared" / "seed"
CONFORMANCE_DIR = ROOT.parent / "shared" / "conformance"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("closure-cache")


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> Settings:
    """The shipped dataset, with a closure cache private to this test session."""
    return Settings(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def kg(settings: Settings) -> KnowledgeGraph:
    return KnowledgeGraph.load(settings)


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
