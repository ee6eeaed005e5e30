"""A bounded in-memory cache of whole responses, in front of the app.

The dataset is immutable while it is served, so the answer to a GET depends only on the request: its path, query
string and Accept header (the representation). Repeat requests for query results, entity pages and exports are
answered from memory without running a query or rendering a page. Only complete 200 answers are kept (never
errors, never a 503 from a time limit, never a response marked `no-store`); the cache is bounded in bytes and
evicts the least recently used. `X-Histkg-Cache: hit|miss` says which happened.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MAX_ENTRY_BYTES = 4 * 1024 * 1024


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64


class ResponseCache:
    def __init__(self, app: WSGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD") or self.max_bytes <= 0:
            return self.app(environ, start_response)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""))
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
        if entry is not None:
            return self._replay(entry, environ, start_response, method)
        return self._fill(key, environ, start_response)

    def _replay(self, entry: Entry, environ: dict[str, Any], start_response: Callable[..., Any],
                method: str) -> Iterable[bytes]:
        headers = [*entry.headers, ("X-Histkg-Cache", "hit")]
        etag = next((v for k, v in entry.headers if k.lower() == "etag"), None)
        if etag and etag in _tags(environ.get("HTTP_IF_NONE_MATCH", "")):
            kept = {"etag", "cache-control", "vary", "x-histkg-cache"}
            start_response("304 NOT MODIFIED", [(k, v) for k, v in headers if k.lower() in kept])
            return [b""]
        start_response(entry.status, headers)
        return [b""] if method == "HEAD" else [entry.body]

    def _fill(self, key: tuple[str, ...], environ: dict[str, Any],
              start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_IF_NONE_MATCH"):
            return self._conditional_miss(key, environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, [*headers, ("X-Histkg-Cache", "miss")], exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if environ.get("REQUEST_METHOD") == "GET" and self._storable(captured, body):
            self._store(key, Entry(captured["status"], captured["headers"], body))
        return [body]

    def _conditional_miss(self, key: tuple[str, ...], environ: dict[str, Any],
                          start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Fill the cache with the full answer (asked for without the condition), then answer the conditional
        request from it."""
        plain = {k: v for k, v in environ.items() if k != "HTTP_IF_NONE_MATCH"}
        plain["REQUEST_METHOD"] = "GET"
        self._fill(key, plain, lambda status, headers, exc_info=None: None)
        with self.lock:
            entry = self.entries.get(key)
        if entry is None:
            return self.app(environ, start_response)
        return self._replay(entry, environ, start_response, environ.get("REQUEST_METHOD", "GET"))

    def _storable(self, captured: dict[str, Any], body: bytes) -> bool:
        if not captured.get("status", "").startswith("200") or len(body) > MAX_ENTRY_BYTES:
            return False
        cache_control = ",".join(v for k, v in captured["headers"] if k.lower() == "cache-control")
        return "no-store" not in cache_control and "private" not in cache_control

    def _store(self, key: tuple[str, ...], entry: Entry) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self.entries[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes and self.entries:
                _, evicted = self.entries.popitem(last=False)
                self.bytes -= evicted.size


def _tags(header: str) -> set[str]:
    return {t.strip() for t in header.split(",") if t.strip()} | ({"*"} if header.strip() == "*" else set())
