"""Production serving with gunicorn: the graph is loaded once, then worker processes fork and share it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run_production(app: Flask, host: str, port: int, workers: int) -> None:
    _Server(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",  # threads: the engine releases the GIL while it evaluates a query
        "threads": 4,
        "timeout": 60,              # a worker stuck past this is replaced; queries have their own, shorter limit
        "graceful_timeout": 20,
        "accesslog": "-",
    }).run()
