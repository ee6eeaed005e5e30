"""Helpers for the hostile-request catalogue and the memory-limit tests: the queries both send, a raw HTTP client
(no URL normalisation), a recording listener, and reading a process's CPU time from /proc."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import quote

NORMAL = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
PRODUCT = "?a ?b ?c . ?d ?e ?f . BIND(CONCAT(STR(?a), STR(?c), STR(?d), STR(?f)) AS ?x)"
MEMORY_BOMBS = {  # each needs memory that grows with the product of two scans of the graph
    "sort": f"SELECT ?x WHERE {{ {PRODUCT} }} ORDER BY ?x LIMIT 1",
    "distinct": f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?x WHERE {{ {PRODUCT} }} }}",
    "group-by": f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ {PRODUCT} }} GROUP BY ?x LIMIT 1",
    "group-concat": f"SELECT (STRLEN(GROUP_CONCAT(?x)) AS ?n) WHERE {{ {PRODUCT} }}",
    "path-product": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o ?t WHERE { "
                    "?s (<http://www.w3.org/2000/01/rdf-schema#label>|!<urn:x:none>)* ?o . ?t ?u ?v } }",
}


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


# --- the server's memory, and clients that send a whole body before reading -------------------------------------
def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def memory_bytes(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process, (0, 0) when it is gone. RSS counts every page the process maps, shared ones too
    (a freshly forked query process counts the whole graph it shares); PSS divides a shared page among its
    sharers, so a tree's PSS sum is what the tree takes from the machine."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            fields = {k: v for k, _, v in (line.partition(":") for line in rollup)}
    except OSError:
        return 0, 0
    def kb(name: str) -> int:
        return int(fields[name].split()[0]) * 1024 if name in fields else 0
    return kb("Rss"), kb("Pss")


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over a process tree (memory_bytes)."""
    rss = pss = 0
    for p in descendants(pid):
        one_rss, one_pss = memory_bytes(p)
        rss, pss = rss + one_rss, pss + one_pss
    return rss, pss


class PeakSampler:
    """Samples a process tree's memory in a thread until stopped: the highest RSS and PSS sums seen."""

    def __init__(self, pid: int, every: float = 0.01) -> None:
        self.pid, self.every, self.samples = pid, every, 0
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            rss, pss = tree_memory(self.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.samples += 1

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak_rss, self.peak_pss


def send_whole_body_first(base: str, path: str, body: bytes, content_type: str) -> Reply:
    """POST over a raw socket that writes the whole body before reading a byte (as simple clients do), then reads
    the answer (to its Content-Length, its last chunk or the end of the connection). OSError when the server closed
    the connection while the body was being sent."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nContent-Type: "
                f"{content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        sock.sendall(head + body)
        data = bytearray()
        while not _complete(bytes(data)) and (chunk := sock.recv(1 << 16)):
            data += chunk
    head_bytes, _, payload = bytes(data).partition(b"\r\n\r\n")
    status_line, headers = _head(head_bytes)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _unchunk(payload)
    return Reply(int(status_line.split()[1]), headers, payload)


def _head(head_bytes: bytes) -> tuple[str, dict[str, str]]:
    status_line, *lines = head_bytes.decode("latin-1").split("\r\n")
    return status_line, {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}


def _complete(data: bytes) -> bool:
    head_bytes, found, payload = data.partition(b"\r\n\r\n")
    if not found:
        return False
    headers = _head(head_bytes)[1]
    if "content-length" in headers:
        return len(payload) >= int(headers["content-length"])
    return headers.get("transfer-encoding", "").lower() == "chunked" and payload.endswith(b"0\r\n\r\n")


def _unchunk(data: bytes) -> bytes:
    out, rest = bytearray(), data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)
