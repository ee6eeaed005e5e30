"""Helpers for the hostile-request catalogue: a raw HTTP client (no URL normalisation), a recording listener,
and reading a process's CPU time from /proc."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import quote


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(base: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
          timeout: float = 30) -> Reply:
    """One request with the path sent exactly as given (dot segments and all)."""
    import time

    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    started = time.perf_counter()
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        all_headers = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            all_headers.setdefault("Content-Length", str(len(body)))
        for name, value in all_headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        if body is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                conn.send(body)  # the server may answer (413) before reading it all: read that answer
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                     time.perf_counter() - started)
    finally:
        conn.close()


def q(text: str) -> str:
    return quote(text, safe="")


@dataclass
class Listener:
    """A loopback TCP listener that records every connection made to it."""

    sock: socket.socket = field(default_factory=socket.socket)
    seen: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.5)
            try:
                self.seen.append(conn.recv(4096))
            except OSError:
                self.seen.append(b"")
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of a process in clock ticks, or None when it no longer exists (or is a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    if fields[0] == "Z":
        return None
    return int(fields[11]) + int(fields[12])


def children(pid: int | None = None) -> list[int]:
    pid = pid or os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found
