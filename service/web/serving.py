"""Production serving: the graph is loaded once, then worker processes fork and share it.

granian (the default) is a Rust HTTP server that calls the WSGI app from Python threads: on cached answers it served
2.5-3x what gunicorn gthread did on the same 2 cores (bench/results.md, HTTP), because gunicorn's own request parsing
and socket writes in Python were the ceiling (~4-5k req/s here) and the hit path never reaches Flask. Both run the
same shape of service: N worker processes x THREADS threads, each worker with its own query processes, forked
after the graph is loaded. gunicorn stays available (`histkg serve --server gunicorn`). gunicorn's choices
(measured with bench/load.py on this repo's graph, see bench/results.md "Serving"):

- gthread workers (N processes x 4 threads), not sync: pages and saved queries are answered in milliseconds
  while a slow query waits in its thread for its query process; with sync workers one slow query blocks a
  whole worker process for up to the time limit, and 32 clients queue behind a few slow queries.
- each gunicorn worker forks its own query processes (service.query.executor) in `post_worker_init`, before its
  threads start, and stops them in `worker_exit`;
- `timeout` (60 s) only catches a wedged worker: queries stop at their own limit (10 s by default);
- `graceful_timeout` lets requests in flight finish on SIGHUP / SIGTERM (graceful restarts);
- `limit_request_line` 8190 (gunicorn's maximum) so the app's own 414 with a message applies from
  Settings.max_url_length (8,000); beyond 8190 gunicorn answers 414 itself.
- no access log unless asked for (`histkg serve --access-log`): gunicorn formats and writes a line per request in
  the worker, and on cache hits that cost about a third of the throughput (bench/bench_http.py, results.md).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from service.query import executor
from service.store.graph import KnowledgeGraph

THREADS = 4


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def options(app: Flask, host: str, port: int, workers: int, worker_class: str = "gthread",
            access_log: bool = False) -> dict[str, Any]:
    kg: KnowledgeGraph = app.config["HISTKG"]

    def post_worker_init(_worker: Any) -> None:
        executor.start(kg)

    def worker_exit(_server: Any, _worker: Any) -> None:
        executor.shutdown()

    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": worker_class,
        "threads": THREADS,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "limit_request_line": 8190,
        "accesslog": "-" if access_log else None,  # "-": one line per request on stdout
        "control_socket_disable": True,  # gunicorn >= 24 would open a control socket under ~/.gunicorn
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
    }


def run_production(app: Flask, host: str, port: int, workers: int, worker_class: str = "gthread",
                   access_log: bool = False, server: str = "gunicorn") -> None:
    if server == "granian":
        run_granian(app, host, port, workers, access_log)
    else:
        _Server(app, options(app, host, port, workers, worker_class, access_log)).run()


def granian_options(host: str, port: int, workers: int, access_log: bool = False) -> dict[str, Any]:
    """Granian (a Rust HTTP server running the WSGI app in Python threads), the same shape of service as gunicorn
    gthread: `workers` processes x THREADS threads, forked after the graph is loaded."""
    from granian.constants import Interfaces

    return {
        "address": host,
        "port": port,
        "interface": Interfaces.WSGI,
        "workers": workers,
        "blocking_threads": THREADS,
        "backpressure": THREADS * 8,  # requests a worker takes on at once; the rest wait in the kernel's backlog
        "respawn_failed_workers": True,
        "workers_kill_timeout": 20,  # like gunicorn's graceful_timeout: requests in flight may finish
        "log_access": access_log,
        "log_level": "warning",
    }


def run_granian(app: Flask, host: str, port: int, workers: int, access_log: bool = False) -> None:
    from granian.server import Server

    kg: KnowledgeGraph = app.config["HISTKG"]

    def load_in_worker(_target: str) -> Flask:
        # Runs in each worker process after the fork: its own query processes, before it serves a request.
        executor.start(kg)
        return app

    Server("histkg", **granian_options(host, port, workers, access_log)).serve(target_loader=load_in_worker)
